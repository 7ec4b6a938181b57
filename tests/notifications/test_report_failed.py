"""A failed build tells the one who asked for it once, however the failure was recorded:
by the task, or by a claim that gives up on a build whose worker kept dying (the sweep's
re-sent message or a redelivery reaching a report out of attempts)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from blocs.models import current_year
from notifications.kinds import Kind
from notifications.listeners import report_build_over
from notifications.models import Notification
from reports import services
from reports.models import Report
from tests.reports.helpers import make_draft, make_report


def _running_out_of_attempts(world, settings) -> Report:
    settings.REPORT_MAX_ATTEMPTS = 2
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    return make_report(
        make_draft(world.bloc, current_year()),
        status=Report.Status.RUNNING,
        attempts=2,
        requested_by=world.users["secretariat"],
        requested_at=long_ago,
        started_at=long_ago,
        heartbeat_at=long_ago,  # its lease expired long ago: the worker is dead
    )


def test_a_claim_that_gives_up_tells_the_requester_once(world, settings):
    report = _running_out_of_attempts(world, settings)

    assert services.report_claim(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    [notice] = Notification.objects.filter(recipient=world.users["secretariat"])
    assert notice.kind == Kind.REPORT_FAILED
    assert notice.detail == report.error and "2" in report.error
    assert notice.url == report.draft.get_absolute_url()

    # the task's own end-of-run announcement, and a second claim, add nothing
    report_build_over(report_id=report.pk)
    assert services.report_claim(report_id=report.pk) is None
    assert Notification.objects.filter(kind=Kind.REPORT_FAILED).count() == 1


def test_a_retried_build_that_fails_again_is_told_again(world, settings):
    report = _running_out_of_attempts(world, settings)
    services.report_claim(report_id=report.pk)
    report.refresh_from_db()
    services.report_retry(report=report, actor=None)
    assert services.report_mark_failed(report_id=report.pk, error="WeasyPrint: hết bộ nhớ")
    notices = Notification.objects.filter(kind=Kind.REPORT_FAILED).order_by("pk")
    assert [n.detail for n in notices][1:] == ["WeasyPrint: hết bộ nhớ"]
    assert notices.count() == 2


def test_a_failure_of_a_report_nobody_asked_for_tells_nobody(world, settings):
    report = _running_out_of_attempts(world, settings)
    Report.objects.filter(pk=report.pk).update(requested_by=None)
    services.report_claim(report_id=report.pk)
    assert not Notification.objects.exists()
