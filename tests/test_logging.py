"""Logs an operator can read: an expected 403 or 404 is one line without a traceback, a
database outage one error line per request, and a bug still gets its traceback."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent


def request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("outsider", 404)])
def test_an_expected_403_or_404_is_one_line(world, client_for, caplog, role, status):
    caplog.set_level(logging.INFO)
    response = client_for(role).get(reverse("blocs:bloc_edit", args=[world.bloc.pk]))
    assert response.status_code == status
    [record] = request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and not record.exc_text
    assert f"/blocs/{world.bloc.pk}/" in record.getMessage()
    assert "Traceback" not in caplog.text


def test_a_bug_keeps_its_traceback():
    from portal.lib.logging import ExpectedErrorsOnOneLine

    try:
        raise KeyError("bug")
    except KeyError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/x/",),
            sys.exc_info(),
        )
    record.status_code = 500
    assert ExpectedErrorsOnOneLine().filter(record)
    assert record.exc_info is not None


OUTAGE = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "x" * 32  # the session lookup needs the database
for _ in range(3):
    assert client.get("/").status_code == 500
"""


def test_a_database_outage_is_one_error_line_per_request():
    # A real outage: PostgreSQL on a port where nothing listens.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CELERY_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        ENV_FILE=os.devnull,
        DATABASE_URL="postgres://portal:pw@127.0.0.1:9/portal",
        ALLOWED_HOSTS="testserver",
    )
    proc = subprocess.run(
        [sys.executable, "-c", OUTAGE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(lines) == 3, proc.stderr
    for line in lines:
        assert line.startswith("Internal Server Error: /")
        assert "(database unavailable: OperationalError:" in line


def test_a_403_refused_by_a_service_on_a_post_is_one_line(world, client_for, caplog):
    # A member posting the secretariat's form: the view's policy check refuses it (issue 12).
    caplog.set_level(logging.INFO)
    url = reverse("blocs:meeting_create", args=[world.bloc.pk])
    response = client_for("member").post(url, {"title": "Hội nghị"})
    assert response.status_code == 403
    [record] = request_records(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage() == f"Forbidden (Permission denied): {url}"
    assert "Traceback" not in caplog.text
    assert len(caplog.text.strip().splitlines()) == len(caplog.records)


def test_a_refused_host_is_one_line_per_logger_without_a_traceback(db, client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    records = [r for r in caplog.records if r.name.startswith("django.")]
    assert [r.name for r in records] == ["django.security.DisallowedHost"]
    # What the console prints: the handler's filter, as settings.LOGGING configures it.
    [console] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and h.filters
    ]
    line = logging.Formatter().format(records[0]) if console.filter(records[0]) else ""
    assert "evil.example" in line and "Traceback" not in line
