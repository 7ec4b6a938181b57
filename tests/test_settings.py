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
SCRUBBED_PREFIXES = ("CELERY_", "EMAIL_", "DJANGO_")
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
    env = {"DEBUG": "false", "SECRET_KEY": "s3cret-for-the-test", "ALLOWED_HOSTS": "portal.example"}
    del env[missing]
    proc = run_probe(**env)
    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr


def test_production_with_secret_key_and_hosts_starts():
    s = probe(
        DEBUG="false",
        SECRET_KEY="s3cret-for-the-test",
        ALLOWED_HOSTS="portal.example,www.portal.example",
    )
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
        "DEBUG=false\nSECRET_KEY=from-the-file\nALLOWED_HOSTS=file.example\n"
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
    return set(re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))


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
