"""The pledges list pages run a fixed number of queries whatever the data: the years of a
bloc, the ballots, the proposals and the bonus and penalty lines of a year (the results,
verification and scoring grids and the registrations are counted in their own modules)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from blocs.models import Membership
from pledges.models import Adjustment, CommendationQuota, Pledge, Proposal
from tests.blocs.test_views import _assert_constant
from tests.factories import (
    EmulationTitleFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeFactory,
)

from .test_results_views import _ballot


@pytest.fixture
def scoring(pledge) -> Pledge:
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.SCORING)
    pledge.refresh_from_db()
    return pledge


def _new_members(pledge, n: int) -> list:
    orgs = [OrganizationFactory() for _ in range(n)]
    for org in orgs:
        MembershipFactory(bloc=pledge.bloc, organization=org, first_year=pledge.year)
    return orgs


@pytest.mark.parametrize("role", ["member", "secretariat"])
def test_the_years_of_a_bloc(world, pledge, client_for, role, django_assert_num_queries):
    def grow():
        for year in range(pledge.year - 9, pledge.year - 1):
            PledgeFactory(bloc=world.bloc, year=year, status="closed")

    PledgeFactory(bloc=world.bloc, year=pledge.year - 1, status="closed")
    # a draft is the secretariat's until it is opened for signing: open it, members list it
    Pledge.objects.filter(pk=pledge.pk).update(status="open")
    # members read the years they were members of: make them members of all ten
    Membership.objects.filter(bloc=world.bloc).update(first_year=pledge.year - 10)
    url = reverse("pledges:pledge_list", args=[world.bloc.pk])
    client = client_for(role)
    _assert_constant(client, url, grow, django_assert_num_queries)
    assert len(client.get(url).context["pledges"]) == 10


def test_ballots(world, scoring, client_for, django_assert_num_queries):
    _ballot(scoring, world.orgs[:2], votes=[3, 1])

    def grow():
        new = _new_members(scoring, 6)
        for i in range(5):
            _ballot(scoring, new[i : i + 2], votes=[4, 2])

    url = reverse("pledges:ballots", args=[scoring.pk])
    _assert_constant(client_for("secretariat"), url, grow, django_assert_num_queries)


def test_proposals(world, scoring, client_for, django_assert_num_queries):
    title = EmulationTitleFactory()
    CommendationQuota.objects.create(pledge=scoring, title=title, max_percent=50, base="members")
    Proposal.objects.create(pledge=scoring, organization=world.orgs[0], title=title)

    def grow():
        for org in _new_members(scoring, 6):
            other = EmulationTitleFactory()
            CommendationQuota.objects.create(pledge=scoring, title=other, max_count=3)
            Proposal.objects.create(pledge=scoring, organization=org, title=other)
        _ballot(scoring, world.orgs[:2], votes=[3, 1])

    url = reverse("pledges:proposals", args=[scoring.pk])
    _assert_constant(client_for("secretariat"), url, grow, django_assert_num_queries)


def test_bonus_and_penalty_lines(world, scoring, client_for, django_assert_num_queries):
    def line(org, kind):
        Adjustment.objects.create(
            pledge=scoring, organization=org, kind=kind, points=Decimal("0.5"), reason="Lý do"
        )

    line(world.orgs[0], "bonus")

    def grow():
        for org in _new_members(scoring, 6):
            line(org, "bonus")
            line(org, "penalty")

    url = reverse("pledges:adjustments", args=[scoring.pk])
    _assert_constant(client_for("secretariat"), url, grow, django_assert_num_queries)
