"""Celery: the app's configuration, and a round trip through a real worker and broker.

The round trip runs when CELERY_BROKER_URL is set (CI sets it to Redis). Without a broker it
is skipped locally, but under CI=true a missing broker is a failure: CI must exercise it.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.celery import app

BASE_DIR = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def test_celery_config_is_safe_for_report_jobs():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    # A task is acknowledged after it ran, and requeued if its worker dies mid-way.
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    # Every task is bounded; the broker must not redeliver a task that is still running.
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.timezone == "Asia/Ho_Chi_Minh"


def test_ping_task_is_registered():
    import portal.tasks

    assert portal.tasks.ping.name in app.tasks
    assert portal.tasks.ping.run("xin chào") == {"pong": "xin chào"}


@pytest.fixture
def broker_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url:
        reason = "CELERY_BROKER_URL is not set: no broker, so no real worker round trip"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        print(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def celery_worker_process(broker_url, tmp_path):
    """A real `celery worker` subprocess (solo pool) with the same environment as the tests."""
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    nodename = f"test-{os.getpid()}@{socket.gethostname()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "-Q",
            "celery",
            "-n",
            nodename,
            "-l",
            "info",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if worker.poll() is not None:
                output = log_path.read_text(errors="replace")
                pytest.fail(f"the Celery worker exited with {worker.returncode}:\n{output}")
            if app.control.ping(destination=[nodename], timeout=1.0):
                break
            if time.monotonic() > deadline:
                output = log_path.read_text(errors="replace")
                pytest.fail(f"the Celery worker {nodename} did not answer within 30 s:\n{output}")
            time.sleep(0.5)
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


@pytest.mark.worker
def test_round_trip_through_a_real_worker(celery_worker_process):
    from portal.tasks import ping

    assert app.conf.task_always_eager is False, "a broker is set, tasks must not run inline"
    result = ping.delay("xin chào")
    assert result.get(timeout=20) == {"pong": "xin chào"}
    assert result.successful()
