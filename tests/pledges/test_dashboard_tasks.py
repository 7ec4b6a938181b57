"""The dashboard's to-do list for the year's pledges (pledges.selectors.pledge_tasks)."""

import datetime as dt

import pytest
from django.urls import reverse

from blocs.models import current_year
from pledges import services
from pledges.models import Pledge, ScoreSheet
from tests.blocs.test_views import _assert_constant
from tests.factories import (
    BlocFactory,
    ChairTermFactory,
    CriterionFactory,
    MembershipFactory,
    PledgeFactory,
    PledgeItemFactory,
)

YEAR = current_year()


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def tasks_of(client) -> list[tuple[str, str]]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [(t.kind, t.pledge.bloc.name) for t in response.context["tasks"]]


def _open(pledge):
    return services.pledge_set_status(pledge=pledge, status=Pledge.Status.OPEN)


def test_a_member_is_asked_to_sign_and_register_until_it_has(pledge, world, client_for):
    client = client_for("member")
    assert tasks_of(client) == []  # a draft asks nothing of anyone
    pledge = _open(pledge)
    bloc = world.bloc.name
    assert tasks_of(client) == [("sign", bloc), ("register", bloc)]
    page = client.get(reverse("home")).content.decode()
    assert reverse("pledges:pledge_sign", args=[pledge.pk]) in page

    services.pledge_sign(
        pledge=pledge,
        organization=world.orgs[2],
        signer_name="Nguyễn Văn A",
        signer_position="Chủ tịch",
    )
    services.registration_save(
        pledge=pledge, organization=world.orgs[2], titles=[], targets=[], submit=True
    )
    assert tasks_of(client) == []


def test_registration_is_not_asked_after_its_deadline(pledge, world, client_for):
    # A deadline that has passed (written straight to the row: the service refuses a date
    # before the emulation year, and today may be the 1st of January).
    Pledge.objects.filter(pk=pledge.pk).update(registration_deadline=dt.date(YEAR - 1, 12, 31))
    pledge.refresh_from_db()
    _open(pledge)
    assert tasks_of(client_for("member")) == [("sign", world.bloc.name)]


def test_scoring_asks_members_to_self_score_and_the_secretariat_to_verify(
    pledge, world, client_for
):
    pledge = _open(pledge)
    for status in (Pledge.Status.SIGNED, Pledge.Status.SCORING):
        pledge = services.pledge_set_status(pledge=pledge, status=status)
    services.registration_save(
        pledge=pledge, organization=world.orgs[2], titles=[], targets=[], submit=True
    )
    assert tasks_of(client_for("member")) == [("self_score", world.bloc.name)]

    sheet = services.sheet_for(
        pledge=pledge, organization=world.orgs[2], round=ScoreSheet.Round.SELF
    )
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED)
    assert tasks_of(client_for("member")) == []


def test_a_cross_scoring_year_asks_to_self_score_and_to_score_each_other_member(
    pledge, world, client_for
):
    pledge = _open(pledge)
    services.pledge_update_rules(pledge=pledge, scoring_method=Pledge.ScoringMethod.CROSS_AVERAGE)
    for status in (Pledge.Status.SIGNED, Pledge.Status.SCORING):
        pledge = services.pledge_set_status(pledge=pledge, status=status)
    services.registration_save(
        pledge=pledge, organization=world.orgs[2], titles=[], targets=[], submit=True
    )
    bloc = world.bloc.name
    assert tasks_of(client_for("member")) == [("self_score", bloc), ("cross_score", bloc)]
    own = services.sheet_for(pledge=pledge, organization=world.orgs[2], round="self")
    ScoreSheet.objects.filter(pk=own.pk).update(status=ScoreSheet.Status.SUBMITTED)
    others = [org for org in world.orgs if org != world.orgs[2]]
    for i, org in enumerate(others):
        sheet = services.sheet_for(
            pledge=pledge, organization=org, round="cross", scorer=world.orgs[2]
        )
        ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED)
        # Asked until the last of the 3 other members is scored and submitted.
        expected = [] if i == len(others) - 1 else [("cross_score", bloc)]
        assert tasks_of(client_for("member")) == expected


def test_the_secretariat_is_asked_to_verify(pledge, world, client_for):
    pledge = _open(pledge)
    for status in (Pledge.Status.SIGNED, Pledge.Status.SCORING):
        pledge = services.pledge_set_status(pledge=pledge, status=status)
    kinds = [kind for kind, _bloc in tasks_of(client_for("secretariat"))]
    assert "verify" in kinds


def test_an_outsider_gets_no_task_of_another_bloc(pledge, client_for):
    _open(pledge)
    assert tasks_of(client_for("outsider")) == []


def test_the_dashboard_runs_the_same_queries_with_many_open_pledges(
    world, client_for, django_assert_num_queries
):
    org = world.orgs[2]

    def add_blocs(n):
        for _ in range(n):
            bloc = BlocFactory()
            MembershipFactory(bloc=bloc, organization=org, first_year=YEAR - 1)
            other = MembershipFactory(bloc=bloc, first_year=YEAR - 1)
            ChairTermFactory(bloc=bloc, year=YEAR, chair=other.organization)
            pledge = PledgeFactory(bloc=bloc, year=YEAR)
            PledgeItemFactory(pledge=pledge)
            CriterionFactory(pledge=pledge)
            _open(pledge)

    client = client_for("member")
    add_blocs(2)
    count = _assert_constant(
        client, reverse("home"), lambda: add_blocs(10), django_assert_num_queries
    )
    assert len(client.get(reverse("home")).context["tasks"]) == 24  # sign and register × 12
    # the plain dashboard's (test_dashboard_query_count_is_constant, without next year's
    # checklist), then: memberships of the year, signatures, registrations, self sheets
    assert count == 13  # ...and the council seats, for the council card


def test_the_dashboard_runs_the_same_queries_with_many_cross_scoring_years(
    world, client_for, django_assert_num_queries
):
    org = world.orgs[2]

    def add_blocs(n):
        for _ in range(n):
            bloc = BlocFactory()
            MembershipFactory(bloc=bloc, organization=org, first_year=YEAR - 1)
            for _ in range(2):
                MembershipFactory(bloc=bloc, first_year=YEAR - 1)
            pledge = PledgeFactory(
                bloc=bloc, year=YEAR, status="scoring", scoring_method="cross_average"
            )
            services.sheet_for(pledge=pledge, organization=org, round="self")

    client = client_for("member")
    add_blocs(2)
    count = _assert_constant(
        client, reverse("home"), lambda: add_blocs(10), django_assert_num_queries
    )
    kinds = [task.kind for task in client.get(reverse("home")).context["tasks"]]
    assert kinds.count("self_score") == kinds.count("cross_score") == 12
    assert count == 15  # the 13 above, then members per bloc and my cross sheets


# A sheet sent back, and the incoming chair (issue 12) ---------------------------------------


def _scoring(pledge):
    pledge = _open(pledge)
    for status in (Pledge.Status.SIGNED, Pledge.Status.SCORING):
        pledge = services.pledge_set_status(pledge=pledge, status=status)
    return pledge


def test_a_member_whose_sheet_was_sent_back_is_told_why_with_a_link(pledge, world, client_for):
    pledge = _scoring(pledge)
    services.registration_save(
        pledge=pledge, organization=world.orgs[2], titles=[], targets=[], submit=True
    )
    sheet = services.sheet_for(pledge=pledge, organization=world.orgs[2], round="self")
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED)
    assert tasks_of(client_for("member")) == []
    services.sheet_return(
        sheet=sheet, reason="Thiếu minh chứng tiêu chí A1.", actor=world.users["secretariat"]
    )
    client = client_for("member")
    assert tasks_of(client) == [("returned", world.bloc.name)]
    page = client.get(reverse("home")).content.decode()
    assert "Thiếu minh chứng tiêu chí A1." in page
    assert "sent your" in page and "back on" in page
    assert reverse("pledges:self_score", args=[pledge.pk]) in page
    # Submitted again: nothing is asked any more.
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=ScoreSheet.Status.SUBMITTED)
    assert tasks_of(client) == []


def _steps(client) -> dict[str, bool]:
    [preparation] = client.get(reverse("home")).context["preparations"]
    return {step.key: step.done for step in preparation.steps}


def test_the_incoming_chair_sees_what_to_prepare_for_next_year(world, client, client_for):
    from blocs.models import Meeting
    from tests.factories import OfficialFactory, SecretaryAssignmentFactory

    term = ChairTermFactory(bloc=world.bloc, year=YEAR + 1, chair=world.orgs[2], deputy=None)
    member = client_for("member")  # an official of orgs[2]: next year's chair
    assert _steps(member) == dict.fromkeys(
        ["deputy", "secretariat", "pledge", "criteria", "launch"], False
    )
    page = member.get(reverse("home")).content.decode()
    assert reverse("pledges:pledge_create", args=[world.bloc.pk]) + f"?year={YEAR + 1}" in page
    assert "prepare the year" in page and "5 steps left." in page

    term.deputy = world.orgs[3]
    term.save()
    SecretaryAssignmentFactory(bloc=world.bloc, user=world.users["member"], first_year=YEAR + 1)
    next_pledge = PledgeFactory(bloc=world.bloc, year=YEAR + 1)
    assert _steps(member) == {
        "deputy": True,
        "secretariat": True,
        "pledge": True,
        "criteria": False,
        "launch": False,
    }
    CriterionFactory(pledge=next_pledge)
    Meeting.objects.create(
        bloc=world.bloc,
        year=YEAR + 1,
        kind=Meeting.Kind.LAUNCH,
        title="Hội nghị phát động",
        starts_at=dt.datetime(YEAR + 1, 1, 15, 8, tzinfo=dt.UTC),
        place="Hải Phòng",
    )
    assert all(_steps(member).values())
    assert "0 steps left." in member.get(reverse("home")).content.decode()

    # This year's chair and the other members have nothing to prepare for next year.
    for role in ("secretariat", "outsider"):
        assert client_for(role).get(reverse("home")).context["preparations"] == []
    other = OfficialFactory(organization=world.orgs[3]).user
    client.force_login(other)
    assert client.get(reverse("home")).context["preparations"] == []


def test_the_dashboard_runs_the_same_queries_for_an_incoming_chair_of_many_blocs(
    world, client_for, django_assert_num_queries
):
    org = world.orgs[2]

    def add_blocs(n):
        for _ in range(n):
            bloc = BlocFactory()
            MembershipFactory(bloc=bloc, organization=org, first_year=YEAR - 1)
            ChairTermFactory(bloc=bloc, year=YEAR + 1, chair=org)
            pledge = PledgeFactory(bloc=bloc, year=YEAR + 1)
            CriterionFactory(pledge=pledge)

    client = client_for("member")
    add_blocs(2)
    count = _assert_constant(
        client, reverse("home"), lambda: add_blocs(10), django_assert_num_queries
    )
    assert len(client.get(reverse("home")).context["preparations"]) == 12
    # the plain dashboard's (with the council seats), then next year's pledges, launches,
    # assignments
    assert count == 12


def test_the_dashboard_runs_the_same_queries_with_many_sent_back_sheets(
    world, client_for, django_assert_num_queries
):
    from django.utils import timezone

    org = world.orgs[2]

    def add_blocs(n):
        for _ in range(n):
            bloc = BlocFactory()
            MembershipFactory(bloc=bloc, organization=org, first_year=YEAR - 1)
            pledge = PledgeFactory(bloc=bloc, year=YEAR, status="scoring")
            sheet = services.sheet_for(pledge=pledge, organization=org, round="self")
            ScoreSheet.objects.filter(pk=sheet.pk).update(
                returned_at=timezone.now(), return_reason="Bổ sung minh chứng."
            )

    client = client_for("member")
    add_blocs(2)
    count = _assert_constant(
        client, reverse("home"), lambda: add_blocs(10), django_assert_num_queries
    )
    kinds = [task.kind for task in client.get(reverse("home")).context["tasks"]]
    assert kinds.count("returned") == 12
    assert count == 13  # with the council seats
