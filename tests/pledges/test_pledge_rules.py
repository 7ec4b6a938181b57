"""pledges.rules: who reads a pledge, who manages it, and who reads which score sheet."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blocs.models import current_year
from pledges import rules as pledge_rules
from pledges.models import PledgeSignature, Registration, ScoreSheet
from pledges.rules import PledgeAccess
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
def test_who_reads_and_who_manages_a_pledge(pledge, world, role, member, secretariat):
    found = PledgeAccess(_user(world, role), pledge)
    assert found.can_read is member
    assert found.secretariat is secretariat
    assert found.can_manage is secretariat


def test_service_checks_refuse_whom_the_policy_refuses(pledge, world):
    member, secretariat = world.users["member"], world.users["secretariat"]
    with pytest.raises(PermissionDenied):
        pledge_rules.check_manages(member, pledge)
    pledge_rules.check_manages(secretariat, pledge)
    pledge_rules.check_manages(None, pledge)  # the system itself: a command, the demo
    pledge_rules.check_acts_for(member, pledge, world.orgs[2])
    with pytest.raises(PermissionDenied):
        pledge_rules.check_acts_for(member, pledge, world.orgs[3])
    pledge_rules.check_acts_for(secretariat, pledge, world.orgs[3])


def test_the_secretariat_is_that_of_the_pledge_s_year(world):
    # next year another member chairs: this year's chair does not manage next year's pledge
    ChairTermFactory(bloc=world.bloc, year=YEAR + 1, chair=world.orgs[1], deputy=world.orgs[2])
    next_year = PledgeFactory(bloc=world.bloc, year=YEAR + 1)
    assert not PledgeAccess(world.users["secretariat"], next_year).secretariat
    next_chair = OfficialFactory(organization=world.orgs[1]).user
    assert PledgeAccess(next_chair, next_year).secretariat
    # an assigned secretary manages the years of the assignment, and no other
    secretary = UserFactory(username="thu-ky")
    SecretaryAssignmentFactory(bloc=world.bloc, user=secretary, first_year=YEAR, last_year=YEAR)
    assert not PledgeAccess(secretary, next_year).secretariat
    assert PledgeAccess(secretary, PledgeFactory(bloc=world.bloc, year=YEAR)).secretariat
    SecretaryAssignmentFactory(bloc=world.bloc, user=secretary, first_year=YEAR + 1)
    assert PledgeAccess(secretary, next_year).secretariat


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
    assert user.has_perm("pledges.read_sheet", sheet) is expected
    assert user.has_perm("pledges.read_sheet", sheet) is expected


def test_a_member_cannot_read_another_member_s_draft_until_it_is_submitted(pledge, world):
    sheet = _sheet(pledge, world, "other_self_draft")
    member = world.users["member"]
    assert not member.has_perm("pledges.read_sheet", sheet)
    sheet.status = SUBMITTED
    sheet.save()
    assert member.has_perm("pledges.read_sheet", sheet)


def test_no_sheet_means_no_access(pledge, world):
    assert not pledge_rules.reads_sheet(world.users["secretariat"], None)
    assert not PledgeAccess(world.users["admin"], pledge).may_read_sheet(None)


# Questions of the pledge pages ------------------------------------------------------------


def test_who_withdraws_a_signature(pledge, world):
    pledge.status = "open"

    def signature(org):
        return PledgeSignature(
            pledge=pledge,
            organization=org,
            signer_name="Nguyễn Văn A",
            signer_position="Chủ tịch",
            signed_at=timezone.now(),
        )

    own, other = signature(world.orgs[2]), signature(world.orgs[3])
    member = PledgeAccess(world.users["member"], pledge)
    assert member.may_withdraw(own)
    assert not member.may_withdraw(other)
    assert not member.may_withdraw(None)
    assert PledgeAccess(world.users["secretariat"], pledge).may_withdraw(other)
    pledge.status = "signed"  # signing is over: nobody withdraws
    assert not PledgeAccess(world.users["secretariat"], pledge).may_withdraw(other)
    assert not PledgeAccess(world.users["member"], pledge).may_withdraw(own)


def test_who_reads_opens_and_writes_a_registration(pledge, world):
    own, other = world.orgs[2], world.orgs[3]
    draft = Registration(pledge=pledge, organization=other)
    submitted = Registration(pledge=pledge, organization=other, submitted_at=timezone.now())
    member = PledgeAccess(world.users["member"], pledge)
    secretariat = PledgeAccess(world.users["secretariat"], pledge)

    assert member.may_read_registration(own, None)
    assert not member.may_read_registration(other, draft)
    assert member.may_read_registration(other, submitted)
    assert secretariat.may_read_registration(other, draft)

    assert not member.may_open_registration(other, None)
    assert not member.may_open_registration(other, draft)
    assert member.may_open_registration(other, submitted)
    assert secretariat.may_open_registration(other, None)

    assert member.may_write_registration(own, late=False)
    assert not member.may_write_registration(own, late=True)
    assert not member.may_write_registration(other, late=False)
    assert secretariat.may_write_registration(other, late=False)
    assert not secretariat.may_write_registration(other, late=True)
    pledge.status = "closed"
    assert not PledgeAccess(world.users["secretariat"], pledge).may_write_registration(
        other, late=False
    )


def test_who_signs_now(pledge, world):
    own, other = world.orgs[2], world.orgs[3]
    member = PledgeAccess(world.users["member"], pledge)
    assert not member.may_sign(own)  # a draft is not signed yet
    pledge.status = "open"
    assert member.may_sign(own)
    assert not member.may_sign(other)
    assert not member.may_sign(None)
    assert PledgeAccess(world.users["secretariat"], pledge).may_sign(other)
    pledge.status = "signed"
    assert not PledgeAccess(world.users["secretariat"], pledge).may_sign(other)


# ---------------------------------------------------------------------------
# Results side: who writes which sheet, changes evidence, cross-scores
# ---------------------------------------------------------------------------

# Who writes which sheet (the state of the year aside).
WRITERS = {
    "own_self_draft": {"member", "secretariat", "admin"},
    "other_self_draft": {"secretariat", "admin"},
    "own_verified_draft": {"secretariat", "admin"},
    "cross_by_me_draft": {"member", "secretariat", "admin"},
    "cross_by_other_draft": {"secretariat", "admin"},
}


@pytest.mark.parametrize("name", WRITERS)
@pytest.mark.parametrize("role", ROLES)
def test_who_writes_which_sheet(pledge, world, name, role):
    sheet = _sheet(pledge, world, name)
    found = PledgeAccess(_user(world, role), pledge)
    assert found.may_write_sheet(sheet) is (role in WRITERS[name])
    evidence = role in WRITERS[name] and sheet.round == SELF
    assert found.may_change_evidence(sheet) is evidence


@pytest.mark.parametrize(
    ("role", "self_score", "own_as_secretariat", "other_as_secretariat", "cross_overview"),
    [
        ("anonymous", False, False, False, False),
        ("outsider", False, False, False, False),
        ("member", True, False, False, True),
        ("secretariat", True, False, True, True),
        ("admin", True, True, True, True),
    ],
)
def test_results_side_questions(
    pledge, world, role, self_score, own_as_secretariat, other_as_secretariat, cross_overview
):
    found = PledgeAccess(_user(world, role), pledge)
    assert found.may_self_score() is self_score
    # The chair's own sheet (orgs[0]) is its own officials' sheet, not the secretariat's.
    assert found.edits_as_secretariat(world.orgs[0]) is own_as_secretariat
    assert found.edits_as_secretariat(world.orgs[3]) is other_as_secretariat
    assert found.may_open_cross_scoring() is cross_overview


def test_who_cross_scores_whom(pledge, world):
    member = PledgeAccess(world.users["member"], pledge)
    assert not member.may_cross_score(world.orgs[3])  # not a cross-scored year
    pledge.scoring_method = "cross_average"
    assert pledge.is_cross_scored
    assert member.may_cross_score(world.orgs[3])
    assert not member.may_cross_score(world.orgs[2])  # not itself
    assert not member.may_cross_score(None)
    assert not PledgeAccess(world.users["admin"], pledge).may_cross_score(world.orgs[3])


@pytest.mark.parametrize(
    ("role", "status", "records", "document"),
    [
        ("member", "open", False, False),
        ("secretariat", "draft", False, False),
        ("secretariat", "open", True, True),
        ("secretariat", "signed", False, True),
        ("admin", "open", True, True),
    ],
)
def test_who_records_signatures_and_opens_the_pledge_document(
    world, role, status, records, document
):
    pledge = PledgeFactory(bloc=world.bloc, year=YEAR, status=status)
    found = PledgeAccess(_user(world, role), pledge)
    assert found.may_record_signatures is records
    assert found.may_open_document is document


@pytest.mark.parametrize(
    ("role", "method", "shown"),
    [
        ("member", "self_verified", False),
        ("member", "cross_average", True),
        ("secretariat", "self_verified", True),
        ("admin", "self_verified", True),
    ],
)
def test_who_sees_the_verification_tab(world, role, method, shown):
    pledge = PledgeFactory(bloc=world.bloc, year=YEAR, scoring_method=method)
    assert PledgeAccess(_user(world, role), pledge).shows_verification is shown
