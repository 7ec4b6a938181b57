"""Settings for the emulation-bloc portal, all read from the environment.

With no variables set the portal runs embedded: SQLite under var/, Celery tasks
inline, e-mail to the console. `.env.example` lists every variable.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.lib.cache import tolerant

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment win over the file. ENV_FILE names another file and is
# always read. The project's own .env is read only outside the tests: pytest (8.2+) sets
# PYTEST_VERSION, and a developer's .env (say DATABASE_URL for docker compose) must never
# reach a test run.
UNDER_PYTEST = "PYTEST_VERSION" in os.environ
if "ENV_FILE" in os.environ:
    env_file: Path | None = Path(os.environ["ENV_FILE"])
else:
    env_file = None if UNDER_PYTEST else BASE_DIR / ".env"
if env_file is not None and env_file.is_file():
    env.read_env(str(env_file))


def secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file NAME_FILE names (Docker secrets: /run/secrets/...).

    Setting both is a mistake that would hide which one is used: refused."""
    path = env.str(f"{name}_FILE", default="")
    if path and name in os.environ:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from exc
    return env.str(name, default=default)


VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

# Like healthchecks: DEBUG defaults to on so a bare checkout runs; every
# deployment (docker-compose.yml, .env.example) sets DEBUG=false explicitly.
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = secret("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# The placeholder of .env.example: a deployment that copied the file without editing it.
SECRET_KEY_PLACEHOLDER = "change-me-to-a-long-random-string"  # noqa: S105
SECRET_KEY_MIN_LENGTH = 50
if not DEBUG and (not SECRET_KEY or not ALLOWED_HOSTS):
    raise ImproperlyConfigured("DEBUG is off: set SECRET_KEY and ALLOWED_HOSTS (see .env.example).")
if not DEBUG and (
    "change-me" in SECRET_KEY
    or SECRET_KEY == SECRET_KEY_PLACEHOLDER
    or len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
):
    raise ImproperlyConfigured(
        f"DEBUG is off: SECRET_KEY is the .env.example placeholder or shorter than "
        f"{SECRET_KEY_MIN_LENGTH} characters. Generate one: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
# With DEBUG on, a missing page still shows the portal's own 404 page (what `make run` users
# should see); developers who want Django's technical 404 (the URL patterns tried) set this.
DEBUG_TECHNICAL_404 = env.bool("DEBUG_TECHNICAL_404", default=False)
if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-only-used-with-debug"  # noqa: S105
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "import_export",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "portal",
    "blocs",
    "pledges",
    "reports",
    "councils",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.lib.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese unless the person chose English (the browser's Accept-Language is not asked).
    "portal.lib.i18n.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The policy's answers kept for one request (a question asked per row is asked once).
    "portal.lib.request_cache.middleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.lib.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # DEBUG on (make run): the portal's own 404 page, not Django's technical one.
    "portal.lib.middleware.OwnNotFoundPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blocs.context_processors.official",
                "notifications.context_processors.bell",
            ],
            # In every template: `{{ user|person }}` (people by name, family name first) and
            # `{% filter for_bloc:bloc %}` ("khối" or "cụm" by the bloc's kind).
            "builtins": ["portal.templatetags.people", "portal.templatetags.words"],
        },
    },
]

DATABASES = {
    "default": env.db_url_config(
        secret("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT for the portal's connections: its queries are short index lookups, and the
    # planner's cost estimates on a join over memberships made PostgreSQL compile for ~30 ms
    # to return one row (stock postgres:15 has jit on). Reports run the same short queries.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first; English msgids, so English is the untranslated fallback.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's vi locale has no input formats, so 05/12/2025 would parse as 12 May;
# portal/formats/<lang>/formats.py set dd/mm/yyyy for both languages.
FORMAT_MODULE_PATH = ["portal.formats"]

# Request bodies: the proxy refuses larger ones first (deploy/nginx.conf client_max_body_size
# 12m); the portal refuses a declared length above PORTAL_REQUEST_MAX_BYTES before reading it.
# Uploads are checked one by one against 10 MB (portal/lib/uploads.py); form fields other than
# files may hold DATA_UPLOAD_MAX_MEMORY_SIZE bytes; uploads above FILE_UPLOAD_MAX_MEMORY_SIZE
# are streamed to a temporary file instead of memory.
PORTAL_REQUEST_MAX_BYTES = env.int("PORTAL_REQUEST_MAX_BYTES", default=12 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
# Uploads are never served as static files: views check access and stream them.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
# Seconds an SMTP connection may take: a server that does not answer must not hold a worker
# (or, with tasks inline, a request) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Password-reset links printed to a server log are working keys to accounts: with DEBUG off
# the e-mail must go somewhere real, unless the operator says so (EMAIL_CONSOLE_ALLOWED).
NOWHERE_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
if (
    not DEBUG
    and EMAIL_BACKEND in NOWHERE_EMAIL_BACKENDS
    and not env.bool("EMAIL_CONSOLE_ALLOWED", default=False)
):
    raise ImproperlyConfigured(
        f"DEBUG is off and EMAIL_BACKEND is {EMAIL_BACKEND}: password-reset links would be "
        "printed instead of sent. Set EMAIL_BACKEND to an SMTP backend (see .env.example), "
        "or EMAIL_CONSOLE_ALLOWED=true to accept it."
    )

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
# HTTPS: off by default (a bare checkout serves plain HTTP); a deployment behind TLS sets them.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# The health endpoint answers the container's own plain-HTTP probe.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Celery: no broker means tasks run inline in the web process (embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# WeasyPrint's memory grows across renders in one process (its issues #220, #2130): a worker
# process is replaced after this many tasks, or after a task that left it above this many
# KiB resident. Neither interrupts a running build; they bound what the next one starts with.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=400_000)
# A new pool process loads the report renderer before it says it is up (reports/tasks.py,
# worker_process_init): 1-2 s on a calm machine, more under load. Celery's default wait for
# that (4 s) would kill the process mid-preload and start another, endlessly.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env.float("CELERY_WORKER_PROC_ALIVE_TIMEOUT", default=60.0)
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; it must exceed the hard time limit.
# A web request that sends a build gives up on an unreachable broker at once (one quick
# retry; a connect timeout for a host that does not answer): the row stays queued and the
# sweep sends it later. Kombu's defaults retry for 4-20 s inside the request. The worker's
# own connection loop passes its retry settings explicitly and is not shortened by these.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
    "socket_connect_timeout": env.int("CELERY_BROKER_CONNECT_TIMEOUT", default=3),
    "max_retries": 1,
    "interval_start": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
# Report builds run on their own queue, so a worker can be dedicated to them (-Q reports).
CELERY_TASK_ROUTES = {"reports.*": {"queue": "reports"}}
# A queued report whose message is lost (a broker restarted without persistence) is sent
# again by this periodic task; `celery beat` runs it (docker-compose's `beat` service).
REPORT_REQUEUE_AFTER = env.int("REPORT_REQUEUE_AFTER", default=120)
# A build renews its lease on the row every third of this; a row whose lease has expired lost
# its worker and the sweep sends it again: with these defaults within 45 + 30 s of the crash
# (reports/lease.py), instead of waiting for the hard time limit and the visibility timeout.
REPORT_LEASE_SECONDS = env.int("REPORT_LEASE_SECONDS", default=45)
REPORT_SWEEP_SECONDS = env.int("REPORT_SWEEP_SECONDS", default=30)
# Files under MEDIA_ROOT/reports/ that no row points at, older than this, are deleted hourly.
REPORT_ORPHAN_AGE = env.int("REPORT_ORPHAN_AGE", default=3600)
CELERY_BEAT_SCHEDULE = {
    "requeue-lost-reports": {
        "task": "reports.requeue_lost",
        "schedule": float(REPORT_SWEEP_SECONDS),
    },
    "sweep-orphan-report-files": {"task": "reports.sweep_orphans", "schedule": 3600.0},
}

# --- Notifications (notifications/) ----------------------------------------------------
# The e-mail transport itself is the EMAIL_* block above. PORTAL_URL: the address people
# open, used for the links in e-mails (they are read outside any request).
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")
# How many times one e-mail is tried (Celery retries with a growing backoff, then the beat's
# send_pending) before it stays failed in the admin with SMTP's last answer.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
# Local time of the daily digest and the deadline scan (celery beat, one per installation).
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
CELERY_BEAT_SCHEDULE |= {
    "notifications-scan-deadlines": {
        "task": "notifications.scan_deadlines",
        "schedule": crontab(hour=NOTIFICATIONS_DIGEST_HOUR, minute=0),
    },
    "notifications-send-digests": {
        "task": "notifications.send_digests",
        # After the scan, so that today's reminders are in today's digest.
        "schedule": crontab(hour=NOTIFICATIONS_DIGEST_HOUR, minute=15),
    },
    "notifications-send-pending": {"task": "notifications.send_pending", "schedule": 600.0},
}
# Beat writes its schedule file after every task it sends (once a minute): the compose
# healthcheck of beat reads the file's age.
CELERY_BEAT_SYNC_EVERY = 1

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The admin import refuses larger files before reading them (a 31 KiB xlsx can hold 214k rows
# and cost a minute and 500 MiB): at most this many bytes and data rows per file.
PORTAL_IMPORT_MAX_BYTES = env.int("PORTAL_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
PORTAL_IMPORT_MAX_ROWS = env.int("PORTAL_IMPORT_MAX_ROWS", default=2000)
# Evidence files one score may hold (pledges.services.evidence_add refuses more).
PORTAL_EVIDENCE_MAX_FILES = env.int("PORTAL_EVIDENCE_MAX_FILES", default=10)
SIMPLE_HISTORY_REVERT_DISABLED = True

# Admin changelists of big tables (scores, meetings, memberships) show PostgreSQL's row
# estimate instead of counting the whole table once it holds at least this many rows (the
# 77,000 meetings of the national data are past it; its 20,000 memberships are counted).
ADMIN_EXACT_COUNT_LIMIT = env.int("ADMIN_EXACT_COUNT_LIMIT", default=50_000)

# The cache: charts drawn once per inputs (pledges/charts.py). Per process by default; a
# Redis URL (redis://redis:6379/2) shares it between the web processes of a deployment.
# With Redis, an outage is a miss, not a server error (portal/lib/cache.py).
CACHES = {"default": tolerant(env.cache("CACHE_URL", default="locmemcache://"))}

# Year-bounded lists and forms use this as the earliest year they accept.
PORTAL_FIRST_YEAR = env.int("PORTAL_FIRST_YEAR", default=2000)

# The font family of the PDF documents (Nghị định 30/2020 names Times New Roman; Liberation
# Serif 2.x is metric-compatible and has every Vietnamese letter). A system check
# (portal/checks.py) refuses a family fontconfig lacks or one without Vietnamese letters.
REPORT_FONT_FAMILY = env.str("REPORT_FONT_FAMILY", default="Liberation Serif")
# How many times a worker may start building one report (crashes, lost workers, transient
# errors) before the report is marked failed. Kept in the database, so it holds across workers.
REPORT_MAX_ATTEMPTS = env.int("REPORT_MAX_ATTEMPTS", default=3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # Expected 4xx and database outages: one line each, no traceback (portal/lib/logging.py).
        "expected_on_one_line": {"()": "portal.lib.logging.ExpectedErrorsOnOneLine"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        # The filter on the console as well: a refused Host header or another suspicious
        # request (a 400) is logged on a child of django.security, with its traceback, and
        # a logger's filter does not see its children's records (the admins' mail keeps it).
        "console": {"class": "logging.StreamHandler", "filters": ["expected_on_one_line"]},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint reports every layout step of every PDF at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # Django's default also prints to its own console with DEBUG on: each record went
        # out twice. Here every record goes to the root's console once (and errors to ADMINS).
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.request": {"filters": ["expected_on_one_line"]},
    },
}

# --- Protections of people and access (issue 14) -------------------------------------------
# Login throttling (django-axes): an account, or an address, is locked after this many failed
# logins until the cool-off ends or an admin deletes its attempts (admin: "Access attempts").
INSTALLED_APPS += ["portal.axes_app.AxesConfig", "csp"]
AUTHENTICATION_BACKENDS = ["portal.lib.auth.LockoutBackend", *AUTHENTICATION_BACKENDS]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
# Only the lockouts and failures in the admin (portal/admin.py), not the log of every login.
AXES_ENABLE_ADMIN = False
# No banner on start: a management command's or a worker's output stays its own.
AXES_VERBOSE = False
# Each entry counts on its own: 10 failures for one username (from any address) lock that
# account, 10 failures from one address (on any usernames) lock that address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)  # hours
AXES_RESET_ON_SUCCESS = True
# Every failed login is kept (admin: "Access failures"), not only the running count.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Behind the proxy every request comes from nginx's address: the client's is the one the
# trusted proxies put in X-Forwarded-For (portal/lib/http.py, `client_ip`). The number of
# proxies in front of gunicorn that append to that header: 0 (the default, no proxy) never
# reads the header, so a forged one cannot dodge the lockout; docker-compose.yml sets 1.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.lib.http.client_ip"
# Passwords: 12 characters at least, and not on Django's list nor on the portal's own list of
# common Vietnamese ones (portal/lib/data/common-passwords-vi.txt).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "portal.lib.passwords.VietnameseCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_COOKIE_AGE
# seconds after the login whatever the activity (portal.lib.sessions.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
MIDDLEWARE += [
    "portal.lib.sessions.SessionTimeoutMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.lib.csp.AdminPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]
# Content-Security-Policy (django-csp 4): the portal's pages load only their own static files;
# no inline script, handler or <style> (tests/test_security.py checks the templates). The
# editor's preview of a document (a sandboxed srcdoc frame, which inherits the page's policy)
# adds the hashes of the document's own <style> blocks (portal.lib.csp). htmx's own indicator
# styles are off (base.html) and sit in portal.css instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    },
}
# The browser features no page of the portal uses are switched off for it and its frames.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
