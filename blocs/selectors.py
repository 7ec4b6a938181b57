"""Reads that the pages share: dashboard, bloc list, bloc page, organization page.

Each read runs a fixed number of queries however many blocs, members or terms
there are: related rows come through prefetches filtered to the year, counts
through subqueries (a JOIN-based Count would be multiplied by the DISTINCT join
inside `visible_to`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from portal.lib.people import person_sort_key
from portal.lib.text import sort_key
from portal.lib.types import Person

from .models import (
    Attendance,
    Bloc,
    ChairTerm,
    Meeting,
    MeetingDecision,
    MeetingPerson,
    Membership,
    Official,
    Organization,
    SecretaryAssignment,
    current_year,
    official_of,
)
from .rules import sits_on_council, with_secretariat


def members_in(bloc: Bloc, year: int) -> list[Organization]:
    """The bloc's member organizations in `year`, in rotation order."""
    memberships = (
        Membership.objects.filter(bloc=bloc)
        .active_in(year)
        .in_rotation_order()
        .select_related("organization")
    )
    return [m.organization for m in memberships]


def quorum(meeting: Meeting) -> tuple[int, int]:
    """(present, members of that year); uses prefetched attendance when there is some."""
    present = sum(1 for a in meeting.attendance.all() if a.status == Attendance.Status.PRESENT)
    return present, len(members_in(meeting.bloc, meeting.year))


def with_member_count(blocs: QuerySet[Bloc], year: int) -> QuerySet[Bloc]:
    """Annotate `members_count`: the bloc's members in `year`."""
    members = (
        Membership.objects.filter(bloc=OuterRef("pk"))
        .active_in(year)
        .order_by()
        .values("bloc")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return blocs.annotate(members_count=Coalesce(Subquery(members), 0))


def with_terms(blocs: QuerySet[Bloc], *years: int) -> QuerySet[Bloc]:
    """Prefetch the chair terms of `years` into `bloc.terms` (year ascending)."""
    terms = ChairTerm.objects.filter(year__in=years).select_related("chair", "deputy")
    return blocs.prefetch_related(
        Prefetch("chair_terms", queryset=terms.order_by("year"), to_attr="terms")
    )


def term_for(bloc: Bloc, year: int) -> ChairTerm | None:
    """The prefetched term of `year` (see `with_terms`)."""
    terms: list[ChairTerm] = bloc.terms  # type: ignore[attr-defined]  # with_terms' Prefetch
    return next((t for t in terms if t.year == year), None)


def bloc_list(user: Person, year: int, kind: str = "") -> QuerySet[Bloc]:
    blocs = Bloc.objects.visible_to(user)
    if kind in Bloc.Kind.values:
        blocs = blocs.filter(kind=kind)
    return with_terms(with_member_count(blocs, year), year)


# Dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class BlocCard:
    bloc: Bloc
    term: ChairTerm | None
    next_term: ChairTerm | None
    is_secretariat: bool


@dataclass(frozen=True)
class Attention:
    """Something for the user to act on; `kind` picks the sentence in the template."""

    kind: str  # "secretariat", "no_term", "no_next_term"
    bloc: Bloc
    year: int


@dataclass(frozen=True)
class BlocOverview:
    """Every bloc of the portal in three numbers, for an admin's dashboard: at national
    scale a card per bloc would be thousands of cards on one page."""

    blocs: int
    without_term: int
    without_next_term: int


@dataclass(frozen=True)
class Dashboard:
    year: int
    official: Official | None
    cards: list[BlocCard]
    attention: list[Attention]
    upcoming: list[Meeting] = field(default_factory=list)
    overview: BlocOverview | None = None
    # The organizing bodies on whose council the user sits this year: their blocs are among
    # the cards (the council reads them), so this costs no query of its own.
    councils: list[Organization] = field(default_factory=list)


def bloc_overview(year: int) -> BlocOverview:
    """The counts of `BlocOverview` in one query, however many blocs there are."""
    terms = ChairTerm.objects.filter(bloc_id=OuterRef("pk"))
    counts = Bloc.objects.aggregate(
        blocs=Count("pk"),
        without_term=Count("pk", filter=~Exists(terms.filter(year=year))),
        without_next_term=Count("pk", filter=~Exists(terms.filter(year=year + 1))),
    )
    return BlocOverview(**counts)


def dashboard(user: Person, year: int) -> Dashboard:
    """The user's blocs as cards. An admin sees every bloc, but as the overview's counts:
    the cards are the blocs the admin holds a role in (an official's organization's, an
    assignment's), as for anyone else."""
    official = official_of(user)
    mine = Bloc.objects.held_by(user) if user.is_superuser else Bloc.objects.visible_to(user)
    blocs = with_terms(with_member_count(mine, year), year, year + 1)
    blocs = with_secretariat(blocs.select_related("organizing_body"), user, year)
    cards = [
        BlocCard(bloc, term_for(bloc, year), term_for(bloc, year + 1), bloc.in_secretariat)  # type: ignore[attr-defined]
        for bloc in blocs
    ]
    overview = bloc_overview(year) if user.is_superuser else None
    attention = _attention(user, cards, year)
    upcoming = upcoming_meetings(user)
    return Dashboard(
        year, official, cards, attention, upcoming, overview, _councils(user, cards, year)
    )


def _councils(user: Person, cards: list[BlocCard], year: int) -> list[Organization]:
    bodies = {
        card.bloc.organizing_body_id: card.bloc.organizing_body
        for card in cards
        if card.bloc.organizing_body is not None
    }
    found = [body for pk, body in bodies.items() if sits_on_council(user, pk, year)]
    return sorted(found, key=lambda body: sort_key(body.name))


def _attention(user: Person, cards: list[BlocCard], year: int) -> list[Attention]:
    items = []
    for card in cards:
        if card.is_secretariat:
            items.append(Attention("secretariat", card.bloc, year))
        if card.is_secretariat or user.is_superuser:
            if card.term is None:
                items.append(Attention("no_term", card.bloc, year))
            if card.next_term is None:
                items.append(Attention("no_next_term", card.bloc, year + 1))
    return items


# Bloc page -----------------------------------------------------------------


@dataclass(frozen=True)
class BlocPage:
    bloc: Bloc
    year: int
    members: list[Membership]
    former: list[Membership]
    upcoming: list[Membership]
    terms: list[ChairTerm]
    term: ChairTerm | None
    secretaries: list
    chair_officials: list[Official]
    meetings: list[Meeting] = field(default_factory=list)


def bloc_page(bloc: Bloc, year: int, user: Person | None = None) -> BlocPage:
    """The bloc's page in `year`; its recent meetings are those of the years `user` reads
    (all of them without a user)."""
    meetings = bloc.meetings.all() if user is None else Meeting.objects.visible_to(user)
    memberships = list(
        Membership.objects.filter(bloc=bloc).in_rotation_order().select_related("organization")
    )
    terms = list(bloc.chair_terms.select_related("chair", "deputy").order_by("-year"))
    term = next((t for t in terms if t.year == year), None)
    secretaries = list(
        get_user_model()
        .objects.filter(
            secretary_assignments__in=SecretaryAssignment.objects.filter(bloc=bloc).active_in(year)
        )
        .select_related("official__organization")
        .distinct()
    )
    secretaries.sort(key=person_sort_key)
    chair_officials = (
        sorted(
            Official.objects.filter(organization_id=term.chair_id).select_related("user"),
            key=lambda official: person_sort_key(official.user),
        )
        if term
        else []
    )
    # An official of the chair organization may also be assigned: list them once.
    chair_users = {official.user_id for official in chair_officials}
    secretaries = [user for user in secretaries if user.pk not in chair_users]
    return BlocPage(
        bloc=bloc,
        year=year,
        members=[m for m in memberships if m.covers(year)],
        former=[m for m in memberships if m.last_year is not None and m.last_year < year],
        upcoming=[m for m in memberships if m.first_year > year],
        terms=terms,
        term=term,
        secretaries=secretaries,
        chair_officials=chair_officials,
        meetings=list(meetings.filter(bloc=bloc).select_related("host")[:RECENT_MEETINGS]),
    )


# Organization page ---------------------------------------------------------


@dataclass(frozen=True)
class OrganizationPage:
    organization: Organization
    memberships: list[Membership]
    terms: list[ChairTerm]
    officials: list[Official]


def organization_page(organization: Organization, user: Person) -> OrganizationPage:
    """What `user` may see of an organization: only blocs visible to them."""
    visible = Bloc.objects.visible_to(user).values("pk")
    memberships = (
        organization.memberships.filter(bloc__in=visible)
        .select_related("bloc")
        .order_by("bloc__sort_name", "-first_year")
    )
    terms = (
        ChairTerm.objects.filter(Q(chair=organization) | Q(deputy=organization), bloc__in=visible)
        .select_related("bloc", "chair", "deputy")
        .order_by("-year", "bloc__sort_name")
    )
    officials = sorted(
        organization.officials.select_related("user"),
        key=lambda official: person_sort_key(official.user),
    )
    return OrganizationPage(organization, list(memberships), list(terms), officials)


# Meetings ------------------------------------------------------------------

RECENT_MEETINGS = 5
UPCOMING_MEETINGS = 5


def upcoming_meetings(user: Person, limit: int = UPCOMING_MEETINGS) -> list[Meeting]:
    """The next meetings of the blocs `user` sees, soonest first: one query."""
    meetings = Meeting.objects.visible_to(user).upcoming().select_related("bloc", "host")
    return list(meetings[:limit])


def meeting_years(bloc: Bloc) -> list[int]:
    """The years that have meetings, newest first."""
    years = bloc.meetings.order_by("-year").values_list("year", flat=True).distinct()
    return list(years)


def meetings_of(bloc: Bloc, year: int) -> list[Meeting]:
    """The bloc's meetings of an emulation year in date order, for the calendar-like list."""
    meetings = bloc.meetings.filter(year=year).select_related("host").order_by("starts_at")
    return list(meetings)


@dataclass(frozen=True)
class MeetingPage:
    meeting: Meeting
    presiding: list
    secretaries: list
    guests: list
    present: int
    members: int


def meeting_page(meeting: Meeting) -> MeetingPage:
    """Everything the record shows, in a fixed number of queries."""
    decisions = MeetingDecision.objects.select_related("organization", "deputy")
    meeting = (
        Meeting.objects.select_related("bloc", "host", "approved_by")
        .prefetch_related(
            "people",
            Prefetch("attendance", queryset=Attendance.objects.select_related("organization")),
            "agenda",
            "attachments",
            Prefetch("decisions", queryset=decisions),
        )
        .get(pk=meeting.pk)
    )
    people = list(meeting.people.all())
    present, members = quorum(meeting)  # uses the prefetched attendance
    return MeetingPage(
        meeting=meeting,
        presiding=[p for p in people if p.role == MeetingPerson.Role.PRESIDING],
        secretaries=[p for p in people if p.role == MeetingPerson.Role.SECRETARY],
        guests=[p for p in people if p.role == MeetingPerson.Role.GUEST],
        present=present,
        members=members,
    )


# Proposals for forms ------------------------------------------------------------------


def attendance_initial(meeting: Meeting) -> list[dict]:
    """One row per member of the meeting's year, prefilled from what is already recorded."""
    recorded = {a.organization_id: a for a in meeting.attendance.all()}
    rows = []
    for org in members_in(meeting.bloc, meeting.year):
        row = recorded.get(org.pk)
        rows.append(
            {
                "organization": org,
                "status": row.status if row else Attendance.Status.PRESENT,
                "representative": row.representative if row else "",
                "representative_position": row.representative_position if row else "",
                "absence_reason": row.absence_reason if row else "",
            }
        )
    return rows


@dataclass(frozen=True)
class RotationProposal:
    bloc: Bloc
    year: int
    chair: Organization | None
    deputy: Organization | None
    members: list[Organization]
    existing: ChairTerm | None


def _after(
    members: list[Organization],
    org: Organization | None,
    skip: tuple[Organization | None, ...] = (),
) -> Organization | None:
    """The member after `org` in rotation order (wrapping), skipping `skip`."""
    if not members:
        return None
    ids = [m.pk for m in members]
    start = ids.index(org.pk) + 1 if org is not None and org.pk in ids else 0
    for i in range(len(members)):
        candidate = members[(start + i) % len(members)]
        if candidate.pk not in {s.pk for s in skip if s is not None}:
            return candidate
    return None


def rotation_proposal(*, bloc: Bloc, year: int | None = None) -> RotationProposal:
    """Propose next year's chair and deputy.

    The chair is last year's deputy when it is still a member; otherwise the
    member after the last chair in rotation order. The deputy is the member
    after the new chair.
    """
    year = year or current_year() + 1
    members = members_in(bloc, year)
    existing = (
        ChairTerm.objects.filter(bloc=bloc, year=year).select_related("chair", "deputy").first()
    )
    previous = (
        ChairTerm.objects.filter(bloc=bloc, year__lt=year)
        .select_related("chair", "deputy")
        .order_by("-year")
        .first()
    )
    member_ids = {m.pk for m in members}
    if previous and previous.year == year - 1 and previous.deputy_id in member_ids:
        chair = previous.deputy
    else:
        # No previous term: start at the head of the rotation order.
        chair = _after(members, previous.chair if previous else None)
    deputy = _after(members, chair, skip=(chair,))
    return RotationProposal(bloc, year, chair, deputy, members, existing)
