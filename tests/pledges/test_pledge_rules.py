"""pledges.rules: who reads a pledge, who manages it, and who reads which score sheet."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blocs.models import current_year
from pledges import rules as pledge_rules
from pledges.models import ScoreSheet
from tests.factories import (
    ChairTermFactory,
    OfficialFactory,
    PledgeFactory,
    SecretaryAssignmentFactory,
    UserFactory,
)

YEAR = current_year()
ROLES = ("anonymous", "outsider", "member", "secretariat", "admin")


def _user(world, role):
    return world.users[role] or AnonymousUser()


@pytest.mark.parametrize(
    ("role", "member", "secretariat"),
    [
        ("anonymous", False, False),
        ("outsider", False, False),
        ("member", True, False),
        ("secretariat", True, True),
        ("admin", True, True),
    ],
)
def test_member_and_secretariat_predicates_and_perms(pledge, world, role, member, secretariat):
    user = _user(world, role)
    assert pledge_rules.is_pledge_member(user, pledge) is member
    assert pledge_rules.is_pledge_secretariat(user, pledge) is secretariat
    assert user.has_perm("pledges.read_pledge", pledge) is member
    assert user.has_perm("pledges.manage_pledge", pledge) is secretariat


def test_no_pledge_means_no_access(world):
    user = world.users["member"]
    assert not pledge_rules.is_pledge_member(user, None)
    assert not pledge_rules.is_pledge_secretariat(user, None)


def test_the_secretariat_is_that_of_the_pledge_s_year(world):
    # next year another member chairs: this year's chair does not manage next year's pledge
    ChairTermFactory(bloc=world.bloc, year=YEAR + 1, chair=world.orgs[1], deputy=world.orgs[2])
    next_year = PledgeFactory(bloc=world.bloc, year=YEAR + 1)
    assert not pledge_rules.is_pledge_secretariat(world.users["secretariat"], next_year)
    next_chair = OfficialFactory(organization=world.orgs[1]).user
    assert pledge_rules.is_pledge_secretariat(next_chair, next_year)
    # an assigned secretary manages the years of the assignment, and no other
    secretary = UserFactory(username="thu-ky")
    SecretaryAssignmentFactory(bloc=world.bloc, user=secretary, first_year=YEAR, last_year=YEAR)
    assert not pledge_rules.is_pledge_secretariat(secretary, next_year)
    assert not secretary.has_perm("pledges.manage_pledge", next_year)
    SecretaryAssignmentFactory(bloc=world.bloc, user=secretary, first_year=YEAR + 1)
    assert pledge_rules.is_pledge_secretariat(secretary, next_year)
    assert secretary.has_perm("pledges.manage_pledge", next_year)


def test_official_org_is_the_member_organization_of_that_year(pledge, world):
    assert pledge_rules.official_org(world.users["member"], pledge) == world.orgs[2]
    assert pledge_rules.official_org(world.users["secretariat"], pledge) == world.orgs[0]
    assert pledge_rules.official_org(world.users["outsider"], pledge) is None
    assert pledge_rules.official_org(world.users["admin"], pledge) is None  # no official profile
    assert pledge_rules.official_org(AnonymousUser(), pledge) is None


def test_official_org_of_a_former_member_is_none(pledge, world):
    world.orgs[2].memberships.filter(bloc=world.bloc).update(last_year=YEAR - 1)
    assert pledge_rules.official_org(world.users["member"], pledge) is None


def test_official_org_is_cached_per_user(pledge, world):
    user = world.users["member"]
    pledge_rules.official_org(user, pledge)
    with CaptureQueriesContext(connection) as ctx:
        assert pledge_rules.official_org(user, pledge) == world.orgs[2]
    assert len(ctx.captured_queries) == 0


# ---------------------------------------------------------------------------
# Score sheets
# ---------------------------------------------------------------------------

DRAFT, SUBMITTED = ScoreSheet.Status.DRAFT, ScoreSheet.Status.SUBMITTED
SELF, VERIFIED, CROSS = ScoreSheet.Round.SELF, ScoreSheet.Round.VERIFIED, ScoreSheet.Round.CROSS

# sheet: (scored org index, round, scorer index or None, status)
SHEETS = {
    "own_self_draft": (2, SELF, None, DRAFT),
    "other_self_draft": (3, SELF, None, DRAFT),
    "other_self_submitted": (1, SELF, None, SUBMITTED),
    "own_verified_draft": (2, VERIFIED, None, DRAFT),
    "other_verified_draft": (3, VERIFIED, None, DRAFT),
    "other_verified_submitted": (1, VERIFIED, None, SUBMITTED),
    "cross_by_me_draft": (3, CROSS, 2, DRAFT),
    "cross_by_other_draft": (3, CROSS, 1, DRAFT),
    "cross_by_other_submitted": (1, CROSS, 3, SUBMITTED),
}

# Who reads which sheet; member = official of orgs[2], secretariat = official of the chair.
READERS = {
    "own_self_draft": {"member", "secretariat", "admin"},
    "other_self_draft": {"secretariat", "admin"},
    "other_self_submitted": {"member", "secretariat", "admin"},
    "own_verified_draft": {"member", "secretariat", "admin"},
    "other_verified_draft": {"secretariat", "admin"},
    "other_verified_submitted": {"member", "secretariat", "admin"},
    "cross_by_me_draft": {"member", "secretariat", "admin"},
    "cross_by_other_draft": {"secretariat", "admin"},
    "cross_by_other_submitted": {"member", "secretariat", "admin"},
}


def _sheet(pledge, world, name) -> ScoreSheet:
    org, round_, scorer, status = SHEETS[name]
    return ScoreSheet.objects.create(
        pledge=pledge,
        organization=world.orgs[org],
        round=round_,
        scorer=world.orgs[scorer] if scorer is not None else None,
        status=status,
    )


@pytest.mark.parametrize("name", SHEETS)
@pytest.mark.parametrize("role", ROLES)
def test_who_reads_which_sheet(pledge, world, name, role):
    sheet = _sheet(pledge, world, name)
    user = _user(world, role)
    expected = role in READERS[name]
    assert pledge_rules.can_read_sheet(user, sheet) is expected
    assert user.has_perm("pledges.read_sheet", sheet) is expected


def test_a_member_cannot_read_another_member_s_draft_until_it_is_submitted(pledge, world):
    sheet = _sheet(pledge, world, "other_self_draft")
    member = world.users["member"]
    assert not pledge_rules.can_read_sheet(member, sheet)
    sheet.status = SUBMITTED
    sheet.save()
    assert pledge_rules.can_read_sheet(member, sheet)


def test_no_sheet_means_no_access(world):
    assert not pledge_rules.can_read_sheet(world.users["admin"], None)
