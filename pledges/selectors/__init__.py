"""Reads of the emulation year that other pages share: the members of a year, the
dashboard's to-do list. Read models: the pledge pages in `pledge_pages` (the criteria tree as
rows in `criteria`); the results side in `sheets` (score sheets, verification) and
`results_pages` (bonus and penalty lines, ballots, proposals, results)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from blocs.models import Bloc, ChairTerm, Meeting, Membership, Organization, SecretaryAssignment
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

    kind: str  # "sign" | "register" | "self_score" | "returned" | "cross_score" | "verify"
    pledge: Pledge
    deadline: date | None = None
    today: date | None = None
    # "returned": the self sheet the secretariat sent back, with its reason
    sheet: ScoreSheet | None = None

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
    # The organization's self sheets: submitted ones ask nothing more, a draft that the
    # secretariat sent back asks for corrections (with the reason), in the same query.
    own_sheets = {
        sheet.pledge_id: sheet
        for sheet in ScoreSheet.objects.filter(
            pledge_id__in=ids, organization_id=org_id, round=ScoreSheet.Round.SELF
        ).only("pledge_id", "status", "returned_at", "return_reason")
    }
    tasks = []
    for p in pledges:
        if p.status == Pledge.Status.OPEN and p.pk not in signed:
            tasks.append(PledgeTask("sign", p))
        deadline = p.registration_deadline
        if p.pk not in registered and (deadline is None or today <= deadline):
            tasks.append(PledgeTask("register", p, deadline, today))
        sheet = own_sheets.get(p.pk)
        if p.status == Pledge.Status.SCORING and not (sheet and sheet.is_submitted):
            if sheet is not None and sheet.returned_at is not None:
                tasks.append(PledgeTask("returned", p, p.scoring_deadline, today, sheet=sheet))
            else:
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


# The incoming chair's preparation -----------------------------------------------------------


@dataclass(frozen=True)
class PreparationStep:
    """One thing next year's chair prepares; `key` picks the sentence in the template."""

    key: str  # "deputy" | "secretariat" | "pledge" | "criteria" | "launch"
    done: bool
    url: str


@dataclass(frozen=True)
class Preparation:
    """What next year's chair of a bloc has prepared for that year, and what is left."""

    bloc: Bloc
    year: int
    steps: list[PreparationStep]

    @property
    def left(self) -> int:
        return sum(1 for step in self.steps if not step.done)


def next_year_preparations(terms: list[ChairTerm]) -> list[Preparation]:
    """For each of `terms` (next year's chair terms of the user's organization, with their
    bloc): the checklist of that year, read from what exists: a deputy, secretariat staff
    assigned, the pledge's draft and its criteria, the launch meeting. 3 queries whatever
    the number of blocs (none without a term)."""
    if not terms:
        return []
    bloc_ids = [term.bloc_id for term in terms]
    years = {term.year for term in terms}
    pledges = {
        (p.bloc_id, p.year): p
        for p in Pledge.objects.filter(bloc_id__in=bloc_ids, year__in=years).annotate(
            criteria_count=Count("criteria")
        )
    }
    launches = set(
        Meeting.objects.filter(
            bloc_id__in=bloc_ids, year__in=years, kind=Meeting.Kind.LAUNCH
        ).values_list("bloc_id", "year")
    )
    assignments = list(
        SecretaryAssignment.objects.filter(bloc_id__in=bloc_ids, first_year__lte=max(years))
    )
    found = []
    for term in terms:
        bloc, year = term.bloc, term.year
        pledge = pledges.get((bloc.pk, year))
        query = f"?year={year}"
        bloc_url = bloc.get_absolute_url() + query
        pledge_url = (
            pledge.get_absolute_url()
            if pledge is not None
            else reverse("pledges:pledge_create", args=[bloc.pk]) + query
        )
        criteria_url = (
            reverse("pledges:pledge_criteria", args=[pledge.pk]) if pledge else pledge_url
        )
        staffed = any(a.bloc_id == bloc.pk and a.covers(year) for a in assignments)
        steps = [
            PreparationStep("deputy", term.deputy_id is not None, bloc_url),
            PreparationStep("secretariat", staffed, bloc_url),
            PreparationStep("pledge", pledge is not None, pledge_url),
            PreparationStep(
                "criteria",
                bool(pledge and pledge.criteria_count),
                criteria_url,
            ),
            PreparationStep(
                "launch",
                (bloc.pk, year) in launches,
                reverse("blocs:meeting_create", args=[bloc.pk]) + query,
            ),
        ]
        found.append(Preparation(bloc, year, steps))
    return found
