"""Settings come from the environment: each case starts a fresh Python with a clean environment."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# Everything settings.py reads, plus what pytest/CI put in the environment.
SCRUBBED_PREFIXES = ("CELERY_", "EMAIL_", "DJANGO_", "SECURE_")
SCRUBBED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "MEDIA_ROOT",
    "VAR_DIR",
    "DEFAULT_FROM_EMAIL",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "BEHIND_TLS_PROXY",
    "PORTAL_FIRST_YEAR",
    "LOG_LEVEL",
    "ENV_FILE",
    "REPORT_FONT_FAMILY",
    "REPORT_MAX_ATTEMPTS",
    "REPORT_REQUEUE_AFTER",
    "SECRET_KEY_FILE",
    "DATABASE_URL_FILE",
    "PYTEST_VERSION",
}

# A key as a deployment has one (50+ characters), and a mail backend that sends.
PROD_KEY = "k3y-for-the-tests-" + "x7Qp2" * 8
PROD = {
    "DEBUG": "false",
    "SECRET_KEY": PROD_KEY,
    "ALLOWED_HOSTS": "portal.example",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}

PROBE = """
import json, django
django.setup()
from django.conf import settings
from portal.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "CONN_MAX_AGE": db["CONN_MAX_AGE"],
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "LANGUAGE_CODE": settings.LANGUAGE_CODE,
    "TIME_ZONE": settings.TIME_ZONE,
    "USE_TZ": settings.USE_TZ,
    "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    "STATIC_ROOT": str(settings.STATIC_ROOT),
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "task_always_eager": app.conf.task_always_eager,
    "worker_max_tasks_per_child": app.conf.worker_max_tasks_per_child,
    "worker_max_memory_per_child": app.conf.worker_max_memory_per_child,
    "result_backend": app.conf.result_backend,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "STATICFILES_BACKEND": settings.STORAGES["staticfiles"]["BACKEND"],
    "SECRET_KEY": settings.SECRET_KEY,
    "EMAIL_HOST_PASSWORD": settings.EMAIL_HOST_PASSWORD,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
}))
"""


def clean_env(**overrides: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SCRUBBED and not k.startswith(SCRUBBED_PREFIXES)
    }
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env["ENV_FILE"] = os.devnull  # a developer's .env must not leak in
    env.update(overrides)
    return env


def run_probe(**overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=clean_env(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(**overrides: str) -> dict:
    proc = run_probe(**overrides)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_production_without_secret_key_or_hosts_refuses_to_start():
    proc = run_probe(DEBUG="false")
    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr
    assert "DEBUG is off: set SECRET_KEY and ALLOWED_HOSTS" in proc.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_needs_both_secret_key_and_hosts(missing):
    env = dict(PROD)
    del env[missing]
    proc = run_probe(**env)
    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr


def test_production_with_secret_key_and_hosts_starts():
    s = probe(**{**PROD, "ALLOWED_HOSTS": "portal.example,www.portal.example"})
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["portal.example", "www.portal.example"]
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["STATICFILES_BACKEND"].startswith("whitenoise.")


def test_no_environment_runs_embedded():
    s = probe()
    assert s["DEBUG"] is True
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(s["NAME"]) == BASE_DIR / "var" / "db.sqlite3"
    assert Path(s["MEDIA_ROOT"]) == BASE_DIR / "var" / "media"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is True
    assert s["task_always_eager"] is True
    assert "127.0.0.1" in s["ALLOWED_HOSTS"]


def test_language_and_time_zone():
    s = probe()
    assert s["LANGUAGE_CODE"] == "vi"
    assert s["TIME_ZONE"] == "Asia/Ho_Chi_Minh"
    assert s["USE_TZ"] is True


def test_database_url_switches_to_postgresql():
    s = probe(DATABASE_URL="postgres://portal:pw@db.example:5432/portal", CONN_MAX_AGE="60")
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert s["NAME"] == "portal"
    assert s["HOST"] == "db.example"
    assert s["CONN_MAX_AGE"] == 60


def test_broker_turns_off_inline_tasks():
    s = probe(CELERY_BROKER_URL="redis://redis.example:6379/0")
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["task_always_eager"] is False
    assert s["result_backend"] == "redis://redis.example:6379/0"
    s = probe(
        CELERY_BROKER_URL="redis://redis.example:6379/0",
        CELERY_RESULT_BACKEND="redis://redis.example:6379/1",
    )
    assert s["result_backend"] == "redis://redis.example:6379/1"


def test_worker_processes_are_recycled_and_the_limits_come_from_the_environment():
    s = probe()
    assert (s["worker_max_tasks_per_child"], s["worker_max_memory_per_child"]) == (50, 400_000)
    s = probe(CELERY_WORKER_MAX_TASKS_PER_CHILD="5", CELERY_WORKER_MAX_MEMORY_PER_CHILD="250000")
    assert (s["worker_max_tasks_per_child"], s["worker_max_memory_per_child"]) == (5, 250_000)


def test_var_dir_and_media_root(tmp_path):
    s = probe(VAR_DIR=str(tmp_path / "state"))
    assert Path(s["NAME"]) == tmp_path / "state" / "db.sqlite3"
    assert Path(s["MEDIA_ROOT"]) == tmp_path / "state" / "media"
    assert Path(s["STATIC_ROOT"]) == tmp_path / "state" / "static"
    s = probe(MEDIA_ROOT=str(tmp_path / "uploads"))
    assert Path(s["MEDIA_ROOT"]) == tmp_path / "uploads"


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "portal.env"
    env_file.write_text(
        f"DEBUG=false\nSECRET_KEY={PROD_KEY}\nALLOWED_HOSTS=file.example\n"
        "EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend\n"
        f"VAR_DIR={tmp_path / 'filevar'}\n"
    )
    s = probe(ENV_FILE=str(env_file))
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["file.example"]
    assert Path(s["NAME"]) == tmp_path / "filevar" / "db.sqlite3"
    s = probe(ENV_FILE=str(env_file), ALLOWED_HOSTS="env.example")
    assert s["ALLOWED_HOSTS"] == ["env.example"]


def test_tls_proxy_header_only_when_asked():
    assert probe()["SECURE_PROXY_SSL_HEADER"] is None
    assert probe(BEHIND_TLS_PROXY="true")["SECURE_PROXY_SSL_HEADER"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def settings_variables() -> set[str]:
    source = (BASE_DIR / "portal" / "settings.py").read_text()
    pattern = r"""\b(?:env(?:\.\w+)?|secret)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    return set(re.findall(pattern, source))


def test_env_example_documents_every_setting():
    names = settings_variables()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= names
    example = (BASE_DIR / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    missing = sorted(names - documented)
    assert not missing, f".env.example does not mention: {missing}"
    # Each variable has a comment right above it.
    lines = example.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if m and m.group(1) in names:
            assert i > 0 and lines[i - 1].startswith("#"), f"{m.group(1)} has no comment"


def test_env_example_holds_no_real_secret():
    example = (BASE_DIR / ".env.example").read_text()
    m = re.search(r"^SECRET_KEY=(.*)$", example, re.MULTILINE)
    assert m is not None
    assert "change-me" in m.group(1)


# --- Production refusals, secrets from files, HTTPS from the environment (issue 14) ---------


@pytest.mark.parametrize(
    "key",
    [
        "change-me-to-a-long-random-string",  # the .env.example placeholder
        "change-me-to-a-long-random-string-" + "a" * 40,  # edited around, still the placeholder
        "x" * 49,  # too short
    ],
)
def test_production_refuses_the_placeholder_or_a_short_secret_key(key):
    proc = run_probe(**{**PROD, "SECRET_KEY": key})
    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr
    assert "shorter than 50 characters" in proc.stderr


def test_production_accepts_a_fifty_character_key():
    assert probe(**{**PROD, "SECRET_KEY": "k" * 25 + "Q" * 25})["DEBUG"] is False


def test_debug_still_runs_with_the_placeholder():
    assert probe(SECRET_KEY="change-me-to-a-long-random-string")["DEBUG"] is True


def test_production_refuses_the_console_mail_backend_unless_allowed():
    env = {k: v for k, v in PROD.items() if k != "EMAIL_BACKEND"}
    proc = run_probe(**env)
    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr
    assert "password-reset links would be printed" in proc.stderr
    s = probe(**env, EMAIL_CONSOLE_ALLOWED="true")
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_secrets_come_from_files(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(PROD_KEY + "-from-a-file\n")
    db_file = tmp_path / "database_url"
    db_file.write_text("postgres://portal:pw@db.secret:5432/portal\n")
    mail_file = tmp_path / "mail"
    mail_file.write_text("smtp-password\n")
    env = {k: v for k, v in PROD.items() if k != "SECRET_KEY"}
    s = probe(
        **env,
        SECRET_KEY_FILE=str(key_file),
        DATABASE_URL_FILE=str(db_file),
        EMAIL_HOST_PASSWORD_FILE=str(mail_file),
    )
    assert s["SECRET_KEY"] == PROD_KEY + "-from-a-file"  # the trailing newline is dropped
    assert s["HOST"] == "db.secret"
    assert s["EMAIL_HOST_PASSWORD"] == "smtp-password"


def test_a_secret_file_that_cannot_be_read_or_a_doubled_secret_is_refused(tmp_path):
    proc = run_probe(SECRET_KEY_FILE=str(tmp_path / "absent"))
    assert proc.returncode != 0
    assert "SECRET_KEY_FILE: cannot read" in proc.stderr
    (tmp_path / "key").write_text(PROD_KEY)
    proc = run_probe(SECRET_KEY_FILE=str(tmp_path / "key"), SECRET_KEY=PROD_KEY)
    assert proc.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE, not both" in proc.stderr


def test_https_settings_come_from_the_environment():
    s = probe()
    assert (s["SECURE_HSTS_SECONDS"], s["SECURE_SSL_REDIRECT"]) == (0, False)
    s = probe(
        SECURE_HSTS_SECONDS="31536000",
        SECURE_SSL_REDIRECT="true",
        CSRF_TRUSTED_ORIGINS="https://portal.example",
    )
    assert (s["SECURE_HSTS_SECONDS"], s["SECURE_SSL_REDIRECT"]) == (31536000, True)
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://portal.example"]


def test_check_deploy_has_no_warning_with_a_production_environment():
    env = clean_env(
        **PROD,
        BEHIND_TLS_PROXY="true",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        CSRF_TRUSTED_ORIGINS="https://portal.example",
    )
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert not re.findall(r"security\.W\d+", output), output
    assert proc.returncode == 0, output
    # The same command without the HTTPS settings does warn: the test can fail.
    env.pop("SECURE_SSL_REDIRECT")
    env.pop("SECURE_HSTS_SECONDS")
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert {"security.W004", "security.W008"} <= set(
        re.findall(r"security\.W\d+", proc.stdout + proc.stderr)
    )


def _project_copy(tmp_path: Path) -> Path:
    """The project under tmp_path: portal/ copied (settings find BASE_DIR from their own
    file), everything else linked, so a .env can be put beside it without touching ours."""
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    for entry in BASE_DIR.iterdir():
        if entry.name in {".env", ".git", ".venv", "var", "portal"}:
            continue
        (root / entry.name).symlink_to(entry)
    shutil.copytree(
        BASE_DIR / "portal", root / "portal", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root


def test_the_tests_never_read_the_project_env_file(tmp_path):
    root = _project_copy(tmp_path)
    # What the README's Docker step leaves: cp .env.example .env (role "portal" does not exist).
    (root / ".env").write_text("DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal\n")

    def engine(**extra: str) -> str:
        env = clean_env(**extra)
        env.pop("ENV_FILE")
        proc = subprocess.run(
            [sys.executable, "-c", PROBE],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])["ENGINE"]

    # Under pytest (PYTEST_VERSION set by pytest itself) the .env is ignored ...
    assert engine(PYTEST_VERSION="9") == "django.db.backends.sqlite3"
    # ... and outside it, the same .env is read (so the line above can fail).
    assert engine() == "django.db.backends.postgresql"
