"""The council page's reads: everything about one organizing body's blocs in one year, in a
number of queries that does not grow with the blocs, proposals or years (asserted by the
tests).

Decisions:
* A bloc's year status is read from existing rows: the pledge signed (signed, scoring or
  closed), scoring closed (the pledge closed), the minutes approved (its year-end review
  meeting's minutes), the report issued (an issued year-end document of the bloc and year).
* "Exceeds the quota": the proposals of a title with a council quota are taken in order:
  accepted first, then those with the tie-break priority (Decree 152/2025 Art. 4(6)), then
  in the order of their blocs and units; those after the allowance exceed it. Returned
  proposals take no place.
* Eligibility over years: a title with `consecutive_years_required` N shows, for each of the
  N years up to this one, whether the unit held its `consecutive_title` that year (a
  proposal for it the council accepted) or, with none set, led its bloc that year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from blocs.models import Bloc, ChairTerm, Meeting, Organization
from pledges.models import (
    CouncilDecision,
    CouncilQuota,
    EmulationTitle,
    Pledge,
    Proposal,
    ProposalHold,
)
from pledges.services import council_quota_limit, leading_by_pledge
from reports.dossier import Dossier, dossiers_for
from reports.models import ReportDraft

SIGNED = (Pledge.Status.SIGNED, Pledge.Status.SCORING, Pledge.Status.CLOSED)


@dataclass
class YearMark:
    year: int
    held: bool


@dataclass
class ProposalRow:
    proposal: Proposal
    bloc: Bloc
    decision: CouncilDecision | None
    hold: ProposalHold | None
    leads_bloc: bool
    exceeds: bool = False
    record: list[YearMark] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The filter's value: the decision's status, or "undecided"."""
        return self.decision.status if self.decision is not None else "undecided"

    @property
    def priority(self) -> bool:
        return self.proposal.organization.women_priority

    @property
    def eligible(self) -> bool | None:
        """All the years held (None: the title needs no record)."""
        if not self.record:
            return None
        return all(mark.held for mark in self.record)


@dataclass
class BlocRow:
    bloc: Bloc
    chair: Organization | None
    pledge: Pledge | None
    leading: list[Organization]
    proposals: list[ProposalRow]
    minutes_approved: bool
    report_issued: bool
    dossier: Dossier

    @property
    def pledge_signed(self) -> bool:
        return self.pledge is not None and self.pledge.status in SIGNED

    @property
    def scoring_closed(self) -> bool:
        return self.pledge is not None and self.pledge.status == Pledge.Status.CLOSED


@dataclass
class QuotaRow:
    quota: CouncilQuota
    leading: int
    limit: int
    proposed: int
    accepted: int
    exceeding: list[ProposalRow]

    @property
    def over(self) -> bool:
        return self.proposed > self.limit


@dataclass
class CouncilPage:
    body: Organization
    year: int
    blocs: list[BlocRow]
    quotas: list[QuotaRow]
    leading_total: int
    titles: list[EmulationTitle]

    @property
    def proposals(self) -> list[ProposalRow]:
        return [row for bloc in self.blocs for row in bloc.proposals]


def pledge_years(body_ids: list[int]) -> dict[int, list[int]]:
    """The years in which the blocs of each body have a pledge (1 query)."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = (
        Pledge.objects.filter(bloc__organizing_body_id__in=body_ids)
        .values_list("bloc__organizing_body_id", "year")
        .distinct()
    )
    for body_id, year in rows:
        found[body_id].append(year)
    return found


def organized_blocs(body: Organization) -> QuerySet[Bloc]:
    return Bloc.objects.filter(organizing_body=body)


def year_end_issued(blocs: list[Bloc], year: int) -> set[int]:
    """The ids of the blocs whose year-end report of `year` is issued (1 query)."""
    return set(
        ReportDraft.objects.filter(
            bloc__in=blocs, year=year, kind="year_end", status=ReportDraft.Status.ISSUED
        ).values_list("bloc_id", flat=True)
    )


def _records(rows: list[ProposalRow], year: int) -> None:
    """Fill the eligibility record of the rows whose title needs consecutive years (at most
    4 queries whatever the rows)."""
    needing = [r for r in rows if r.proposal.title.consecutive_years_required]
    if not needing:
        return
    span = max(r.proposal.title.consecutive_years_required or 0 for r in needing)
    first = year - span + 1
    org_ids = {r.proposal.organization_id for r in needing}
    accepted = set(
        Proposal.objects.filter(
            organization_id__in=org_ids,
            pledge__year__gte=first,
            pledge__year__lte=year,
            council_decision__status=CouncilDecision.Status.ACCEPTED,
        ).values_list("organization_id", "title_id", "pledge__year")
    )
    pledges = dict(
        Pledge.objects.filter(
            year__gte=first, year__lte=year, bloc__memberships__organization_id__in=org_ids
        )
        .distinct()
        .values_list("pk", "year")
    )
    led = {(org.pk, pledges[pk]) for pk, orgs in leading_by_pledge(pledges).items() for org in orgs}
    for row in needing:
        title = row.proposal.title
        count = title.consecutive_years_required or 0
        org_id = row.proposal.organization_id
        for y in range(year - count + 1, year + 1):
            if title.consecutive_title_id:
                held = (org_id, title.consecutive_title_id, y) in accepted
            else:
                held = (org_id, y) in led
            row.record.append(YearMark(y, held))


def _quota_rows(
    quotas: list[CouncilQuota], rows: list[ProposalRow], leading: int
) -> list[QuotaRow]:
    found = []
    for quota in quotas:
        of_title = [
            r
            for r in rows
            if r.proposal.title_id == quota.title_id and r.status != CouncilDecision.Status.RETURNED
        ]
        limit = council_quota_limit(quota, leading)
        ordered = sorted(
            of_title,
            key=lambda r: (
                r.status != CouncilDecision.Status.ACCEPTED,
                not r.priority,
                r.bloc.sort_name,
                r.proposal.organization.sort_name,
            ),
        )
        for r in ordered[limit:]:
            r.exceeds = True
        accepted = sum(1 for r in of_title if r.status == CouncilDecision.Status.ACCEPTED)
        found.append(QuotaRow(quota, leading, limit, len(of_title), accepted, ordered[limit:]))
    return found


def council_page(body: Organization, year: int) -> CouncilPage:
    """Every bloc the body organizes in `year` with its chair, status, leading units,
    proposals (decision, hold, quota, record) and documents; the quotas across them."""
    chairs = ChairTerm.objects.filter(year=year).select_related("chair")
    blocs = list(organized_blocs(body).prefetch_related(Prefetch("chair_terms", queryset=chairs)))
    pledges = {
        p.bloc_id: p
        for p in Pledge.objects.filter(bloc__in=blocs, year=year).select_related("review_meeting")
    }
    approved = set(
        Meeting.objects.filter(
            bloc__in=blocs,
            year=year,
            kind=Meeting.Kind.YEAR_END,
            status=Meeting.Status.APPROVED,
        ).values_list("bloc_id", flat=True)
    )
    leading = leading_by_pledge([p.pk for p in pledges.values()])
    holds = ProposalHold.objects.active()
    proposals = (
        Proposal.objects.filter(pledge__in=pledges.values())
        .select_related("organization", "title", "council_decision", "pledge")
        .prefetch_related(Prefetch("holds", queryset=holds, to_attr="active_holds"))
    )
    by_pledge: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in proposals:
        by_pledge[proposal.pledge_id].append(proposal)
    dossiers = dossiers_for(blocs, year)  # the commendation dossier of each bloc (3 queries)
    reported = year_end_issued(blocs, year)
    rows: list[BlocRow] = []
    for bloc in blocs:
        pledge = pledges.get(bloc.pk)
        term = next(iter(bloc.chair_terms.all()), None)
        leaders = leading.get(pledge.pk, []) if pledge else []
        leader_ids = {org.pk for org in leaders}
        proposal_rows = [
            ProposalRow(
                proposal=p,
                bloc=bloc,
                decision=getattr(p, "council_decision", None),
                # the active holds, prefetched above
                hold=next(iter(getattr(p, "active_holds", ())), None),
                leads_bloc=p.organization_id in leader_ids,
            )
            for p in (by_pledge.get(pledge.pk, []) if pledge else [])
        ]
        rows.append(
            BlocRow(
                bloc=bloc,
                chair=term.chair if term else None,
                pledge=pledge,
                leading=leaders,
                proposals=proposal_rows,
                minutes_approved=bloc.pk in approved,
                report_issued=bloc.pk in reported,
                dossier=dossiers[bloc.pk],
            )
        )
    all_rows = [r for b in rows for r in b.proposals]
    leading_total = len({org.pk for orgs in leading.values() for org in orgs})
    quotas = list(
        CouncilQuota.objects.filter(organizing_body=body, year=year).select_related("title")
    )
    quota_rows = _quota_rows(quotas, all_rows, leading_total)
    _records(all_rows, year)
    titles = sorted(
        {r.proposal.title.pk: r.proposal.title for r in all_rows}.values(),
        key=lambda t: (t.order, t.name),
    )
    return CouncilPage(body, year, rows, quota_rows, leading_total, titles)


def filtered(
    page: CouncilPage, *, bloc: int | None, status: str, title: int | None
) -> list[BlocRow]:
    """The page's blocs and proposals kept by the filters (the quotas stay whole)."""
    kept = []
    for row in page.blocs:
        if bloc is not None and row.bloc.pk != bloc:
            continue
        proposals = [
            p
            for p in row.proposals
            if (not status or p.status == status or (status == "hold" and p.hold is not None))
            and (title is None or p.proposal.title_id == title)
        ]
        if (status or title is not None) and not proposals:
            continue
        kept.append(
            BlocRow(
                row.bloc,
                row.chair,
                row.pledge,
                row.leading,
                proposals,
                row.minutes_approved,
                row.report_issued,
                row.dossier,
            )
        )
    return kept


__all__ = [
    "BlocRow",
    "CouncilPage",
    "ProposalRow",
    "QuotaRow",
    "council_page",
    "year_end_issued",
    "filtered",
]
