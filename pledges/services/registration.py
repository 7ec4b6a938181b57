"""A member's registration: the titles it aims for and a target per content, until the
registration deadline."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Organization
from portal.lib.history import stamp
from portal.lib.types import Actor

from ..models import EmulationTitle, Pledge, Registration, RegistrationTarget
from ..rules import check_acts_for
from .contents import ITEM_NOT_IN_PLEDGE
from .year import _check_member, _decimal, _lock, check_writable

__all__ = [
    "REGISTRATION_CLOSED",
    "TARGET_NEEDS_TEXT",
    "TARGET_NUMBER_INVALID",
    "TARGET_TWICE",
    "TITLE_INACTIVE",
    "check_registration_open",
    "registration_late",
    "registration_save",
]

REGISTRATION_CLOSED = _("Registration for %(year)s closed on %(deadline)s.")
TITLE_INACTIVE = _("“%(title)s” is no longer offered; choose another title.")
TARGET_NEEDS_TEXT = _("The target for “%(item)s” has a number but no description.")
TARGET_NUMBER_INVALID = _("The number of the target for “%(item)s” must be a number.")
TARGET_TWICE = _("“%(item)s” has two targets; keep one.")
TARGET_NEGATIVE = _("The number of the target for “%(item)s” cannot be negative.")


def registration_late(pledge: Pledge, today: datetime.date | None = None) -> bool:
    """The registration deadline (inclusive) has passed."""
    deadline = pledge.registration_deadline
    return deadline is not None and (today or timezone.localdate()) > deadline


def check_registration_open(pledge: Pledge, today: datetime.date | None = None) -> None:
    """Refuse a registration after the deadline; pure, so the pages show the same words."""
    deadline = pledge.registration_deadline  # late means there is one
    if deadline is not None and registration_late(pledge, today):
        raise ValidationError(
            REGISTRATION_CLOSED % {"year": pledge.year, "deadline": deadline.strftime("%d/%m/%Y")},
            code="registration_closed",
        )


def _clean_targets(pledge: Pledge, targets: list[dict]) -> list[dict]:
    cleaned, seen = [], set()
    for row in targets:
        item = row["item"]
        if item.pledge_id != pledge.pk:
            raise ValidationError(
                ITEM_NOT_IN_PLEDGE % {"item": item, "year": pledge.year}, code="item"
            )
        text = (row.get("text") or "").strip()
        raw_number = row.get("number")
        number = _decimal(raw_number)
        if raw_number not in (None, "") and number is None:
            raise ValidationError(TARGET_NUMBER_INVALID % {"item": item}, code="target_number")
        if number is not None and number < 0:
            raise ValidationError(TARGET_NEGATIVE % {"item": item}, code="target_negative")
        if not text:
            if number is not None:
                raise ValidationError(TARGET_NEEDS_TEXT % {"item": item}, code="target_text")
            continue  # an empty row: no target for this content
        if item.pk in seen:
            raise ValidationError(TARGET_TWICE % {"item": item}, code="target_twice")
        seen.add(item.pk)
        cleaned.append(
            {"item": item, "text": text, "number": number, "unit": (row.get("unit") or "").strip()}
        )
    return cleaned


@transaction.atomic
def registration_save(
    *,
    pledge: Pledge,
    organization: Organization,
    titles: Iterable[EmulationTitle],
    targets: list[dict],
    note: str = "",
    submit: bool = False,
    actor: Actor = None,
    today: datetime.date | None = None,
) -> Registration:
    """Save a member's registration (titles aimed for, targets per content), replacing what
    it registered before. Until the registration deadline (inclusive). `submit` marks it
    submitted to the secretariat."""
    pledge = _lock(pledge)
    check_acts_for(actor, pledge, organization)
    check_writable(pledge)
    check_registration_open(pledge, today)
    _check_member(pledge, organization)
    titles = list(titles)
    for title in titles:
        if not title.is_active:
            raise ValidationError({"titles": TITLE_INACTIVE % {"title": title}}, code="title")
    rows = _clean_targets(pledge, targets)

    registration = (
        Registration.objects.select_for_update()
        .filter(pledge=pledge, organization=organization)
        .first()
    ) or Registration(pledge=pledge, organization=organization)
    registration.note = (note or "").strip()
    registration.updated_by = actor
    if submit:
        registration.submitted_at = timezone.now()
    stamp(registration, actor)
    registration.save()
    registration.titles.set(titles)
    for target in registration.targets.all():
        stamp(target, actor)
        target.delete()
    for row in rows:
        target = RegistrationTarget(registration=registration, **row)
        target.full_clean(exclude=["registration", "item"], validate_constraints=False)
        stamp(target, actor)
        target.save()
    return registration
