"""Who may do what with a bloc's emulation year: the one place that answers it.

Built on the bloc's policy (`blocs.rules`) for the pledge's bloc and year:
- members (whoever may read the bloc) read the pledge, its results, ballots and proposals;
- the secretariat of the pledge's year manages it (contents, criteria, status, verification,
  ballots, proposals, bonus and penalty lines) while the year is not closed;
- a member official acts for its own organization (signs, registers, self-scores, scores the
  others when the year is cross-scored); the secretariat may act for any member;
- score sheets: the secretariat reads them all; an organization always reads the sheets about
  itself and the cross sheets it scores; the other members read only submitted sheets, so
  nobody sees another member's draft self-scores before they are submitted
  (`pledges.read_sheet`).

- the council of the body that organizes the bloc (`blocs.rules`, Role.COUNCIL) reads the
  year like a member and writes none of it; it decides on the proposals (accepts, returns
  with a reason, holds and lifts holds: `may_decide_for_council`); admins too. Nobody
  decides on a proposal for their own organization (`decides_own_proposal`): a body that
  organizes a bloc may also be one of its members, and its officials sit on the council.

A draft pledge is the secretariat's until it is opened for signing: members do not see it
(404, and it is left out of the lists: `visible_pledges`).

Views get a pledge through `get_pledge_or_404(request, pk, need=...)`, which returns it with
its `PledgeAccess`; templates read the same value. Services that write on behalf of a person
ask `check_acts_for` / `check_manages`, so that the admin, a command or a task cannot go
around the rule (`actor: Actor = None` is the system itself).
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from blocs.models import (
    ChairTerm,
    Official,
    Organization,
    SecretaryAssignment,
    official_of,
    read_spans,
)
from blocs.rules import Access, Role, access, is_official_of, sits_on_council
from portal.lib.types import Actor, Person

from .models import Pledge, PledgeQuerySet, PledgeSignature, Registration, ScoreSheet

PledgeNeed = Literal["read", "manage"]


def official_org(user: Person, pledge: Pledge) -> Organization | None:
    """The user's organization when it is a member of the pledge's bloc in the pledge's year.

    Cached on the user object per bloc and year, so a page asking for many sheets of one
    pledge costs one query.
    """
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_pledges_official_org", {})
    key = (pledge.bloc_id, pledge.year)
    if key not in cache:
        official = official_of(user)
        # A membership span of `read_spans` is the organization's (one official, one
        # organization a person): the request already holds them. Without an official (an
        # admin) there is nothing to ask, and no spans to read.
        member = official is not None and any(
            span.membership and span.bloc_id == pledge.bloc_id and span.covers(pledge.year)
            for span in read_spans(user)
        )
        cache[key] = official.organization if official is not None and member else None
    return cache[key]


class PledgeAccess:
    """What one person may do with one pledge; each question is asked once, when first read."""

    def __init__(self, user: Person, pledge: Pledge, *, readable: bool = False) -> None:
        self.user = user
        self.pledge = pledge
        self.bloc: Access = access(user, pledge.bloc, pledge.year, readable=readable)

    @property
    def role(self) -> Role:
        return self.bloc.role

    @property
    def can_read(self) -> bool:
        return self.bloc.can_read

    @property
    def secretariat(self) -> bool:
        """The pledge's year's secretariat (or an admin), closed year or not."""
        return self.bloc.can_write

    @property
    def can_open(self) -> bool:
        """Opens the pledge's pages: reads its year, and a draft only as its secretariat
        (the rule `visible_pledges` writes as a filter for lists)."""
        return self.can_read and (self.pledge.status != Pledge.Status.DRAFT or self.secretariat)

    @property
    def can_manage(self) -> bool:
        """The secretariat, while the year is not closed."""
        return self.secretariat and not self.pledge.is_closed

    @cached_property
    def org(self) -> Organization | None:
        """The member organization the user acts for in the pledge's year, if any."""
        return official_org(self.user, self.pledge)

    def is_own(self, organization: Organization | None) -> bool:
        return organization is not None and self.org is not None and self.org.pk == organization.pk

    def acts_for(self, organization: Organization | None) -> bool:
        """Signs, registers and self-scores for `organization`: its own officials and the
        secretariat."""
        return self.is_own(organization) or self.secretariat

    def may_read_sheet(self, sheet: ScoreSheet | None) -> bool:
        return sheet is not None and self.user.has_perm("pledges.read_sheet", sheet)

    def may_read_submission(self, organization: Organization, submitted: bool) -> bool:
        """Another member's registration or sheet: once submitted; its own and the
        secretariat always."""
        return submitted or self.acts_for(organization)

    # The pledge pages -------------------------------------------------------------------

    def may_withdraw(self, signature: PledgeSignature | None) -> bool:
        """Withdraw a signature while the pledge is open for signing: the secretariat any
        member's, an official its own organization's."""
        return (
            signature is not None
            and self.pledge.status == Pledge.Status.OPEN
            and self.acts_for_id(signature.organization_id)
        )

    def acts_for_id(self, organization_id: int | None) -> bool:
        """`acts_for` by the organization's id (rows that hold only the id)."""
        if self.secretariat:
            return True
        return (
            organization_id is not None and self.org is not None and self.org.pk == organization_id
        )

    def may_read_registration(
        self, organization: Organization, registration: Registration | None
    ) -> bool:
        """A member's registration: its own and the secretariat always, the others once
        submitted."""
        submitted = registration is not None and registration.submitted_at is not None
        return self.may_read_submission(organization, submitted)

    def may_open_registration(
        self, organization: Organization, registration: Registration | None
    ) -> bool:
        """Open it from the list: a registration the user may read, or any member's for the
        secretariat (to enter one on the member's behalf)."""
        if self.secretariat:
            return True
        return registration is not None and self.may_read_registration(organization, registration)

    def may_write_registration(self, organization: Organization, *, late: bool) -> bool:
        """Save or submit `organization`'s registration: for whom the user acts, while the
        year is not closed and the registration deadline has not passed."""
        return self.acts_for(organization) and not self.pledge.is_closed and not late

    def may_sign(self, organization: Organization | None) -> bool:
        """Sign for `organization` now: while the pledge is open for signing, for whom the
        user acts."""
        return (
            organization is not None
            and self.pledge.status == Pledge.Status.OPEN
            and self.acts_for(organization)
        )

    @property
    def may_record_signatures(self) -> bool:
        """Record the signatures members gave at the launch meeting: the secretariat, while
        the pledge is open for signing."""
        return self.secretariat and self.pledge.status == Pledge.Status.OPEN

    @property
    def may_open_document(self) -> bool:
        """Open the pledge document (PDF) for building: the secretariat, once the pledge is
        past its draft."""
        return self.secretariat and self.pledge.status != Pledge.Status.DRAFT

    # Results side ------------------------------------------------------------------------

    @property
    def shows_verification(self) -> bool:
        """The scoring tabs show "Verification" (the secretariat's grid) or, in a
        cross-scored year, "Cross-scoring" (every member's page)."""
        return self.secretariat or self.pledge.is_cross_scored

    # The score sheets, evidence, verification and the results pages ask these.

    def may_self_score(self) -> bool:
        """Opens the self-scoring pages at all: a member official or the secretariat."""
        return self.org is not None or self.secretariat

    def edits_as_secretariat(self, organization: Organization | None) -> bool:
        """Writes `organization`'s self sheet as the secretariat, not as one of its own
        officials: it may change the evidence after the sheet is submitted."""
        return self.secretariat and not self.is_own(organization)

    def may_cross_score(self, organization: Organization | None) -> bool:
        """Scores `organization` in a cross-scored year: another member's official."""
        return (
            self.pledge.is_cross_scored
            and self.org is not None
            and organization is not None
            and not self.is_own(organization)
        )

    def may_open_cross_scoring(self) -> bool:
        """The cross-scoring overview: the secretariat (every sheet) or a member official
        (its own sheets)."""
        return self.secretariat or self.org is not None

    def may_write_sheet(self, sheet: ScoreSheet) -> bool:
        """Writes the scores of `sheet` (the state of the year aside): a verification sheet
        is the secretariat's; a cross sheet its scoring member's; a self sheet its member's;
        the secretariat may act for any member."""
        if sheet.round == ScoreSheet.Round.VERIFIED:
            return self.secretariat
        if sheet.round == ScoreSheet.Round.CROSS:
            return self.acts_for(sheet.scorer)
        return self.acts_for(sheet.organization)

    def may_change_evidence(self, sheet: ScoreSheet) -> bool:
        """Adds or deletes evidence files of `sheet`: self sheets only, by whoever writes
        them."""
        return sheet.round == ScoreSheet.Round.SELF and self.acts_for(sheet.organization)


def secretariat_of_year(user: Person) -> Q:
    """A filter for pledges whose year's secretariat `user` is (as `blocs.rules.is_secretariat`
    answers it: an official of that year's chair, or assigned then; admins every pledge)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q(pk__isnull=False)  # every row (an empty Q() would vanish in an OR)
    org_ids = Official.objects.filter(user=user).values("organization_id")
    chaired = ChairTerm.objects.filter(
        bloc_id=OuterRef("bloc_id"), year=OuterRef("year"), chair_id__in=org_ids
    )
    assigned = SecretaryAssignment.objects.filter(
        bloc_id=OuterRef("bloc_id"), user=user, first_year__lte=OuterRef("year")
    ).filter(Q(last_year__isnull=True) | Q(last_year__gte=OuterRef("year")))
    return Q(Exists(chaired)) | Q(Exists(assigned))


def visible_pledges(user: Person) -> PledgeQuerySet:
    """The pledges `user` may open: those of the years the user reads, except that a draft
    stays with its year's secretariat until it is opened for signing (members learn of it
    then, with the notice; before, it is still being written and may change entirely)."""
    drafts_readable = ~Q(status=Pledge.Status.DRAFT) | secretariat_of_year(user)
    return Pledge.objects.visible_to(user).filter(drafts_readable)


def get_pledge_or_404(
    request: HttpRequest, pk: int, *, need: PledgeNeed = "read"
) -> tuple[Pledge, PledgeAccess]:
    """The pledge and the user's access: 404 for outsiders, and for members while the pledge
    is a draft; 403 when `need` is "manage" and the user is not the secretariat of the
    pledge's year."""
    # The pledge by its key, then the policy's own questions (`PledgeAccess.can_open`): the
    # page asks them anyway (its role, the secretariat), each is a small query kept for the
    # request, and building one query that filters by them (`visible_pledges`) cost more CPU
    # than running them (15% of a pledge page at national scale).
    pledges = Pledge.objects.select_related("bloc", "launch_meeting", "review_meeting")
    pledge = get_object_or_404(pledges, pk=pk)
    found = PledgeAccess(request.user, pledge)
    if not found.can_open:
        raise Http404
    if need == "manage" and not found.secretariat:
        raise PermissionDenied
    return pledge, found


# For services -----------------------------------------------------------------------------


def check_manages(actor: Actor, pledge: Pledge) -> None:
    """Refuse a write of the secretariat's on behalf of anyone else (403)."""
    if actor is not None and not PledgeAccess(actor, pledge).secretariat:
        raise PermissionDenied


def check_acts_for(actor: Actor, pledge: Pledge, organization: Organization) -> None:
    """Refuse a write for `organization` by someone who neither is its official nor the
    secretariat (403)."""
    if actor is not None and not PledgeAccess(actor, pledge).acts_for(organization):
        raise PermissionDenied


def may_decide_for_council(user: Person, pledge: Pledge) -> bool:
    """Decide on the proposals of `pledge` (accept, return, hold, lift a hold): the council
    of the body that organizes its bloc in the pledge's year, or an admin. The bloc's own
    secretariat never decides on its own proposals."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or sits_on_council(user, pledge.bloc.organizing_body_id, pledge.year)


def check_decides_for_council(actor: Actor, pledge: Pledge) -> None:
    """Refuse a council decision on behalf of anyone else (403)."""
    if actor is not None and not may_decide_for_council(actor, pledge):
        raise PermissionDenied


def decides_own_proposal(user: Person, organization_id: int) -> bool:
    """`user` is an official of the unit proposed (`organization_id`), so someone else on
    the council decides on it: nobody judges their own commendation."""
    return is_official_of(user, organization_id)


# Registered permissions -------------------------------------------------------------------


@rules.predicate
def reads_sheet(user: Person, sheet: ScoreSheet | None) -> bool:
    """See the module docstring: drafts stay with their organization and the secretariat."""
    if sheet is None or not user.is_authenticated:
        return False
    found = PledgeAccess(user, sheet.pledge)
    if found.secretariat:
        return True
    org = found.org
    if org is not None and org.pk in (sheet.organization_id, sheet.scorer_id):
        return True
    return sheet.is_submitted and found.can_read


rules.add_perm("pledges.read_sheet", reads_sheet)
