"""Who is told what, when the services announce their events; and never twice."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from blocs import services as bloc_services
from blocs.models import Meeting, current_year
from notifications.kinds import Kind, Mode
from notifications.models import Notification, Preference
from notifications.services import NewNotice, deliver
from pledges import services as pledge_services
from portal.lib import events
from tests.blocs.records import complete_record
from tests.factories import CriterionFactory, OfficialFactory, PledgeFactory, PledgeItemFactory


def _kinds_of(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_sheet_sent_back_tells_the_members_officials_with_the_reason(world, scoring):
    pledge, sheet = scoring
    colleague = OfficialFactory(organization=world.orgs[2]).user
    secretary = world.users["secretariat"]

    pledge_services.sheet_return(sheet=sheet, reason="Bổ sung minh chứng A1", actor=secretary)

    notices = Notification.objects.filter(kind=Kind.SHEET_RETURNED)
    assert sorted(n.recipient_id for n in notices) == sorted(
        [world.users["member"].pk, colleague.pk]
    )
    notice = notices.get(recipient=world.users["member"])
    assert notice.detail == "Bổ sung minh chứng A1"
    assert notice.url == reverse("pledges:self_score", args=[pledge.pk])
    assert notice.email == Mode.IMMEDIATE  # the default for what cannot wait
    assert "Liên đoàn Lao động thành phố" in notice.text
    assert _kinds_of(secretary) == []  # who sent it back is not told


def test_a_refused_sending_back_tells_nobody(world, scoring):
    _pledge, sheet = scoring
    with pytest.raises(Exception):  # noqa: B017 (the service's own refusal)
        pledge_services.sheet_return(sheet=sheet, reason="  ", actor=world.users["secretariat"])
    assert not Notification.objects.exists()


def test_a_listener_that_fails_does_not_undo_the_action(world, scoring):
    _pledge, sheet = scoring

    def broken(**payload):
        raise RuntimeError("bug in a listener")

    events.listen("pledges.sheet_returned", broken)
    try:
        pledge_services.sheet_return(sheet=sheet, reason="Sửa", actor=world.users["secretariat"])
    finally:
        events._listeners["pledges.sheet_returned"].remove(broken)
    sheet.refresh_from_db()
    assert sheet.status == "draft"
    assert Notification.objects.filter(kind=Kind.SHEET_RETURNED).count() == 1


def test_the_same_event_reaches_a_person_once(world):
    member = world.users["member"]
    notice = NewNotice(member.pk, Kind.PLEDGE_OPENED, "pledge-opened:1", "/", {"pledge": "P"})
    assert deliver([notice]) == 1
    deliver([notice])  # a retried task, a second beat, a restart
    assert Notification.objects.filter(recipient=member).count() == 1


def test_the_database_refuses_a_second_notice_of_one_event(world):
    member = world.users["member"]
    Notification.objects.create(recipient=member, kind=Kind.PLEDGE_OPENED, event_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=member, kind=Kind.PLEDGE_OPENED, event_key="k")


def test_opening_the_pledge_for_signing_tells_every_member(world):
    pledge = PledgeFactory(bloc=world.bloc, year=current_year())
    PledgeItemFactory(pledge=pledge)
    CriterionFactory(pledge=pledge, code="A", max_points=10)
    secretary = world.users["secretariat"]

    pledge_services.pledge_set_status(pledge=pledge, status="open", actor=secretary)

    told = set(
        Notification.objects.filter(kind=Kind.PLEDGE_OPENED).values_list("recipient", flat=True)
    )
    assert told == {world.users["member"].pk}  # the outsider is not; the actor is not
    assert pledge.title in Notification.objects.get().text


def test_a_preference_chooses_the_email_of_a_kind(world, scoring):
    _pledge, sheet = scoring
    member = world.users["member"]
    Preference.objects.create(user=member, kind=Kind.SHEET_RETURNED, mode=Mode.DIGEST)
    pledge_services.sheet_return(sheet=sheet, reason="Sửa", actor=world.users["secretariat"])
    assert Notification.objects.get(recipient=member).email == Mode.DIGEST


def _meeting(world, **fields):
    starts = timezone.localtime().replace(microsecond=0) + datetime.timedelta(days=10)
    values = {
        "year": current_year(),
        "kind": Meeting.Kind.OTHER,
        "title": "Hội nghị giao ban",
        "starts_at": starts,
        "ends_at": None,
        "place": "Hội trường UBND thành phố",
        "host": None,
    }
    return bloc_services.meeting_create(
        bloc=world.bloc, actor=world.users["secretariat"], **{**values, **fields}
    )


def test_a_meeting_scheduled_then_moved_is_two_notices_and_its_sequence_grows(world):
    meeting = _meeting(world)
    member = world.users["member"]
    assert _kinds_of(member) == [Kind.MEETING_SCHEDULED]
    assert meeting.sequence == 0

    later = meeting.starts_at + datetime.timedelta(days=1)
    meeting = bloc_services.meeting_update(
        meeting=meeting, starts_at=later, actor=world.users["secretariat"]
    )
    assert meeting.sequence == 1
    assert sorted(_kinds_of(member)) == sorted([Kind.MEETING_SCHEDULED, Kind.MEETING_CHANGED])
    changed = Notification.objects.get(recipient=member, kind=Kind.MEETING_CHANGED)
    assert changed.params["meeting_id"] == meeting.pk
    assert timezone.localtime(later).strftime("%d/%m/%Y") in changed.text


def test_saving_only_the_minutes_is_no_change_of_the_invitation(world):
    meeting = _meeting(world)
    meeting = bloc_services.meeting_update(
        meeting=meeting, minutes="Biên bản", actor=world.users["secretariat"]
    )
    assert meeting.sequence == 0
    assert not Notification.objects.filter(kind=Kind.MEETING_CHANGED).exists()


@pytest.mark.parametrize("status", ["ready", "failed"])
def test_a_finished_build_tells_whoever_asked(world, status):
    from notifications.listeners import report_build_over
    from tests.reports.helpers import make_draft, make_report

    report = make_report(make_draft(world.bloc, current_year()))
    report.requested_by = world.users["secretariat"]
    report.status = status
    report.error = "WeasyPrint: hết bộ nhớ" if status == "failed" else ""
    report.save()

    report_build_over(report_id=report.pk)
    report_build_over(report_id=report.pk)  # after_return runs after every attempt

    notice = Notification.objects.get(recipient=world.users["secretariat"])
    assert notice.kind == (Kind.REPORT_READY if status == "ready" else Kind.REPORT_FAILED)
    assert notice.detail == report.error


def test_a_build_still_running_tells_nobody(world):
    from notifications.listeners import report_build_over
    from tests.reports.helpers import make_draft, make_report

    report = make_report(make_draft(world.bloc, current_year()))
    report.requested_by = world.users["secretariat"]
    report.status = "running"
    report.save()
    report_build_over(report_id=report.pk)
    assert not Notification.objects.exists()


def test_the_build_task_announces_its_end(world):
    # The hook in reports/tasks.py: after every run, "reports.build_over" is emitted.
    from reports.tasks import build_report

    heard = []

    def hear(**payload):
        heard.append(payload)

    events.listen("reports.build_over", hear)
    try:
        build_report.apply(args=(987654,))  # no such report: the task ends at once
    finally:
        events._listeners["reports.build_over"].remove(hear)
    assert heard == [{"report_id": 987654}]


def test_minutes_held_and_approved_tell_the_members(world):
    secretary = world.users["secretariat"]
    meeting = Meeting.objects.create(
        bloc=world.bloc,
        year=current_year(),
        kind=Meeting.Kind.OTHER,
        title="Hội nghị tổng kết",
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        place="Hải Phòng",
    )
    meeting = bloc_services.meeting_mark_held(meeting=meeting, actor=secretary)
    meeting = complete_record(meeting)  # approval needs the presiding person, secretary, end
    bloc_services.meeting_approve(meeting=meeting, actor=secretary)
    assert sorted(_kinds_of(world.users["member"])) == sorted(
        [Kind.MEETING_HELD, Kind.MINUTES_APPROVED]
    )
    assert _kinds_of(world.users["outsider"]) == []


def test_the_elected_chair_is_told_what_to_prepare(world):
    meeting = Meeting.objects.create(
        bloc=world.bloc,
        year=current_year(),
        kind=Meeting.Kind.YEAR_END,
        title="Hội nghị tổng kết",
        starts_at=timezone.now(),
        place="Hải Phòng",
    )
    elected = world.orgs[2]  # the member's organization
    bloc_services.meeting_elect_chair(
        meeting=meeting, chair=elected, deputy=world.orgs[3], actor=world.users["secretariat"]
    )
    notice = Notification.objects.get(recipient=world.users["member"])
    assert notice.kind == Kind.CHAIR_ELECTED
    assert str(current_year() + 1) in notice.text
    assert not Notification.objects.filter(recipient=world.users["secretariat"]).exists()
