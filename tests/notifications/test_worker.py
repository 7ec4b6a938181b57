"""Notices through a real broker and a real `celery worker` subprocess: the worker reads the
test database, renders the e-mail and sends it through SMTP to the server this test started
on loopback. Without a broker or PostgreSQL it is skipped with the reason printed (a failure
under CI=true), like tests/reports/test_worker.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from notifications import tasks
from notifications.kinds import Kind, Mode
from notifications.models import EmailDelivery, Notification
from portal.celery import app
from tests.factories import OfficialFactory

BASE_DIR = Path(__file__).resolve().parent.parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

pytestmark = pytest.mark.worker


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    print(reason)
    pytest.skip(reason)


@pytest.fixture
def worker(transactional_db, smtp, tmp_path):
    if not os.environ.get("CELERY_BROKER_URL"):
        _skip_or_fail("CELERY_BROKER_URL is not set: no broker, so no real worker")
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        _skip_or_fail("the worker needs a shared database: set DATABASE_URL to PostgreSQL")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{host}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "EMAIL_USE_TLS": "false",
        "PORTAL_URL": "http://testserver",
        "CONN_MAX_AGE": "0",
    }
    queue = "celery"  # the tasks' default queue: send_immediate queues send_delivery there
    name = f"notices-{os.getpid()}@{socket.gethostname()}"
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    log = (tmp_path / "worker.log").open("w")
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue]
    command += ["--pool", "solo", "-n", name, "-l", "info"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[name], timeout=1.0):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail((tmp_path / "worker.log").read_text()[-4000:])
        time.sleep(0.5)
    yield queue, tmp_path / "worker.log"
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_a_worker_sends_the_notice_and_the_digest(worker, smtp):
    _queue, log = worker
    member = OfficialFactory(user__username="hoivien").user
    Notification.objects.create(
        recipient=member,
        kind=Kind.SHEET_RETURNED,
        event_key="returned",
        email=Mode.IMMEDIATE,
        params={"organization": "Liên đoàn Lao động thành phố", "pledge": "Giao ước 2026"},
        detail="Bổ sung minh chứng",
    )
    Notification.objects.create(
        recipient=member,
        kind=Kind.PLEDGE_OPENED,
        event_key="opened",
        params={"pledge": "Giao ước 2026", "bloc": "Khối thi đua"},
    )
    for task in (tasks.send_immediate, tasks.send_digests):
        task.apply_async().get(timeout=60)
    deadline = time.monotonic() + 60
    while EmailDelivery.objects.filter(sent_at__isnull=True).exists() or len(smtp.messages) < 2:
        if time.monotonic() > deadline:
            pytest.fail(log.read_text()[-4000:])
        time.sleep(0.3)
    subjects = sorted(m["Subject"].strip() for m in smtp.to(member.email))
    assert len(subjects) == 2
    assert any("trả lại" in s for s in subjects) and any("1 thông báo" in s for s in subjects)
