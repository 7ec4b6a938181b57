"""The deadline scan and the daily digest: what they make, that a second run adds nothing,
and that their query count does not grow with the number of pledges or people."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blocs.models import current_year
from notifications.kinds import Kind, Mode
from notifications.models import EmailDelivery, Notification
from notifications.services import deadlines_scan, digests_prepare
from pledges.models import Registration, ScoreSheet
from pledges.services import check_reminder_days
from tests.factories import (
    BlocFactory,
    MembershipFactory,
    OfficialFactory,
    OrganizationFactory,
    PledgeFactory,
)

TODAY = datetime.date(current_year(), 6, 10)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _scan_kinds(user, on=TODAY):
    deadlines_scan(today=on)
    return sorted(
        (n.kind, n.params["days"])
        for n in Notification.objects.filter(recipient=user).order_by("pk")
    )


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (8, []),
        (7, [(Kind.DEADLINE_SOON, 7)]),
        (5, [(Kind.DEADLINE_SOON, 5)]),  # the 7-day reminder, late (a missed beat)
        (3, [(Kind.DEADLINE_SOON, 3)]),
        (1, [(Kind.DEADLINE_TOMORROW, 1)]),
        (0, []),
        (-1, [(Kind.DEADLINE_PASSED, -1)]),
        (-2, []),
    ],
)
def test_registration_reminders_follow_the_days(world, left, expected):
    PledgeFactory(
        bloc=world.bloc, year=current_year(), status="open", registration_deadline=_days(left)
    )
    assert _scan_kinds(world.users["member"]) == expected


def test_a_deadline_tomorrow_is_emailed_at_once_the_others_wait_for_the_digest(world):
    PledgeFactory(
        bloc=world.bloc,
        year=current_year(),
        status="scoring",
        registration_deadline=_days(1),
        scoring_deadline=_days(3),
    )
    deadlines_scan(today=TODAY)
    modes = dict(
        Notification.objects.filter(recipient=world.users["member"]).values_list("kind", "email")
    )
    assert modes == {Kind.DEADLINE_TOMORROW: Mode.IMMEDIATE, Kind.DEADLINE_SOON: Mode.DIGEST}


def test_the_days_are_the_pledges_own(world):
    PledgeFactory(
        bloc=world.bloc,
        year=current_year(),
        status="open",
        registration_deadline=_days(10),
        reminder_days="14,10",
    )
    assert _scan_kinds(world.users["member"]) == [(Kind.DEADLINE_SOON, 10)]


def test_no_reminder_days_no_reminders(world):
    PledgeFactory(
        bloc=world.bloc,
        year=current_year(),
        status="open",
        registration_deadline=_days(1),
        reminder_days="",
    )
    assert _scan_kinds(world.users["member"]) == []


def test_who_has_submitted_is_not_reminded(world):
    pledge = PledgeFactory(
        bloc=world.bloc,
        year=current_year(),
        status="scoring",
        registration_deadline=_days(3),
        scoring_deadline=_days(3),
    )
    member_org = world.orgs[2]
    Registration.objects.create(pledge=pledge, organization=member_org, submitted_at=timezone.now())
    ScoreSheet.objects.create(
        pledge=pledge, organization=member_org, round="self", status="submitted"
    )
    deadlines_scan(today=TODAY)
    assert not Notification.objects.filter(recipient=world.users["member"]).exists()
    # The other members (the chair's official among them) are reminded of both.
    secretary = world.users["secretariat"]
    assert Notification.objects.filter(recipient=secretary).count() == 2


def test_a_second_scan_the_same_day_adds_nothing(world):
    PledgeFactory(
        bloc=world.bloc, year=current_year(), status="open", registration_deadline=_days(3)
    )
    first = deadlines_scan(today=TODAY)
    count = Notification.objects.count()
    deadlines_scan(today=TODAY)
    assert first == count == Notification.objects.count() == 2  # member and secretariat


def test_a_draft_or_closed_pledge_reminds_nobody(world):
    PledgeFactory(
        bloc=world.bloc, year=current_year(), status="draft", registration_deadline=_days(1)
    )
    PledgeFactory(
        bloc=BlocFactory(), year=current_year(), status="closed", registration_deadline=_days(1)
    )
    assert deadlines_scan(today=TODAY) == 0


@pytest.mark.parametrize(
    ("value", "expected"), [("7,3,1", "7,3,1"), (" 1, 7 ,3,3", "7,3,1"), ("", "")]
)
def test_reminder_days_are_normalized(value, expected):
    assert check_reminder_days(value) == expected


@pytest.mark.parametrize("value", ["7;3", "0", "61", "-1", "ba"])
def test_bad_reminder_days_are_refused_in_vietnamese_words(value):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        check_reminder_days(value)
    assert caught.value.messages[0].startswith(f"“{value}”: hãy nhập số ngày")
    assert caught.value.code == "reminders"


# Query counts -------------------------------------------------------------------------


def _blocs_with_open_pledges(n: int) -> None:
    for _ in range(n):
        bloc = BlocFactory()
        for _ in range(3):
            org = OrganizationFactory()
            MembershipFactory(bloc=bloc, organization=org, first_year=current_year() - 1)
            OfficialFactory(organization=org)
        PledgeFactory(
            bloc=bloc,
            year=current_year(),
            status="scoring",
            registration_deadline=_days(3),
            scoring_deadline=_days(1),
        )


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def test_the_scan_costs_the_same_for_1_and_10_pledges(db):
    # 1 pledges, 2 memberships, 3 registrations, 4 self sheets, 5 officials,
    # 6 preferences, 7 the notices (one insert; SQLite splits an insert past 999
    # parameters, PostgreSQL never: the sizes here stay below it).
    _blocs_with_open_pledges(1)
    small = _queries(lambda: deadlines_scan(today=TODAY))
    Notification.objects.all().delete()
    _blocs_with_open_pledges(9)
    large = _queries(lambda: deadlines_scan(today=TODAY))
    assert Notification.objects.count() == 10 * 3 * 2
    assert small == large == 7


def test_the_digest_costs_the_same_for_3_and_30_people(db):
    def people_with_notices(n: int):
        for i in range(n):
            user = OfficialFactory().user
            for j in range(2):
                Notification.objects.create(
                    recipient=user, kind=Kind.PLEDGE_OPENED, event_key=f"e{i}-{j}"
                )

    people_with_notices(3)
    # 1 the people waiting, 2 the digests (one insert), 3 the notices linked (one update),
    # 4 the digests to send.
    small = _queries(digests_prepare)
    people_with_notices(27)
    later = timezone.now() + datetime.timedelta(days=1)
    large = _queries(lambda: digests_prepare(now=later))
    assert small == large == 4
    assert EmailDelivery.objects.count() == 3 + 27  # the first 3 had theirs yesterday


def test_one_digest_a_day_and_none_without_news(world):
    member = world.users["member"]
    assert digests_prepare() == []  # nothing waiting: no e-mail at all
    Notification.objects.create(recipient=member, kind=Kind.PLEDGE_OPENED, event_key="a")
    first = digests_prepare()
    Notification.objects.create(recipient=member, kind=Kind.PLEDGE_OPENED, event_key="b")
    again = digests_prepare()  # a second beat the same day, before sending: one digest still
    assert first == again and len(first) == 1
    digest = EmailDelivery.objects.get()
    assert digest.notifications.count() == 2


def test_what_came_after_todays_digest_was_sent_waits_for_tomorrows(world):
    member = world.users["member"]
    Notification.objects.create(recipient=member, kind=Kind.PLEDGE_OPENED, event_key="a")
    [today] = digests_prepare()
    EmailDelivery.objects.filter(pk=today).update(sent_at=timezone.now())
    late = Notification.objects.create(recipient=member, kind=Kind.PLEDGE_OPENED, event_key="b")
    assert digests_prepare() == []
    late.refresh_from_db()
    assert late.delivery is None
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert len(digests_prepare(now=tomorrow)) == 1


def test_immediate_and_off_notices_are_not_in_the_digest(world):
    member = world.users["member"]
    Notification.objects.create(
        recipient=member, kind=Kind.SHEET_RETURNED, event_key="a", email=Mode.IMMEDIATE
    )
    Notification.objects.create(
        recipient=member, kind=Kind.PLEDGE_OPENED, event_key="b", email=Mode.OFF
    )
    assert digests_prepare() == []


def test_beat_runs_the_scan_before_the_digest_every_morning(settings):
    from portal.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    scan = schedule["notifications-scan-deadlines"]
    digest = schedule["notifications-send-digests"]
    assert {scan["task"], digest["task"], schedule["notifications-send-pending"]["task"]} <= set(
        app.tasks
    )
    assert scan["schedule"].hour == digest["schedule"].hour == {settings.NOTIFICATIONS_DIGEST_HOUR}
    assert min(scan["schedule"].minute) < min(digest["schedule"].minute)


def test_the_bench_command_prints_times_and_query_counts(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench_notifications", organizations=40, officials=100, stdout=out)
    text = out.getvalue()
    assert "40 organizations, 100 officials" in text
    assert text.count("deadline scan:") == 2 and text.count("digest:") == 2
    assert not Notification.objects.exists()  # everything was rolled back


# --- The verification deadline: the secretariat who must verify -----------------------------


def _verifying(world, left: int, **fields):
    return PledgeFactory(
        bloc=world.bloc,
        year=current_year(),
        status="scoring",
        verification_deadline=_days(left),
        **fields,
    )


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (8, []),
        (7, [(Kind.DEADLINE_SOON, 7)]),
        (3, [(Kind.DEADLINE_SOON, 3)]),
        (1, [(Kind.DEADLINE_TOMORROW, 1)]),
        (0, []),
        (-1, [(Kind.DEADLINE_PASSED, -1)]),
        (-2, []),
    ],
)
def test_the_secretariat_is_reminded_of_the_verification_deadline(world, left, expected):
    from tests.factories import SecretaryAssignmentFactory

    pledge = _verifying(world, left)
    assigned = OfficialFactory(organization=world.outsider_org).user  # staff of the bloc
    SecretaryAssignmentFactory(bloc=world.bloc, user=assigned, first_year=current_year())
    assert _scan_kinds(world.users["secretariat"]) == expected
    assert _scan_kinds(assigned) == expected
    assert _scan_kinds(world.users["member"]) == []  # members do not verify
    if expected:
        notice = Notification.objects.filter(recipient=world.users["secretariat"]).get()
        assert notice.url == f"/pledges/{pledge.pk}/verify/"
        assert notice.text.startswith("Hạn thẩm định")


def test_no_verification_reminder_once_every_member_is_verified(world):
    pledge = _verifying(world, 3)
    for org in world.orgs:
        ScoreSheet.objects.create(
            pledge=pledge, organization=org, round="verified", status="submitted"
        )
    assert deadlines_scan(today=TODAY) == 0
    # one member still waiting is enough to remind
    ScoreSheet.objects.filter(pledge=pledge, organization=world.orgs[3]).update(status="draft")
    assert deadlines_scan(today=TODAY) == 1


def test_a_cross_scored_pledge_has_no_verification_reminder(world):
    _verifying(world, 3, scoring_method="cross_average")
    assert deadlines_scan(today=TODAY) == 0


def test_the_verification_scan_costs_the_same_for_1_and_10_pledges(db):
    from tests.factories import ChairTermFactory

    def blocs_verifying(n: int) -> None:
        for _ in range(n):
            bloc = BlocFactory()
            orgs = [OrganizationFactory() for _ in range(3)]
            for org in orgs:
                MembershipFactory(bloc=bloc, organization=org, first_year=current_year() - 1)
                OfficialFactory(organization=org)
            ChairTermFactory(bloc=bloc, year=current_year(), chair=orgs[0])
            PledgeFactory(
                bloc=bloc, year=current_year(), status="scoring", verification_deadline=_days(3)
            )

    blocs_verifying(1)
    small = _queries(lambda: deadlines_scan(today=TODAY))
    Notification.objects.all().delete()
    blocs_verifying(9)
    large = _queries(lambda: deadlines_scan(today=TODAY))
    assert Notification.objects.count() == 10  # the chair's one official in each bloc
    assert small == large == 9
