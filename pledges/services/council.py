"""The council's writes on the blocs' proposals: its decision (accepted, returned with a
reason, on hold with a reason), holds (Decree 152/2025 Art. 4) and their lifting, within its
quotas across the blocs it organizes.

Decisions:
* Only the council of the body that organizes the proposal's bloc (or an admin) decides
  (`pledges.rules.check_decides_for_council`); the bloc's secretariat never does.
* A proposal is accepted only while no hold on it is active, and only while the accepted
  proposals of its title across the body's blocs that year stay within the council's quota:
  floor(max % × the collectives leading their blocs / 100). The organizing body's row is
  locked, so two accepts at once in two blocs cannot both take the last place.
* Placing a hold makes the decision "on hold" with the hold's details; lifting it leaves the
  decision as it is (the council decides again).
* Each decision is announced ("pledges.council_decided") so the bloc's secretariat learns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Organization
from portal.lib.events import emit
from portal.lib.history import stamp
from portal.lib.types import Actor

from .. import rules
from ..models import CouncilDecision, CouncilQuota, Pledge, Proposal, ProposalHold
from .ballots import leading_by_pledge

__all__ = [
    "ALREADY_ON_HOLD",
    "COUNCIL_QUOTA_EXCEEDED",
    "DECISION_UNKNOWN",
    "HOLD_DETAILS_REQUIRED",
    "HOLD_NOT_ACTIVE",
    "HOLD_REASON_UNKNOWN",
    "LIFT_REASON_REQUIRED",
    "NO_ORGANIZING_BODY",
    "ON_HOLD_CANNOT_ACCEPT",
    "REASON_REQUIRED",
    "QuotaUse",
    "council_decide",
    "council_quota_limit",
    "council_hold",
    "council_lift_hold",
    "council_quota_use",
    "leading_count",
]

REASON_REQUIRED = _("Give the reason: the bloc reads it with the decision.")
DECISION_UNKNOWN = _("Choose accepted, returned or on hold.")
ON_HOLD_CANNOT_ACCEPT = _(
    "“%(proposal)s” is on hold (%(ground)s): it cannot be accepted until the hold is lifted."
)
COUNCIL_QUOTA_EXCEEDED = _(
    "Accepting it would exceed the quota for “%(title)s”: at most %(limit)s across the blocs "
    "(%(percent)s%% of %(leading)s collectives leading their blocs), and %(count)s are "
    "accepted already."
)
NO_ORGANIZING_BODY = _("This bloc has no organizing body, so no council decides on it.")
HOLD_REASON_UNKNOWN = _("Choose the ground of the hold.")
HOLD_DETAILS_REQUIRED = _("Describe the matter (which discipline, inspection or complaint).")
ALREADY_ON_HOLD = _("This proposal is already on hold.")
HOLD_NOT_ACTIVE = _("This hold has been lifted already.")
LIFT_REASON_REQUIRED = _("Say why the hold is lifted (e.g. the inspection's conclusion).")
OWN_PROPOSAL = _(
    "This proposal is for your own organization: another member of the council decides on it."
)

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class QuotaUse:
    """One quota of a body and year: its allowance and how much of it is used."""

    quota: CouncilQuota
    leading: int  # the collectives leading their blocs (the base)
    limit: int
    accepted: int  # proposals of the title accepted across the blocs
    proposed: int  # proposals of the title not returned

    @property
    def over(self) -> bool:
        return self.proposed > self.limit


def council_quota_limit(quota: CouncilQuota, leading: int) -> int:
    share = Decimal(quota.max_percent) * leading / HUNDRED
    return int(share.to_integral_value(rounding=ROUND_FLOOR))


def _year_pledges(body_id: int, year: int) -> QuerySet[Pledge]:
    return Pledge.objects.filter(bloc__organizing_body_id=body_id, year=year)


def leading_count(body_id: int, year: int) -> int:
    """The collectives leading their blocs among those the body organizes in `year` (one
    collective leading two blocs counts once) (3 queries)."""
    ids = list(_year_pledges(body_id, year).values_list("pk", flat=True))
    return len({org.pk for orgs in leading_by_pledge(ids).values() for org in orgs})


def council_quota_use(quota: CouncilQuota, *, leading: int | None = None) -> QuotaUse:
    """The allowance of `quota` and its use (the leading count when the caller has it)."""
    if leading is None:
        leading = leading_count(quota.organizing_body_id, quota.year)
    proposals = Proposal.objects.filter(
        pledge__in=_year_pledges(quota.organizing_body_id, quota.year), title_id=quota.title_id
    )
    accepted = proposals.filter(council_decision__status=CouncilDecision.Status.ACCEPTED)
    returned = proposals.filter(council_decision__status=CouncilDecision.Status.RETURNED)
    return QuotaUse(
        quota=quota,
        leading=leading,
        limit=council_quota_limit(quota, leading),
        accepted=accepted.count(),
        proposed=proposals.count() - returned.count(),
    )


def _locked_proposal(proposal: Proposal) -> Proposal:
    """The proposal with its pledge and bloc, the organizing body's row locked: the
    council's decisions on that body's blocs are made one at a time."""
    found = Proposal.objects.select_related("pledge__bloc", "organization", "title").get(
        pk=proposal.pk
    )
    body_id = found.pledge.bloc.organizing_body_id
    if body_id is None:
        raise ValidationError(NO_ORGANIZING_BODY, code="no_organizing_body")
    Organization.objects.select_for_update().filter(pk=body_id).first()
    return found


def _check_quota(proposal: Proposal) -> None:
    pledge = proposal.pledge
    quota = CouncilQuota.objects.filter(
        organizing_body_id=pledge.bloc.organizing_body_id, year=pledge.year, title=proposal.title
    ).first()
    if quota is None:
        return
    use = council_quota_use(quota)
    already = CouncilDecision.objects.filter(
        proposal=proposal, status=CouncilDecision.Status.ACCEPTED
    ).exists()
    count = use.accepted - (1 if already else 0)
    if count + 1 > use.limit:
        raise ValidationError(
            COUNCIL_QUOTA_EXCEEDED
            % {
                "title": proposal.title,
                "limit": use.limit,
                "percent": format(Decimal(quota.max_percent).normalize(), "f"),
                "leading": use.leading,
                "count": count,
            },
            code="council_quota_exceeded",
        )


def _check_not_own(actor: Actor, proposal: Proposal) -> None:
    if actor is not None and rules.decides_own_proposal(actor, proposal.organization_id):
        raise ValidationError(OWN_PROPOSAL, code="own_proposal")


def _record(proposal: Proposal, status: str, reason: str, actor: Actor) -> CouncilDecision:
    decision = CouncilDecision.objects.filter(proposal=proposal).first() or CouncilDecision(
        proposal=proposal
    )
    decision.status = status
    decision.reason = reason
    decision.decided_by = actor
    decision.decided_at = timezone.now()
    stamp(decision, actor)
    decision.save()
    emit("pledges.council_decided", decision=decision, actor=actor)
    return decision


@transaction.atomic
def council_decide(
    *, proposal: Proposal, status: str, reason: str = "", actor: Actor = None
) -> CouncilDecision:
    """Record the council's decision on `proposal` (see the module docstring)."""
    proposal = _locked_proposal(proposal)
    rules.check_decides_for_council(actor, proposal.pledge)
    _check_not_own(actor, proposal)
    reason = (reason or "").strip()
    if status not in CouncilDecision.Status.values:
        raise ValidationError({"status": DECISION_UNKNOWN}, code="unknown")
    if status != CouncilDecision.Status.ACCEPTED and not reason:
        raise ValidationError({"reason": REASON_REQUIRED}, code="reason_required")
    if status == CouncilDecision.Status.ACCEPTED:
        hold = ProposalHold.objects.active().filter(proposal=proposal).first()
        if hold is not None:
            raise ValidationError(
                ON_HOLD_CANNOT_ACCEPT
                % {"proposal": proposal, "ground": str(hold.get_reason_display()).lower()},
                code="on_hold",
            )
        _check_quota(proposal)
    return _record(proposal, status, reason, actor)


@transaction.atomic
def council_hold(
    *, proposal: Proposal, reason: str, text: str, actor: Actor = None
) -> ProposalHold:
    """Put `proposal` on hold for one of the grounds of Decree 152/2025 Art. 4."""
    proposal = _locked_proposal(proposal)
    rules.check_decides_for_council(actor, proposal.pledge)
    _check_not_own(actor, proposal)
    text = (text or "").strip()
    errors = {}
    if reason not in ProposalHold.Reason.values:
        errors["reason"] = HOLD_REASON_UNKNOWN
    if not text:
        errors["text"] = HOLD_DETAILS_REQUIRED
    if errors:
        raise ValidationError(errors, code="invalid")
    if ProposalHold.objects.active().filter(proposal=proposal).exists():
        raise ValidationError(ALREADY_ON_HOLD, code="already_on_hold")
    hold = ProposalHold(
        proposal=proposal, reason=reason, text=text, placed_by=actor, placed_at=timezone.now()
    )
    stamp(hold, actor)
    hold.save()
    ground = str(hold.get_reason_display())
    _record(proposal, CouncilDecision.Status.ON_HOLD, f"{ground}: {text}", actor)
    return hold


@transaction.atomic
def council_lift_hold(*, hold: ProposalHold, reason: str, actor: Actor = None) -> ProposalHold:
    """Lift an active hold, saying why; the decision stays until the council decides again."""
    _locked_proposal(hold.proposal)
    hold = ProposalHold.objects.select_related("proposal__pledge__bloc").get(pk=hold.pk)
    rules.check_decides_for_council(actor, hold.proposal.pledge)
    _check_not_own(actor, hold.proposal)
    reason = (reason or "").strip()
    if not hold.is_active:
        raise ValidationError(HOLD_NOT_ACTIVE, code="not_active")
    if not reason:
        raise ValidationError({"lift_reason": LIFT_REASON_REQUIRED}, code="reason_required")
    hold.lifted_by = actor
    hold.lifted_at = timezone.now()
    hold.lift_reason = reason
    stamp(hold, actor)
    hold.save()
    return hold
