"""Membership and chair-term rules, and the audit trail they leave."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from blocs import selectors, services
from blocs.models import ChairTerm, Membership, current_year
from tests.factories import (
    BlocFactory,
    ChairTermFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bloc_of_four():
    bloc = BlocFactory()
    orgs = [OrganizationFactory() for _ in range(4)]
    for i, org in enumerate(orgs, start=1):
        MembershipFactory(bloc=bloc, organization=org, first_year=2019, rotation_order=i)
    return bloc, orgs


class TestMembership:
    def test_it_creates_and_records_who(self):
        bloc, org, actor = BlocFactory(), OrganizationFactory(), UserFactory()
        m = services.membership_create(bloc=bloc, organization=org, first_year=2020, actor=actor)
        assert m.history.get().history_user == actor

    @pytest.mark.parametrize(
        ("first", "last"),
        [(2018, 2019), (2018, None), (2022, 2025), (2021, 2021), (2020, None)],
    )
    def test_it_refuses_overlapping_periods(self, first, last):
        m = MembershipFactory(first_year=2019, last_year=2022)
        with pytest.raises(ValidationError) as exc:
            services.membership_create(
                bloc=m.bloc, organization=m.organization, first_year=first, last_year=last
            )
        assert exc.value.code == "overlap"
        assert Membership.objects.count() == 1

    def test_open_period_overlaps_everything_after(self):
        m = MembershipFactory(first_year=2019, last_year=None)
        with pytest.raises(ValidationError):
            services.membership_create(bloc=m.bloc, organization=m.organization, first_year=2030)

    def test_a_later_open_period_after_a_closed_one_is_allowed(self):
        m = MembershipFactory(first_year=2019, last_year=2022)
        services.membership_create(bloc=m.bloc, organization=m.organization, first_year=2024)
        assert Membership.objects.count() == 2

    def test_it_allows_adjacent_periods(self):
        m = MembershipFactory(first_year=2019, last_year=2020)
        again = services.membership_create(
            bloc=m.bloc, organization=m.organization, first_year=2021
        )
        assert again.covers(2021) and not m.covers(2021)

    def test_it_refuses_reversed_years(self):
        with pytest.raises(ValidationError) as exc:
            services.membership_create(
                bloc=BlocFactory(),
                organization=OrganizationFactory(),
                first_year=2022,
                last_year=2021,
            )
        assert "last_year" in exc.value.message_dict

    def test_end_keeps_old_value_in_history(self):
        m = MembershipFactory(first_year=2019)
        actor = UserFactory()
        services.membership_end(membership=m, last_year=2023, actor=actor)
        newest, older = m.history.all()[:2]
        delta = newest.diff_against(older)
        assert [(c.field, c.old, c.new) for c in delta.changes] == [("last_year", None, 2023)]
        assert newest.history_user == actor

    def test_update_cannot_stretch_into_another_period(self):
        bloc, org = BlocFactory(), OrganizationFactory()
        early = MembershipFactory(bloc=bloc, organization=org, first_year=2015, last_year=2017)
        MembershipFactory(bloc=bloc, organization=org, first_year=2019, last_year=None)
        with pytest.raises(ValidationError):
            services.membership_update(membership=early, first_year=2015, last_year=2019)
        early.refresh_from_db()
        assert early.last_year == 2017

    def test_database_holds_one_open_membership(self):
        m = MembershipFactory(last_year=None)
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(bloc=m.bloc, organization=m.organization, first_year=2030)

    def test_active_in(self):
        bloc = BlocFactory()
        gone = MembershipFactory(bloc=bloc, first_year=2015, last_year=2019)
        stays = MembershipFactory(bloc=bloc, first_year=2018)
        later = MembershipFactory(bloc=bloc, first_year=2021)
        assert set(Membership.objects.active_in(2019)) == {gone, stays}
        assert set(Membership.objects.active_in(2021)) == {stays, later}


class TestChairTerm:
    def test_it_creates(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        term = services.chair_term_create(bloc=bloc, year=2021, chair=orgs[1], deputy=orgs[2])
        assert (term.chair, term.deputy) == (orgs[1], orgs[2])

    def test_it_refuses_a_second_term_for_a_year(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        ChairTermFactory(bloc=bloc, year=2021, chair=orgs[0])
        with pytest.raises(ValidationError) as exc:
            services.chair_term_create(bloc=bloc, year=2021, chair=orgs[1], deputy=None)
        assert exc.value.code == "term_exists"
        assert ChairTerm.objects.get(bloc=bloc, year=2021).chair == orgs[0]

    def test_it_refuses_same_chair_and_deputy(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        with pytest.raises(ValidationError) as exc:
            services.chair_term_create(bloc=bloc, year=2021, chair=orgs[0], deputy=orgs[0])
        assert "deputy" in exc.value.message_dict
        assert not ChairTerm.objects.exists()

    def test_it_refuses_a_non_member(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        stranger = OrganizationFactory()
        with pytest.raises(ValidationError) as exc:
            services.chair_term_create(bloc=bloc, year=2021, chair=orgs[0], deputy=stranger)
        assert "deputy" in exc.value.message_dict
        assert str(stranger) in exc.value.message_dict["deputy"][0]

    def test_it_refuses_a_member_of_another_year(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        Membership.objects.filter(organization=orgs[3]).update(last_year=2020)
        with pytest.raises(ValidationError) as exc:
            services.chair_term_create(bloc=bloc, year=2021, chair=orgs[3], deputy=None)
        assert "chair" in exc.value.message_dict

    def test_database_refuses_chair_equal_deputy(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        with pytest.raises(IntegrityError), transaction.atomic():
            ChairTerm.objects.create(bloc=bloc, year=2021, chair=orgs[0], deputy=orgs[0])

    def test_update_records_old_and_new(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        term = ChairTermFactory(bloc=bloc, year=2021, chair=orgs[0], deputy=orgs[1])
        services.chair_term_update(
            term=term,
            chair=orgs[2],
            deputy=orgs[1],
            method=ChairTerm.Method.ELECTION,
            actor=UserFactory(),
        )
        newest, older = term.history.all()[:2]
        changed = {c.field: (c.old, c.new) for c in newest.diff_against(older).changes}
        assert changed["chair"] == (orgs[0].pk, orgs[2].pk)
        assert changed["method"] == ("rotation", "election")


class TestRotation:
    def test_deputy_becomes_chair_and_next_in_order_deputy(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        ChairTermFactory(bloc=bloc, year=2020, chair=orgs[0], deputy=orgs[1])
        proposal = selectors.rotation_proposal(bloc=bloc, year=2021)
        assert (proposal.chair, proposal.deputy) == (orgs[1], orgs[2])

    def test_without_deputy_next_after_chair(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        ChairTermFactory(bloc=bloc, year=2020, chair=orgs[2], deputy=None)
        proposal = selectors.rotation_proposal(bloc=bloc, year=2021)
        assert (proposal.chair, proposal.deputy) == (orgs[3], orgs[0])

    def test_order_wraps_around(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        ChairTermFactory(bloc=bloc, year=2020, chair=orgs[2], deputy=orgs[3])
        proposal = selectors.rotation_proposal(bloc=bloc, year=2021)
        assert (proposal.chair, proposal.deputy) == (orgs[3], orgs[0])

    def test_deputy_who_left_is_skipped(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        ChairTermFactory(bloc=bloc, year=2020, chair=orgs[0], deputy=orgs[1])
        Membership.objects.filter(organization=orgs[1]).update(last_year=2020)
        proposal = selectors.rotation_proposal(bloc=bloc, year=2021)
        assert (proposal.chair, proposal.deputy) == (orgs[2], orgs[3])

    def test_first_term_starts_at_head_of_order(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        proposal = selectors.rotation_proposal(bloc=bloc, year=2021)
        assert (proposal.chair, proposal.deputy) == (orgs[0], orgs[1])

    def test_gap_year_continues_from_latest_chair(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        ChairTermFactory(bloc=bloc, year=2018, chair=orgs[0], deputy=orgs[3])
        proposal = selectors.rotation_proposal(bloc=bloc, year=2021)
        assert (proposal.chair, proposal.deputy) == (orgs[1], orgs[2])

    def test_rotate_defaults_to_next_calendar_year(self, bloc_of_four):
        bloc, orgs = bloc_of_four
        term = services.chair_rotate(bloc=bloc, chair=orgs[0], deputy=orgs[1])
        assert term.year == current_year() + 1
        assert term.method == ChairTerm.Method.ROTATION

    def test_rotate_refuses_a_bloc_without_members(self):
        bloc = BlocFactory()
        with pytest.raises(ValidationError) as exc:
            services.chair_rotate(bloc=bloc, chair=OrganizationFactory(), deputy=None)
        assert exc.value.code == "no_members"
