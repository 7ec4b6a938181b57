"""Faults a secretariat must never feel: the broker away when "Build" is pressed, a worker
that dies mid-build (the lease), and files left behind by a database outage (orphans).

The broker here is really unreachable: the Celery app is pointed at a loopback port nothing
listens on, so sending fails exactly as it does when Redis is down. The database outage is
real too (PostgreSQL only): the test's own connection is terminated by the server between
writing a PDF and recording it.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from blocs.models import current_year
from reports import lease, rendering, services
from reports.models import Report

from .helpers import PDF_BYTES, broker_unreachable, make_draft, make_report

YEAR = current_year()
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def draft(world):
    return make_draft(world.bloc, YEAR, situation="Khối có 4 đơn vị thành viên.")


@pytest.fixture
def broker_down():
    with broker_unreachable():
        yield


def test_save_and_build_with_the_broker_down_answers_with_the_saved_queued_state(
    client_for, draft, broker_down, django_capture_on_commit_callbacks, caplog
):
    url = reverse("reports:draft_edit", args=[draft.pk])
    client = client_for("secretariat")
    data = {field: getattr(draft, field) for field in ("parent_body", "issuer_title", "place")} | {
        "issuer": draft.issuer_id,
        "style": draft.style_id,
        "issue_date": "",
        "signer_name": "Vũ Thị Bích Liên",
        "signer_position": draft.signer_position,
        "sign_mode": draft.sign_mode,
        "situation": "Khối có 4 đơn vị thành viên (đã sửa).",
        "action": "build",
    }
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="reports.services"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(url, data)
    elapsed = time.monotonic() - started
    print(f"save and build with the broker down answered in {elapsed:.2f} s")
    assert response.status_code == 302 and response.url == f"{url}#build"
    assert len(callbacks) == 1
    draft.refresh_from_db()
    assert draft.situation == "Khối có 4 đơn vị thành viên (đã sửa)."  # the edit is kept
    report = draft.reports.get()
    assert report.status == Report.Status.QUEUED  # saved; the sweep sends it later
    assert any("broker is unreachable" in r.getMessage() for r in caplog.records)
    # Not a reconnect loop inside the request (it was 20 s of retries, then a 500).
    assert elapsed < 10
    page = client.get(url).content.decode()
    assert "queued" in page.lower()


def test_the_sweep_tries_every_lost_build_even_when_a_send_fails(
    draft, broker_down, settings, django_capture_on_commit_callbacks, caplog
):
    settings.REPORT_REQUEUE_AFTER = 0
    lost = [Report.objects.create(draft=draft, status=Report.Status.QUEUED) for _ in range(3)]
    with (
        caplog.at_level(logging.WARNING, logger="reports.services"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        ids = services.reports_requeue_lost(now=timezone.now() + timedelta(seconds=1))
    assert sorted(ids) == sorted(r.pk for r in lost)
    assert len(callbacks) == 3
    unsent = [r.getMessage() for r in caplog.records if "not sent" in r.getMessage()]
    assert len(unsent) == 3  # each was tried on its own; none dropped by another's failure
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.QUEUED}


# The lease ------------------------------------------------------------------------------------


def test_a_live_build_keeps_its_row_and_a_dead_one_loses_it_after_the_lease(draft):
    report = Report.objects.create(draft=draft, status=Report.Status.QUEUED)
    claimed = services.report_claim(report_id=report.pk)
    assert claimed.heartbeat_at is not None
    within = timezone.now() + lease.lease() - timedelta(seconds=1)
    assert services.report_claim(report_id=report.pk, now=within) is None
    assert services.reports_requeue_lost(now=within) == []
    # A renewal (the build's thread) moves the lease on from the moment it is made.
    time.sleep(1.1)
    assert lease.renew(report.pk, claimed.attempts)
    renewed = Report.objects.get(pk=report.pk).heartbeat_at
    assert renewed > claimed.heartbeat_at
    assert services.reports_requeue_lost(now=renewed + lease.lease() - timedelta(seconds=1)) == []
    # No renewal for a whole lease: the worker is gone, the sweep sends it, a run takes over.
    later = timezone.now() + lease.lease() + timedelta(seconds=1)
    assert services.reports_requeue_lost(now=later) == [report.pk]
    assert services.is_stuck(Report.objects.get(pk=report.pk), now=later)
    taken = services.report_claim(report_id=report.pk, now=later)
    assert taken.attempts == 2
    # The first run's renewals stop: the row is no longer its own.
    assert not lease.renew(report.pk, claimed.attempts)


def test_the_lease_thread_renews_while_the_build_runs(transactional_db, world, settings):
    if connection.vendor == "sqlite":
        # An in-memory SQLite database is not shared with the lease's thread.
        if IN_CI:
            pytest.fail("CI=true: this test needs PostgreSQL (DATABASE_URL)")
        pytest.skip("needs PostgreSQL (DATABASE_URL): the lease thread has its own connection")
    settings.REPORT_LEASE_SECONDS = 3  # renewed every second
    draft = make_draft(world.bloc, YEAR)
    report = Report.objects.create(draft=draft, status=Report.Status.QUEUED)
    claimed = services.report_claim(report_id=report.pk)
    first = claimed.heartbeat_at
    with lease.kept(claimed):
        time.sleep(2.5)
    beat = Report.objects.get(pk=report.pk).heartbeat_at
    assert beat > first + timedelta(seconds=1)


def test_defaults_send_a_crashed_build_again_within_ninety_seconds(settings):
    # Worst case: the last renewal came just before the crash, the lease runs out, and the
    # next sweep comes a whole period later.
    worst = settings.REPORT_LEASE_SECONDS + settings.REPORT_SWEEP_SECONDS
    assert worst <= 90
    schedule = settings.CELERY_BEAT_SCHEDULE["requeue-lost-reports"]["schedule"]
    assert schedule == settings.REPORT_SWEEP_SECONDS
    # A live build renews three times per lease, so one slow renewal never loses its row.
    assert lease.lease().total_seconds() / 3 < settings.REPORT_LEASE_SECONDS


# Orphans ----------------------------------------------------------------------------------------


def _age(name: str, seconds: int) -> None:
    path = default_storage.path(name)
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_the_sweep_deletes_old_files_no_row_points_at_and_keeps_the_rest(draft, settings):
    settings.REPORT_ORPHAN_AGE = 3600
    kept = make_report(draft)
    orphan = default_storage.save(
        f"reports/{draft.bloc_id}/{YEAR}/year_end-lost.pdf", ContentFile(PDF_BYTES)
    )
    young = default_storage.save(
        f"reports/{draft.bloc_id}/{YEAR}/year_end-new.pdf", ContentFile(PDF_BYTES)
    )
    for name in (orphan, kept.pdf.name, kept.xlsx.name):
        _age(name, 7200)
    assert services.reports_sweep_orphans() == [orphan]
    assert not default_storage.exists(orphan)
    assert default_storage.exists(young)  # may be a build about to record it
    assert default_storage.exists(kept.pdf.name) and default_storage.exists(kept.xlsx.name)


def test_a_database_outage_while_recording_a_pdf_leaves_no_file(
    transactional_db, world, settings, monkeypatch
):
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI=true: this test needs PostgreSQL (DATABASE_URL)")
        pytest.skip("needs PostgreSQL (DATABASE_URL): the outage is a terminated connection")
    monkeypatch.setattr(
        rendering, "html_to_pdf", lambda html: rendering.RenderedPdf(pdf=PDF_BYTES, page_count=1)
    )
    draft = make_draft(world.bloc, YEAR)
    report = Report.objects.create(draft=draft, status=Report.Status.QUEUED)
    claimed = services.report_claim(report_id=report.pk)
    built = services.render(claimed)
    assert built.docx  # its file too must go with the outage
    # The server ends this connection (as a database restart does) before the row is written.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    from django.db import connections

    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    with pytest.raises(DatabaseError):
        services.report_mark_ready(
            report=claimed,
            pdf=built.pdf,
            page_count=built.page_count,
            digest="0" * 64,
            xlsx=built.xlsx,
            docx=built.docx,
        )
    connection.close()  # Django reconnects on the next query
    root = settings.MEDIA_ROOT / "reports"
    assert not [p for p in root.rglob("*") if p.is_file()]
    assert Report.objects.get(pk=report.pk).status == Report.Status.RUNNING  # the retry's job
