"""Reads of the emulation year that other pages share: the members of a year, the
dashboard's to-do list. Read models: the pledge pages in `pledge_pages` (the criteria tree as
rows in `criteria`); the results side in `sheets` (score sheets, verification) and
`results_pages` (bonus and penalty lines, ballots, proposals, results)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from blocs.models import Membership, Organization
from blocs.selectors import members_in

from ..models import Pledge, PledgeSignature, Registration, ScoreSheet


def members_of(pledge: Pledge) -> list[Organization]:
    """The members of the pledge's bloc in the pledge's year, in rotation order."""
    return members_in(pledge.bloc, pledge.year)


@dataclass(frozen=True)
class Deadline:
    """A deadline as members read it before they start: the day and the days left."""

    day: date
    days_left: int  # 0: today is the last day; negative: passed that many days ago

    @property
    def passed(self) -> bool:
        return self.days_left < 0

    @property
    def days_ago(self) -> int:
        return -self.days_left


def deadline_of(day: date | None, today: date | None = None) -> Deadline | None:
    if day is None:
        return None
    return Deadline(day, (day - (today or timezone.localdate())).days)


def scoring_deadline(pledge: Pledge, today: date | None = None) -> Deadline | None:
    """The self-scoring deadline of `pledge` counted from `today` (default: today)."""
    return deadline_of(pledge.scoring_deadline, today)


@dataclass(frozen=True)
class PledgeTask:
    """Something an organization (or the secretariat) still has to do for a pledge."""

    kind: str  # "sign" | "register" | "self_score" | "cross_score" | "verify"
    pledge: Pledge
    deadline: date | None = None
    today: date | None = None

    @property
    def due(self) -> Deadline | None:
        return deadline_of(self.deadline, self.today)


def pledge_tasks(
    *,
    organization_id: int | None,
    bloc_ids: list[int],
    secretariat_bloc_ids: set[int],
    year: int,
    today: date,
) -> list[PledgeTask]:
    """The year's open work of an official's organization in its blocs, and of the
    secretariat in the blocs it serves, in at most 7 queries whatever the number of blocs
    (5, and 2 more when a bloc scores crosswise this year)."""
    pledges = list(
        Pledge.objects.filter(bloc_id__in=bloc_ids, year=year)
        .exclude(status__in=[Pledge.Status.DRAFT, Pledge.Status.CLOSED])
        .select_related("bloc")
        .order_by("bloc__sort_name")
    )
    if not pledges:
        return []
    tasks: list[PledgeTask] = []
    if organization_id is not None:
        tasks += _member_tasks(pledges, organization_id, year, today)
    tasks += [
        PledgeTask("verify", p)
        for p in pledges
        if p.bloc_id in secretariat_bloc_ids and p.status == Pledge.Status.SCORING
    ]
    return tasks


def _member_tasks(pledges: list[Pledge], org_id: int, year: int, today: date) -> list:
    member_of = set(
        Membership.objects.filter(organization_id=org_id, bloc_id__in=[p.bloc_id for p in pledges])
        .active_in(year)
        .values_list("bloc_id", flat=True)
    )
    pledges = [p for p in pledges if p.bloc_id in member_of]
    ids = [p.pk for p in pledges]
    signed = set(
        PledgeSignature.objects.filter(pledge_id__in=ids, organization_id=org_id).values_list(
            "pledge_id", flat=True
        )
    )
    registered = set(
        Registration.objects.filter(
            pledge_id__in=ids, organization_id=org_id, submitted_at__isnull=False
        ).values_list("pledge_id", flat=True)
    )
    scored = set(
        ScoreSheet.objects.filter(
            pledge_id__in=ids,
            organization_id=org_id,
            round=ScoreSheet.Round.SELF,
            status=ScoreSheet.Status.SUBMITTED,
        ).values_list("pledge_id", flat=True)
    )
    tasks = []
    for p in pledges:
        if p.status == Pledge.Status.OPEN and p.pk not in signed:
            tasks.append(PledgeTask("sign", p))
        deadline = p.registration_deadline
        if p.pk not in registered and (deadline is None or today <= deadline):
            tasks.append(PledgeTask("register", p, deadline, today))
        if p.status == Pledge.Status.SCORING and p.pk not in scored:
            tasks.append(PledgeTask("self_score", p, p.scoring_deadline, today))
    cross = [p for p in pledges if p.status == Pledge.Status.SCORING and p.is_cross_scored]
    return tasks + _cross_tasks(cross, org_id, year)


def _cross_tasks(pledges: list[Pledge], org_id: int, year: int) -> list[PledgeTask]:
    """Cross-scoring years: score every other member, until each sheet is submitted."""
    if not pledges:
        return []
    members = Counter(
        Membership.objects.filter(bloc_id__in=[p.bloc_id for p in pledges])
        .active_in(year)
        .values_list("bloc_id", flat=True)
    )
    submitted = Counter(
        ScoreSheet.objects.filter(
            pledge__in=pledges,
            scorer_id=org_id,
            round=ScoreSheet.Round.CROSS,
            status=ScoreSheet.Status.SUBMITTED,
        ).values_list("pledge_id", flat=True)
    )
    return [
        PledgeTask("cross_score", p)  # the deadline is of self-scoring only
        for p in pledges
        if submitted[p.pk] < members[p.bloc_id] - 1
    ]
