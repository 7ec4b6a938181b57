"""Who may do what in a bloc: the one place that answers it.

Roles, for one bloc and one year:
- admin: a superuser; may do everything (the Django admin's own permissions still apply
  there). The staff flag alone gives no portal-side right: it opens the Django admin, where
  each model's permissions decide; a staff user with no role below is an outsider here;
- secretariat: the officials of that year's chair organization, and the people assigned to the
  bloc's secretariat for that year (`SecretaryAssignment`, from–to). Rotating the chair moves
  it; an assignment ends with its last year. Once next year's chair term exists, that chair's
  officials are next year's secretariat, so they may prepare it (its pledge, its launch
  meeting) while this year still runs;
- member: whoever reads the bloc in that year: the officials of an organization that was a
  member in that year (a former member reads the years it belonged, not the later ones),
  anyone ever assigned to the bloc's secretariat (`blocs.models.readable_years` is the same
  rule as a filter, which the `visible_to` querysets of meetings, pledges and documents use);
- council: the emulation and commendation council of the body that organizes the bloc
  (`Bloc.organizing_body`): that body's officials, every year, and the people assigned to its
  council (`CouncilAssignment`, from–to) in their years. It reads every bloc the body
  organizes in those years (meetings, pledges, scores, results, documents) and writes none
  of a bloc's things; its own decisions on the blocs' proposals are `pledges.rules`'
  (`may_decide_for_council`). `readable_years` and the `visible_to` querysets hold it too;
- outsider: anyone else; outsiders do not learn that a bloc or anything in it exists (404).

Which blocs and years a person reads as a member or the council comes from one place,
`blocs.models.read_spans` (one query, kept for the request): `readable_years`, the
`visible_to` querysets, `may_read`, `reads_year`, `read_years` and `council_seats` read it.
Who is the secretariat of which bloc in which year comes likewise from
`blocs.models.secretariat_spans` (one query, kept for the request), which `is_secretariat`
and `secretariat_years` read.

Views ask through `get_bloc_or_404` / `get_meeting_or_404` / `get_attachment_or_404`, which
return the object with its `Access` (what a template shows); services that write on behalf of
a person ask `check_year_writer`. Everything else asks the registered `rules` permissions:
`blocs.read_bloc` (a Bloc), `blocs.write_year` (a `BlocYear`), `blocs.manage_bloc` (a Bloc:
this or a coming year's secretariat).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import cached_property
from typing import Literal, NamedTuple

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from portal.lib.http import year_param
from portal.lib.request_cache import remembered
from portal.lib.types import Actor, Person

from .models import (
    Bloc,
    ChairTerm,
    Meeting,
    MeetingAttachment,
    Membership,
    Official,
    SecretaryAssignment,
    held_bloc_ids,
    official_of,
    read_spans,
    secretariat_spans,
)
from .models import current_year as _current_year

Need = Literal["read", "write"]


class Role(StrEnum):
    OUTSIDER = "outsider"
    MEMBER = "member"
    COUNCIL = "council"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"


class Access:
    """What one person may do with one bloc in one year; views and templates read the same
    value. Each question is asked when first read, at most once."""

    def __init__(self, user: Person, bloc: Bloc, year: int, *, readable: bool = False) -> None:
        self.user = user
        self.bloc = bloc
        self.year = year
        # already known: the object was found among the user's readable years' rows
        self._readable = readable

    @cached_property
    def role(self) -> Role:
        user = self.user
        if not user.is_authenticated:
            return Role.OUTSIDER
        if user.is_superuser:
            return Role.ADMIN
        # django-rules takes any object; the stubs know only models.
        if user.has_perm("blocs.write_year", BlocYear(self.bloc, self.year)):  # type: ignore[arg-type]
            return Role.SECRETARIAT
        # The council's bodies are asked once per request (cached on the user).
        if sits_on_council(user, self.bloc.organizing_body_id, self.year):
            return Role.COUNCIL
        if self._readable or reads_year(user, self.bloc, self.year):
            return Role.MEMBER
        return Role.OUTSIDER

    @property
    def can_read(self) -> bool:
        return self.role is not Role.OUTSIDER

    @property
    def can_write(self) -> bool:
        """Writes what belongs to this year: its meetings, pledge, scores and documents."""
        return self.role in (Role.SECRETARIAT, Role.ADMIN)

    @property
    def can_read_history(self) -> bool:
        """Reads the year's history (every change, by whom and why): that year's secretariat
        and admins; members see the outcome, not the drafts and corrections behind it."""
        return self.role in (Role.SECRETARIAT, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @cached_property
    def can_manage(self) -> bool:
        """Runs the bloc from its page: this year's or a coming year's secretariat."""
        return self.user.has_perm("blocs.manage_bloc", self.bloc)


class BlocYear(NamedTuple):
    """The object of a year-level question: this bloc in this year."""

    bloc: Bloc
    year: int


# Questions --------------------------------------------------------------------------------


def _official_orgs(user: Person) -> QuerySet:
    # An anonymous user has no pk: the lookup then matches no official.
    return Official.objects.filter(user_id=user.pk).values("organization_id")  # type: ignore[misc]


def is_official_of(user: Person, organization_id: int | None) -> bool:
    """Whether the user is an official of that organization (the request's `official_of`:
    a person has one organization at most)."""
    official = official_of(user)
    return (
        organization_id is not None
        and official is not None
        and (official.organization_id == organization_id)
    )


def council_seats(user: Person) -> set[tuple[int, int, int | None]]:
    """The bodies on whose council the user sits, as (body id, first year, last year or
    None): its own organization's council every year, and its assignments; from the
    request's `read_spans` (the seats of bodies that organize blocs, the only councils)."""
    return {
        (span.council_body, span.first, span.last)
        for span in read_spans(user)
        if span.council_body is not None
    }


def sits_on_council(user: Person, body_id: int | None, year: int) -> bool:
    """On the council of the body `body_id` in `year` (see the module docstring; admins are
    admins, not the council). The body must organize blocs to be a council at all: its
    officials are the council of the blocs it organizes, nothing else."""
    if body_id is None or not user.is_authenticated or user.is_superuser:
        return False
    return any(
        body == body_id and first <= year and (last is None or year <= last)
        for body, first, last in council_seats(user)
    )


def council_bodies(user: Person) -> QuerySet:
    """The organizing bodies whose council page the user may open (admins: every body that
    organizes a bloc), in Vietnamese order."""
    from .models import Organization

    bodies = Organization.objects.filter(organized_blocs__isnull=False).distinct()
    if user.is_authenticated and user.is_superuser:
        return bodies
    ids = {body for body, _first, _last in council_seats(user)}
    return bodies.filter(pk__in=ids)


def may_read_council(user: Person, body_id: int, year: int) -> bool:
    """Opens the council page of a body and year: its council that year, or an admin."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or sits_on_council(user, body_id, year)


def _asked_of(user: Person, bloc: Bloc, year: int | None = None) -> tuple | None:
    """The key under which a question about `user`, `bloc` and `year` is kept for the
    request (`portal.lib.request_cache`): a page asks it per row, a service per sheet."""
    if not user.is_authenticated or bloc.pk is None:
        return None
    return (user.pk, user.is_superuser, bloc.pk, _current_year() if year is None else year)


@remembered(_asked_of)
def is_secretariat(user: Person, bloc: Bloc, year: int | None = None) -> bool:
    """The bloc's secretariat in `year` (this year by default); admins always. From the
    request's `secretariat_spans` (one query, for every bloc and year asked)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    year = _current_year() if year is None else year
    return any(span.bloc_id == bloc.pk and span.covers(year) for span in secretariat_spans(user))


def may_read(user: Person, bloc: Bloc) -> bool:
    """Reads the bloc at all (its page, the years it reads of it): `Bloc.visible_to`."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bloc.pk in held_bloc_ids(user)


def reads_year(user: Person, bloc: Bloc, year: int) -> bool:
    """Reads the bloc's things of `year` (see the module docstring: member): the rule of
    `readable_years`, asked of the request's `read_spans` (no query of its own)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(
        span.bloc_id == bloc.pk and span.covers(year) for span in read_spans(user)
    )


def secretariat_years(user: Person, bloc: Bloc, years: range) -> list[int]:
    """The years of `years` in which the user is the bloc's secretariat (the request's
    `secretariat_spans`)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(years)
    spans = [span for span in secretariat_spans(user) if span.bloc_id == bloc.pk]
    return [year for year in years if any(span.covers(year) for span in spans)]


def read_years(user: Person, bloc_pk: int) -> Callable[[int], bool]:
    """Whether the user reads the bloc's things of a year, as a test over years (from the
    request's `read_spans`, however many years are asked): for the year tabs of a bloc's
    list pages. A person ever assigned to the secretariat reads every year."""
    if not user.is_authenticated:
        return lambda year: False
    if user.is_superuser:
        return lambda year: True
    spans = [span for span in read_spans(user) if span.bloc_id == bloc_pk]
    return lambda year: any(span.covers(year) for span in spans)


def list_year(request: HttpRequest, bloc_pk: int, reads: Callable[[int], bool]) -> int:
    """The year a bloc's list page shows: ?year= when given; else this year, or for someone
    who no longer reads this year (a former member) the last year before it that it reads,
    so that the page opens on its own years instead of a 404."""
    if "year" in request.GET:
        return year_param(request)
    this_year = _current_year()
    if reads(this_year):
        return this_year
    earlier = range(this_year - 1, settings.PORTAL_FIRST_YEAR - 1, -1)
    return next((year for year in earlier if reads(year)), this_year)


def coming_years() -> range:
    """The years a secretariat may work on from a bloc's page: this one and the next."""
    year = _current_year()
    return range(year, year + 2)


def with_secretariat(blocs: QuerySet[Bloc], user: Person, year: int) -> QuerySet[Bloc]:
    """`blocs` annotated with `in_secretariat`: whether the user holds a secretariat role in
    each in `year` (an official of the chair, or assigned), asked inside the list's own query.
    Unlike `is_secretariat`, being an admin is not such a role: the dashboard tells people
    what their role asks of them, and an admin's is not every bloc's secretariat work."""
    if not user.is_authenticated:
        return blocs.annotate(in_secretariat=Value(False))
    assigned = SecretaryAssignment.objects.filter(bloc_id=OuterRef("pk"), user=user).active_in(year)
    chaired = ChairTerm.objects.filter(
        bloc_id=OuterRef("pk"), year=year, chair_id__in=_official_orgs(user)
    )
    either = ExpressionWrapper(Q(Exists(assigned)) | Q(Exists(chaired)), BooleanField())
    return blocs.annotate(in_secretariat=either)


def access(user: Person, bloc: Bloc, year: int | None = None, *, readable: bool = False) -> Access:
    """The user's access to the bloc in `year` (this year by default). `readable`: already
    known (the bloc was found among those visible to the user), which saves a query."""
    return Access(user, bloc, _current_year() if year is None else year, readable=readable)


def check_year_writer(actor: Actor, bloc: Bloc, year: int) -> None:
    """For services: refuse a write on behalf of someone who is not that year's secretariat.
    `actor=None` is the system itself (a command, a migration, the demo)."""
    if actor is not None and not is_secretariat(actor, bloc, year):
        raise PermissionDenied


def may_admit_new_member(actor: Actor, bloc: Bloc) -> bool:
    """Make an organization that has never belonged to `bloc` a member of it: an admin
    action (a superuser, or the system itself). A bloc's secretariat records only the joins
    and leaves of organizations already (or formerly) in its bloc; otherwise it could bring
    any organization of the portal into its bloc, back-dated, and then read that
    organization's page."""
    return actor is None or (actor.is_authenticated and actor.is_superuser)


def member_choices(actor: Actor, bloc: Bloc) -> QuerySet:
    """The organizations whose membership of `bloc` the actor may change: every organization
    for an admin; for a secretariat the bloc's own current and former members."""
    from .models import Organization

    organizations = Organization.objects.order_by("name")
    if may_admit_new_member(actor, bloc):
        return organizations
    return organizations.filter(pk__in=Membership.objects.filter(bloc=bloc).values("organization"))


# Objects for views ------------------------------------------------------------------------


def require(found: Access, need: Need) -> Access:
    """`found` when it allows `need`: 404 when the user does not read that year (an outsider
    to it, as a former member is to the years after it left), PermissionDenied (403) when
    `need` is "write" and the user is not that year's secretariat."""
    if not found.can_read:
        raise Http404
    if need == "write" and not found.can_write:
        raise PermissionDenied
    return found


def get_bloc_or_404(
    request: HttpRequest, pk: int, *, need: Need = "read", year: int | None = None
) -> tuple[Bloc, Access]:
    """The bloc and the user's access in `year`: 404 for outsiders, 403 when `need` is
    "write" and the user is not that year's secretariat. With a `year`, 404 as well when the
    user does not read that year; without one (the bloc's own page, its calendar, its list
    of pledges), whoever has ever belonged reads the bloc, and those pages list only the
    years the user reads."""
    user = request.user
    asked = _current_year() if year is None else year
    blocs = Bloc.objects.visible_to(user).select_related("organizing_body")
    bloc = get_object_or_404(blocs, pk=pk)
    found = access(user, bloc, asked, readable=reads_year(user, bloc, asked))
    if year is None and need == "read":
        return bloc, found
    return bloc, require(found, need)


def get_meeting_or_404(
    request: HttpRequest, pk: int, *, need: Need = "read"
) -> tuple[Meeting, Access]:
    """The meeting and the user's access in the meeting's year (404 / 403 as above)."""
    meetings = Meeting.objects.visible_to(request.user).select_related("bloc", "host")
    meeting = get_object_or_404(meetings, pk=pk)
    found = access(request.user, meeting.bloc, meeting.year, readable=True)
    return meeting, require(found, need)


def get_attachment_or_404(
    request: HttpRequest, pk: int, *, need: Need = "read"
) -> tuple[MeetingAttachment, Access]:
    visible = Meeting.objects.visible_to(request.user)
    attachments = MeetingAttachment.objects.filter(meeting__in=visible)
    attachment = get_object_or_404(attachments.select_related("meeting__bloc"), pk=pk)
    meeting = attachment.meeting
    found = access(request.user, meeting.bloc, meeting.year, readable=True)
    return attachment, require(found, need)


# Registered permissions -------------------------------------------------------------------


@rules.predicate
def reads_bloc(user: Person, bloc: Bloc | None) -> bool:
    return bloc is not None and may_read(user, bloc)


@rules.predicate
def writes_year(user: Person, target: BlocYear | None) -> bool:
    return target is not None and is_secretariat(user, target.bloc, target.year)


@rules.predicate
def manages_bloc(user: Person, bloc: Bloc | None) -> bool:
    return bloc is not None and bool(secretariat_years(user, bloc, coming_years()))


rules.add_perm("blocs.read_bloc", reads_bloc)
rules.add_perm("blocs.write_year", writes_year)
rules.add_perm("blocs.manage_bloc", manages_bloc)


# Who holds a role (for those who tell people: notices, reminders) ------------------------


def _people() -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True)


def officials_of(organization_ids: Iterable[int]) -> QuerySet:
    """The active people who act for these organizations (their officials)."""
    return _people().filter(official__organization_id__in=list(organization_ids))


def secretariat_of(bloc: Bloc, year: int) -> QuerySet:
    """The people who are the bloc's secretariat in `year` (as `is_secretariat` answers,
    admins aside): the chair organization's officials and the people assigned then."""
    chairs = ChairTerm.objects.filter(bloc=bloc, year=year).values("chair_id")
    assigned = SecretaryAssignment.objects.filter(bloc=bloc).active_in(year).values("user_id")
    return _people().filter(Q(official__organization_id__in=chairs) | Q(pk__in=assigned))


def members_of(bloc: Bloc, year: int) -> QuerySet:
    """The people a bloc's news in `year` is for: the officials of the organizations that
    are its members that year, and its secretariat of that year."""
    orgs = Membership.objects.filter(bloc=bloc).active_in(year).values("organization_id")
    assigned = SecretaryAssignment.objects.filter(bloc=bloc).active_in(year).values("user_id")
    return _people().filter(Q(official__organization_id__in=orgs) | Q(pk__in=assigned))
