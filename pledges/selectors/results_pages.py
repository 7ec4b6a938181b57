"""Read models of the results-side pages: bonus and penalty lines, ballots, proposals and
the results table. Each is read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from blocs.models import Organization

from .. import services
from ..models import Adjustment, Ballot, CommendationQuota, EmulationTitle, Pledge, Proposal
from ..ranking import MemberResult, Results, compute_results
from ..rules import PledgeAccess
from ..services.ballots import CandidateOutcome
from . import members_of

ZERO = Decimal("0")


# Bonus and penalty lines ------------------------------------------------------------------


@dataclass(frozen=True)
class MemberAdjustments:
    organization: Organization
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO


@dataclass(frozen=True)
class AdjustmentsPage:
    lines: list[Adjustment]
    totals: list[MemberAdjustments]  # the members with any line, in the members' order


def adjustment_lines(pledge: Pledge) -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(pledge=pledge).select_related("organization", "created_by")


def adjustments_page(pledge: Pledge, members: list[Organization]) -> AdjustmentsPage:
    """The year's lines and each member's totals (1 query)."""
    lines = list(adjustment_lines(pledge))
    sums: dict[int, dict[str, Any]] = {
        org.pk: {"organization": org, "bonus": ZERO, "penalty": ZERO} for org in members
    }
    for line in lines:
        entry = sums.setdefault(
            line.organization_id,
            {"organization": line.organization, "bonus": ZERO, "penalty": ZERO},
        )
        entry[line.kind] += line.points
    totals = [MemberAdjustments(**t) for t in sums.values() if t["bonus"] or t["penalty"]]
    return AdjustmentsPage(lines, totals)


# Ballots ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotView:
    ballot: Ballot
    outcomes: list[CandidateOutcome]
    base_label: str = ""


def base_label(pledge: Pledge, base: int) -> str:
    """What the ratio is of, named explicitly: "11 members", "9 members present"…"""
    # Keyed by the stored value (a VoteBase is a str): pledge.vote_base is a plain string.
    labels: dict[str, str] = {
        Pledge.VoteBase.MEMBERS: _("%(n)s members"),
        Pledge.VoteBase.PRESENT: _("%(n)s members present"),
        Pledge.VoteBase.VALID: _("%(n)s valid ballots"),
    }
    return labels[pledge.vote_base] % {"n": base}


def ballots_of(pledge: Pledge) -> list[BallotView]:
    """The pledge's ballots with each candidate's outcome, in 2 queries."""
    return [
        BallotView(
            ballot, outcomes, base_label(pledge, services.vote_base(ballot, pledge.vote_base))
        )
        for ballot, outcomes in services.ballots_with_outcomes(pledge)
    ]


# Proposals --------------------------------------------------------------------------------


@dataclass
class QuotaGroup:
    title: EmulationTitle
    proposals: list[Proposal]
    quota: CommendationQuota | None = None
    limit: int | None = None
    how: str = ""

    @property
    def over(self) -> bool:
        return self.limit is not None and len(self.proposals) > self.limit


def proposal_groups(
    pledge: Pledge, members: list[Organization], ballots: list[BallotView] | None = None
) -> list[QuotaGroup]:
    """Proposals grouped by commendation, each with its quota's limit and how it is computed
    (the leading units from `ballots` when the page has them already)."""
    proposals = list(
        Proposal.objects.filter(pledge=pledge).select_related(
            "organization", "title", "ballot", "council_decision", "created_by"
        )
    )
    quotas = {
        q.title_id: q
        for q in CommendationQuota.objects.filter(pledge=pledge).select_related("title")
    }
    leading = None
    groups: dict[int, QuotaGroup] = {}
    for title_quota in quotas.values():
        groups[title_quota.title_id] = QuotaGroup(title_quota.title, [], title_quota)
    for proposal in proposals:
        groups.setdefault(proposal.title_id, QuotaGroup(proposal.title, [])).proposals.append(
            proposal
        )
    for group in groups.values():
        quota = group.quota
        if quota is None:
            continue
        if quota.base == CommendationQuota.Base.LEADING and leading is None:
            outcomes = None if ballots is None else [(b.ballot, b.outcomes) for b in ballots]
            leading = len(services.leading_organizations(pledge, outcomes))
        numbers = {"members": len(members), "leading": leading or 0}
        group.limit = services.quota_limit(quota, **numbers)
        group.how = services.quota_explanation(quota, **numbers)
    return sorted(groups.values(), key=lambda g: (g.title.order, g.title.name))


# Results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """A member's line of the results table: the ranking's own result, and its points per
    criteria group in the table's column order (a template cannot look a dict up)."""

    member: MemberResult
    group_points: list[Decimal | None]


@dataclass(frozen=True)
class ResultsPage:
    results: Results
    rows: list[ResultRow]
    tie_notes: list[MemberResult]
    ballots: list[BallotView]
    groups: list[QuotaGroup]
    own: Organization | None

    @property
    def any_scored(self) -> bool:
        return any(m.scored for m in self.results.members)


def results_page(pledge: Pledge, found: PledgeAccess) -> ResultsPage:
    """The ranking, the ballots and the proposals of the year, and the user's own member."""
    computed = compute_results(pledge)
    rows = [
        ResultRow(m, [m.group_points.get(g.pk) for g in computed.groups]) for m in computed.members
    ]
    ballots = ballots_of(pledge)
    return ResultsPage(
        results=computed,
        rows=rows,
        tie_notes=[m for m in computed.members if m.tie_note and m.scored],
        ballots=ballots,
        groups=proposal_groups(pledge, members_of(pledge), ballots),
        own=found.org,
    )
