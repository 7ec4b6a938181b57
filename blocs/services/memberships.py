"""Writes with rules for who and when: memberships, assigned secretaries, chair terms and
their rotation, the bloc's own information.

Every function runs in one transaction, validates before it writes, raises
ValidationError with the module-level messages below, and records the actor in
the audit history (django-simple-history keeps old → new for every change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.lib.history import stamp
from portal.lib.people import person_name
from portal.lib.types import Actor

from ..models import (
    Bloc,
    ChairTerm,
    Membership,
    Organization,
    SecretaryAssignment,
    current_year,
)
from ..rules import check_year_writer
from ..selectors import members_in

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MEMBERSHIP_OVERLAPS = _(
    "%(organization)s is already a member of %(bloc)s in %(period)s; membership periods "
    "must not overlap."
)
MEMBERSHIP_YEARS_REVERSED = _(
    "The last year (%(last)s) cannot be before the first year (%(first)s)."
)
CHAIR_TERM_EXISTS = _("%(bloc)s already has a chair term for %(year)s.")
CHAIR_IS_DEPUTY = _("The chair and the deputy must be different organizations.")
NOT_A_MEMBER = _("%(organization)s is not a member of %(bloc)s in %(year)s.")
NO_MEMBERS = _("%(bloc)s has no members in %(year)s, so nobody can chair it.")


def _overlapping(
    bloc: Bloc, organization: Organization, first: int, last: int | None
) -> QuerySet[Membership]:
    qs = Membership.objects.filter(bloc=bloc, organization=organization)
    if last is not None:
        qs = qs.filter(first_year__lte=last)
    return qs.exclude(last_year__lt=first)


def _check_period(
    bloc: Bloc,
    organization: Organization,
    first: int,
    last: int | None,
    exclude_pk: int | None = None,
) -> None:
    if last is not None and last < first:
        raise ValidationError(
            {"last_year": MEMBERSHIP_YEARS_REVERSED % {"first": first, "last": last}},
            code="years_reversed",
        )
    clash = _overlapping(bloc, organization, first, last).exclude(pk__in=[exclude_pk]).first()
    if clash is not None:
        raise ValidationError(
            MEMBERSHIP_OVERLAPS
            % {"organization": organization, "bloc": bloc, "period": clash.period},
            code="overlap",
        )


def periods_overlap(first_a: int, last_a: int | None, first_b: int, last_b: int | None) -> bool:
    """Whether two membership periods share a year (a last year of None is open-ended)."""
    return (last_b is None or first_a <= last_b) and (last_a is None or first_b <= last_a)


def check_membership_period(
    *,
    bloc: Bloc,
    organization: Organization,
    first_year: int,
    last_year: int | None,
    exclude_pk: int | None = None,
) -> None:
    """Raise the ValidationError membership_create/update would raise (for forms, imports)."""
    _check_period(bloc, organization, first_year, last_year, exclude_pk=exclude_pk)


ASSIGNMENT_OVERLAPS = _(
    "%(person)s is already assigned to %(bloc)s in %(period)s; assignment periods must not overlap."
)


def check_secretary_assignment(
    *, bloc: Bloc, user: User, first_year: int, last_year: int | None, exclude_pk: int | None = None
) -> None:
    """Raise the ValidationError secretary_assignment_save would raise (for forms)."""
    if last_year is not None and last_year < first_year:
        raise ValidationError(
            {"last_year": MEMBERSHIP_YEARS_REVERSED % {"first": first_year, "last": last_year}},
            code="years_reversed",
        )
    others = SecretaryAssignment.objects.filter(bloc=bloc, user=user).exclude(pk=exclude_pk)
    for other in others:
        if periods_overlap(first_year, last_year, other.first_year, other.last_year):
            raise ValidationError(
                ASSIGNMENT_OVERLAPS
                % {
                    "person": person_name(user),
                    "bloc": bloc,
                    "period": other.period,
                },
                code="overlap",
            )


@transaction.atomic
def secretary_assignment_save(
    *,
    bloc: Bloc,
    user: User,
    first_year: int,
    last_year: int | None = None,
    assignment: SecretaryAssignment | None = None,
    actor: Actor = None,
) -> SecretaryAssignment:
    """Assign `user` to the bloc's secretariat for `first_year`–`last_year` (or change the
    years of `assignment`)."""
    Bloc.objects.select_for_update().filter(pk=bloc.pk).first()
    check_secretary_assignment(
        bloc=bloc,
        user=user,
        first_year=first_year,
        last_year=last_year,
        exclude_pk=assignment.pk if assignment else None,
    )
    assignment = assignment or SecretaryAssignment(bloc=bloc, user=user)
    assignment.first_year = first_year
    assignment.last_year = last_year
    assignment.full_clean()
    stamp(assignment, actor)
    assignment.save()
    return assignment


def check_chair_term(
    *,
    bloc: Bloc,
    year: int,
    chair: Organization,
    deputy: Organization | None,
    exclude_pk: int | None = None,
) -> None:
    """Raise the ValidationError chair_term_create/update would raise (for forms)."""
    if ChairTerm.objects.filter(bloc=bloc, year=year).exclude(pk__in=[exclude_pk]).exists():
        raise ValidationError(
            bloc.for_kind(CHAIR_TERM_EXISTS % {"bloc": bloc, "year": year}), code="term_exists"
        )
    if deputy is not None and chair.pk == deputy.pk:
        raise ValidationError({"deputy": CHAIR_IS_DEPUTY}, code="chair_is_deputy")
    _check_members(bloc, year, chair, deputy)


@transaction.atomic
def membership_create(
    *,
    bloc: Bloc,
    organization: Organization,
    first_year: int,
    last_year: int | None = None,
    rotation_order: int | None = None,
    actor: Actor = None,
) -> Membership:
    # Lock the bloc so two concurrent adds of one organization cannot both pass the check.
    Bloc.objects.select_for_update().filter(pk=bloc.pk).first()
    _check_period(bloc, organization, first_year, last_year)
    membership = Membership(
        bloc=bloc,
        organization=organization,
        first_year=first_year,
        last_year=last_year,
        rotation_order=rotation_order,
    )
    membership.full_clean()
    stamp(membership, actor)
    membership.save()
    return membership


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    first_year: int,
    last_year: int | None,
    rotation_order: int | None = None,
    actor: Actor = None,
) -> Membership:
    Bloc.objects.select_for_update().filter(pk=membership.bloc_id).first()
    _check_period(
        membership.bloc, membership.organization, first_year, last_year, exclude_pk=membership.pk
    )
    membership.first_year = first_year
    membership.last_year = last_year
    membership.rotation_order = rotation_order
    membership.full_clean()
    stamp(membership, actor)
    membership.save()
    return membership


def membership_end(*, membership: Membership, last_year: int, actor: Actor = None) -> Membership:
    """The organization leaves the bloc after `last_year`."""
    return membership_update(
        membership=membership,
        first_year=membership.first_year,
        last_year=last_year,
        rotation_order=membership.rotation_order,
        actor=actor,
    )


def _check_members(bloc: Bloc, year: int, *organizations: Organization | None) -> None:
    member_ids = {org.pk for org in members_in(bloc, year)}
    for field, org in zip(("chair", "deputy"), organizations, strict=True):
        if org is not None and org.pk not in member_ids:
            raise ValidationError(
                {field: NOT_A_MEMBER % {"organization": org, "bloc": bloc, "year": year}},
                code="not_member",
            )


@transaction.atomic
def chair_term_create(
    *,
    bloc: Bloc,
    year: int,
    chair: Organization,
    deputy: Organization | None,
    method: str = ChairTerm.Method.ROTATION,
    note: str = "",
    actor: Actor = None,
) -> ChairTerm:
    """Create the chair term of `bloc` for `year`; refuses a second term for a year."""
    Bloc.objects.select_for_update().filter(pk=bloc.pk).first()
    if ChairTerm.objects.filter(bloc=bloc, year=year).exists():
        raise ValidationError(
            bloc.for_kind(CHAIR_TERM_EXISTS % {"bloc": bloc, "year": year}), code="term_exists"
        )
    if deputy is not None and chair.pk == deputy.pk:
        raise ValidationError({"deputy": CHAIR_IS_DEPUTY}, code="chair_is_deputy")
    _check_members(bloc, year, chair, deputy)
    term = ChairTerm(bloc=bloc, year=year, chair=chair, deputy=deputy, method=method, note=note)
    stamp(term, actor)
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError as exc:  # a concurrent request created the same year first
        raise ValidationError(
            bloc.for_kind(CHAIR_TERM_EXISTS % {"bloc": bloc, "year": year}), code="term_exists"
        ) from exc
    return term


@transaction.atomic
def chair_term_update(
    *,
    term: ChairTerm,
    chair: Organization,
    deputy: Organization | None,
    method: str,
    note: str = "",
    actor: Actor = None,
) -> ChairTerm:
    if deputy is not None and chair.pk == deputy.pk:
        raise ValidationError({"deputy": CHAIR_IS_DEPUTY}, code="chair_is_deputy")
    _check_members(term.bloc, term.year, chair, deputy)
    term.chair, term.deputy, term.method, term.note = chair, deputy, method, note
    stamp(term, actor)
    term.save()
    return term


@transaction.atomic
def bloc_update_info(
    *, bloc: Bloc, locality: str, operating_rules: str, actor: Actor = None
) -> Bloc:
    """The secretariat edits the bloc's place name and operating-rules text."""
    check_year_writer(actor, bloc, current_year())
    bloc.locality = locality.strip()
    bloc.operating_rules = operating_rules.strip()
    bloc.full_clean()
    stamp(bloc, actor)
    bloc.save()
    return bloc


def next_rotation_year() -> int:
    return current_year() + 1


def chair_rotate(
    *,
    bloc: Bloc,
    chair: Organization,
    deputy: Organization | None,
    year: int | None = None,
    actor: Actor = None,
) -> ChairTerm:
    """Create next year's term by rotation (the admin action)."""
    year = year or next_rotation_year()
    if not members_in(bloc, year):
        raise ValidationError(
            bloc.for_kind(NO_MEMBERS % {"bloc": bloc, "year": year}), code="no_members"
        )
    return chair_term_create(
        bloc=bloc,
        year=year,
        chair=chair,
        deputy=deputy,
        method=ChairTerm.Method.ROTATION,
        actor=actor,
    )
