"""Report builds through a real broker and a real `celery worker -Q reports` subprocess.

Nothing is mocked here: the worker gathers the data, renders the document and writes the
PDF with WeasyPrint into a MEDIA_ROOT shared with the test, through the test database
(pytest-django's `test_…` database, passed to the worker as DATABASE_URL). The worker is
started from tests/reports/worker_app.py: the portal's own Celery app plus two switches
(files) that make a build fail once or hang, so that failures can be provoked for real.

What is covered:
- a real PDF is built, downloaded by the secretariat (a member gets 404 for a draft build),
  and an unchanged second request reuses it;
- a transient error is retried by Celery (autoretry) and the report ends ready with exactly
  one PDF after two attempts;
- the process building a report is killed with SIGKILL mid-build: the worker requeues the
  message (acks_late + reject_on_worker_lost), a new process claims the row because the
  message comes back flagged as redelivered, and the report ends ready with one PDF and two
  attempts;
- the *whole* worker is killed mid-build (its message stays unacknowledged in Redis until
  the visibility timeout, 6 minutes by default): while it lived its lease was renewed and
  the sweep left it alone; once the lease runs out the periodic sweep sends the build again
  and a replacement worker finishes it with one PDF;
- the soft time limit stops a hanging build with the "took too long" error, and a retry
  then builds it.

Without a broker (CELERY_BROKER_URL unset) or without PostgreSQL the module is skipped
locally with the reason printed; under CI=true that is a failure.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import close_old_connections, connection, connections
from django.urls import reverse

from blocs.models import ChairTerm, current_year
from portal.celery import app
from reports import services
from reports.models import NumberSequence, Report
from tests.factories import (
    BlocFactory,
    ChairTermFactory,
    MembershipFactory,
    OfficialFactory,
    OrganizationFactory,
)

from .helpers import broker_unreachable, make_draft

BASE_DIR = Path(__file__).resolve().parent.parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
YEAR = current_year()
# The workers started here renew their lease every second, so that a dead worker is noticed
# in seconds (45 s with the defaults: tests/reports/test_faults.py checks those add up).
WORKER_LEASE = 3

pytestmark = pytest.mark.worker


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    print(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url:
        _skip_or_fail("CELERY_BROKER_URL is not set: no broker, so no real worker")
    return url


def _database_url() -> str:
    """The test database (pytest-django's `test_` name) as a URL for the worker."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        _skip_or_fail("the worker needs a shared database: set DATABASE_URL to PostgreSQL")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _purge_reports_queue() -> None:
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("reports")


class Worker:
    def __init__(self, switches: Path, media: Path, log: Path, **env: str):
        self.switches, self.media, self.log_path = switches, media, log
        self.nodename = f"reports-{os.getpid()}-{time.monotonic_ns()}@{socket.gethostname()}"
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(media),
            "REPORT_TEST_DIR": str(switches),
            "CONN_MAX_AGE": "0",
            "REPORT_LEASE_SECONDS": str(WORKER_LEASE),
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        self.log = self.log_path.open("a")
        command = [sys.executable, "-m", "celery", "-A", "tests.reports.worker_app", "worker"]
        command += ["--pool", "prefork", "--concurrency", "1", "-Q", "reports"]
        command += ["-n", self.nodename, "-l", "info"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[self.nodename], timeout=1.0):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the report worker did not start:\n{self.output()}")
            time.sleep(0.5)
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def shared(broker_url, tmp_path_factory, django_db_setup):
    root = tmp_path_factory.mktemp("report-worker")
    (root / "switches").mkdir()
    (root / "media").mkdir()
    return root


@pytest.fixture(scope="module")
def worker(shared, django_db_setup):
    _purge_reports_queue()
    running = Worker(shared / "switches", shared / "media", shared / "worker.log").start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _media(settings, shared):
    settings.MEDIA_ROOT = shared / "media"
    for switch in (shared / "switches").iterdir():
        switch.unlink()


@pytest.fixture
def world(transactional_db):
    # Its head is the drafts' default signer: no document is built without one.
    chair = OrganizationFactory(
        name="Hội Liên hiệp Phụ nữ thành phố", abbreviation="HLHPN", head_name="Vũ Thị Bích Liên"
    )
    member = OrganizationFactory(name="Liên đoàn Lao động thành phố", abbreviation="LĐLĐ")
    bloc = BlocFactory(name="Khối thi đua các tổ chức chính trị - xã hội", locality="Hải Phòng")
    for org in (chair, member):
        MembershipFactory(bloc=bloc, organization=org, first_year=YEAR - 2)
    ChairTermFactory(bloc=bloc, year=YEAR, chair=chair, deputy=member)
    draft = make_draft(bloc, YEAR, situation="Khối có 2 đơn vị thành viên.")
    reader = OfficialFactory(organization=member, user__username="hoivien").user
    return draft, reader


def wait_for(report: Report, statuses, worker: Worker, timeout: float = 90) -> Report:
    deadline = time.monotonic() + timeout
    while True:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        if time.monotonic() > deadline:
            state = f"report {report.pk} is {report.status}, not {statuses}"
            pytest.fail(f"{state}:\n{worker.output()}")
        time.sleep(0.3)


def pdfs_of(report: Report, media: Path) -> list[Path]:
    return sorted((media / "reports" / str(report.draft.bloc_id)).rglob("*.pdf"))


def wait_until_building(report: Report, worker: Worker) -> int:
    """Wait until a blocked build has started; the pid of the process building it."""
    started = worker.switches / "started"
    deadline = time.monotonic() + 60
    while not started.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"the build never started:\n{worker.output()}")
        time.sleep(0.2)
    assert wait_for(report, {"running"}, worker).attempts == 1
    return int(started.read_text())


def test_a_real_worker_builds_a_real_pdf_the_secretariat_downloads(worker, world, client, settings):
    draft, reader = world
    assert app.conf.task_always_eager is False, "a broker is set: tasks must not run inline"
    report = services.report_request(draft=draft)
    report = wait_for(report, {"ready", "failed"}, worker)
    assert report.status == "ready", report.error
    pdf = Path(report.pdf.path)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert report.page_count >= 1 and report.size == pdf.stat().st_size
    assert report.attempts == 1
    assert pdfs_of(report, settings.MEDIA_ROOT) == [pdf]

    # A draft build is the secretariat's: a member reads issued documents only.
    url = reverse("reports:report_download", args=[report.pk])
    client.force_login(reader)
    assert client.get(url).status_code == 404
    chair = ChairTerm.objects.get(bloc=draft.bloc, year=draft.year).chair
    client.force_login(OfficialFactory(organization=chair).user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    # The same inputs again: the same report, at once, and nothing queued.
    assert services.report_request(draft=draft) == report
    assert Report.objects.filter(draft=draft).count() == 1


def test_a_lost_message_is_sent_again_by_the_periodic_task(worker, world, settings):
    # A request whose message never reached the broker (as after a Redis restart without
    # persistence): the row is queued, nothing is in Redis. The periodic task (run here
    # through the worker, as celery beat would) sends it again and the worker builds it.
    from reports.tasks import requeue_lost_reports

    draft, _reader = world
    settings.REPORT_REQUEUE_AFTER = 0
    report = Report.objects.create(draft=draft, status=Report.Status.QUEUED)
    # The worker runs with the default REPORT_REQUEUE_AFTER; the test's settings only
    # apply here, so the sweep itself is called in this process.
    assert requeue_lost_reports.run() == [report.pk]
    report = wait_for(report, {"ready", "failed"}, worker)
    assert report.status == "ready", report.error
    assert report.attempts == 1
    assert pdfs_of(report, settings.MEDIA_ROOT) == [Path(report.pdf.path)]


def test_a_build_pressed_while_the_broker_is_down_is_built_once_it_is_back(
    worker, world, settings, django_capture_on_commit_callbacks
):
    # Redis is away when the secretariat presses "Build": the row is saved as queued and the
    # request answers at once. Once Redis is back the periodic sweep sends it and the worker
    # builds it.
    from reports.tasks import requeue_lost_reports

    draft, _reader = world
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(draft=draft)
    report.refresh_from_db()
    assert report.status == "queued"
    time.sleep(2)
    report.refresh_from_db()
    assert report.status == "queued" and report.attempts == 0  # nothing reached the worker
    settings.REPORT_REQUEUE_AFTER = 0
    assert requeue_lost_reports.run() == [report.pk]
    report = wait_for(report, {"ready", "failed"}, worker)
    assert report.status == "ready", report.error
    assert report.attempts == 1
    assert pdfs_of(report, settings.MEDIA_ROOT) == [Path(report.pdf.path)]


def test_a_transient_error_is_retried_by_the_worker(worker, world, settings):
    draft, _reader = world
    (worker.switches / "fail-once").touch()
    report = wait_for(services.report_request(draft=draft), {"ready", "failed"}, worker)
    assert report.status == "ready", report.error
    assert report.attempts == 2
    assert not (worker.switches / "fail-once").exists()
    assert pdfs_of(report, settings.MEDIA_ROOT) == [Path(report.pdf.path)]


def test_a_build_whose_process_is_killed_is_redelivered_and_ends_with_one_pdf(
    worker, world, settings
):
    draft, _reader = world
    (worker.switches / "block").touch()
    report = services.report_request(draft=draft)
    building = wait_until_building(report, worker)
    os.kill(building, signal.SIGKILL)  # the OOM killer strikes mid-build
    (worker.switches / "block").unlink()
    report = wait_for(report, {"ready", "failed"}, worker)
    assert report.status == "ready", report.error
    assert report.attempts == 2
    assert pdfs_of(report, settings.MEDIA_ROOT) == [Path(report.pdf.path)]


def test_a_whole_worker_killed_mid_build_loses_its_lease_and_the_sweep_finishes_the_report(
    worker, world, shared, settings
):
    # The machine of the worker goes down: worker and building process die at once, so
    # nobody requeues the message (Redis keeps it unacknowledged until its visibility
    # timeout, 6 minutes by default) and the row stays "running". The build held a lease it
    # renewed while alive (reports/lease.py): while it lives the sweep leaves it alone, and
    # once the lease runs out the sweep sends the build again and a new worker finishes it.
    # The workers of this module run with a lease of WORKER_LEASE seconds instead of 45.
    from reports.tasks import requeue_lost_reports

    settings.REPORT_LEASE_SECONDS = WORKER_LEASE
    draft, _reader = world
    (worker.switches / "block").touch()
    report = services.report_request(draft=draft)
    building = wait_until_building(report, worker)
    # Alive for more than two leases: renewed, never taken over.
    deadline = time.monotonic() + 2.5 * WORKER_LEASE
    while time.monotonic() < deadline:
        assert requeue_lost_reports.run() == []
        time.sleep(0.5)
    report.refresh_from_db()
    assert report.heartbeat_at > report.started_at + timedelta(seconds=WORKER_LEASE)
    for pid in (building, worker.process.pid):
        os.kill(pid, signal.SIGKILL)
    worker.process.wait()
    crashed = time.monotonic()
    (worker.switches / "block").unlink()

    while requeue_lost_reports.run() != [report.pk]:
        assert time.monotonic() - crashed < 3 * WORKER_LEASE, "the lease never ran out"
        time.sleep(0.25)
    noticed = time.monotonic() - crashed
    print(f"crashed build sent again {noticed:.1f} s after the crash (lease {WORKER_LEASE} s)")
    assert noticed <= WORKER_LEASE + 1
    replacement = Worker(shared / "switches", shared / "media", shared / "new-worker.log")
    replacement.start()
    try:
        report = wait_for(report, {"ready", "failed"}, replacement)
    finally:
        replacement.stop()
    assert report.status == "ready", report.error
    assert report.attempts == 2
    assert pdfs_of(report, settings.MEDIA_ROOT) == [Path(report.pdf.path)]


def test_a_hanging_build_stops_at_the_soft_time_limit_and_can_be_retried(
    broker_url, shared, world, settings, monkeypatch
):
    draft, _reader = world
    # Celery puts the sender's time limits into the message, so this process sets them too.
    from reports.tasks import build_report

    monkeypatch.setattr(build_report, "soft_time_limit", 3)
    monkeypatch.setattr(build_report, "time_limit", 20)
    monkeypatch.setattr(build_report, "_exec_options", None)
    _purge_reports_queue()
    slow = Worker(
        shared / "switches",
        shared / "media",
        shared / "slow-worker.log",
        CELERY_TASK_SOFT_TIME_LIMIT="3",
        CELERY_TASK_TIME_LIMIT="20",
    ).start()
    try:
        (slow.switches / "block").touch()
        report = wait_for(services.report_request(draft=draft), {"ready", "failed"}, slow)
        assert report.status == "failed"
        assert report.error == services._text(services.BUILD_TOO_SLOW, seconds=3)
        (slow.switches / "block").unlink()
        # The retry is a real first build in that worker (WeasyPrint, fonts, charts loaded on
        # first use: seconds on a busy machine), so its message carries a generous limit.
        monkeypatch.setattr(build_report, "soft_time_limit", 15)
        monkeypatch.setattr(build_report, "_exec_options", None)
        services.report_retry(report=report)
        report = wait_for(report, {"ready", "failed"}, slow)
        assert report.status == "ready", report.error
        assert pdfs_of(report, settings.MEDIA_ROOT) == [Path(report.pdf.path)]
    finally:
        slow.stop()


def test_concurrent_number_allocation_never_gives_one_number_twice(transactional_db):
    _database_url()  # PostgreSQL only: SQLite serializes everything anyway
    issuer = OrganizationFactory(abbreviation="HLHPN")
    numbers: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def allocate() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                with services.transaction.atomic():
                    numbers.append(services.allocate_number(issuer=issuer, year=YEAR))
                    time.sleep(0.01)  # hold the row lock a little
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            close_old_connections()
            connections.close_all()

    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 41))
    assert NumberSequence.objects.get(issuer=issuer, year=YEAR).last == 40
