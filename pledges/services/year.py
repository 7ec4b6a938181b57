"""What every write of the emulation year shares: a closed pledge refuses every write
(`check_writable`), contents and criteria change only before signing, the status order,
members and meetings of the pledge's year; the messages other modules reuse."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, Organization

from ..models import Pledge
from ..selectors import members_of

if TYPE_CHECKING:
    from blocs.models import Meeting

__all__ = [
    "CAP_NEGATIVE",
    "CRITERIA_FROZEN",
    "ITEMS_FROZEN",
    "MEETING_NOT_OF_PLEDGE",
    "NOT_A_MEMBER",
    "OPEN_NEEDS_CRITERIA",
    "OPEN_NEEDS_ITEMS",
    "PLEDGE_CLOSED",
    "STATUS_ORDER",
    "check_writable",
    "criteria_editable",
    "items_editable",
    "next_status",
]

PLEDGE_CLOSED = _(
    "The %(year)s pledge is closed: nothing can be changed until it is reopened with a reason."
)
CAP_NEGATIVE = _("A cap cannot be negative; %(value)s was given.")
MEETING_NOT_OF_PLEDGE = _("“%(meeting)s” is not a meeting of %(bloc)s in %(year)s.")
NOT_A_MEMBER = _("%(organization)s is not a member of %(bloc)s in %(year)s.")
ITEMS_FROZEN = _(
    "The pledge is “%(status)s”: its contents were fixed when it was signed and can no longer "
    "change."
)
CRITERIA_FROZEN = _(
    "The pledge is “%(status)s”: its criteria and points were fixed when it was signed and can "
    "no longer change."
)
OPEN_NEEDS_ITEMS = _("Add at least one content to the pledge before opening it for signing.")
OPEN_NEEDS_CRITERIA = _("Add at least one criterion before opening the pledge for signing.")

# Plain strings to the type checker (a Status is a str): pledge.status is looked up in it.
STATUS_ORDER: list[str] = [
    Pledge.Status.DRAFT,
    Pledge.Status.OPEN,
    Pledge.Status.SIGNED,
    Pledge.Status.SCORING,
    Pledge.Status.CLOSED,
]
EDITABLE_CONTENT = (Pledge.Status.DRAFT, Pledge.Status.OPEN)


def _points(value: Decimal | int | float | str) -> str:
    """A number of points as people write it: 40, 40.5, 40.01 (localized separator)."""
    value = Decimal(value)
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return formats.number_format(Decimal(text), use_l10n=True)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _status_label(status: str) -> str:
    return str(Pledge.Status(status).label)


def _lock(pledge: Pledge) -> Pledge:
    """The pledge row, locked for this transaction and fresh from the database."""
    return Pledge.objects.select_for_update().select_related("bloc").get(pk=pledge.pk)


def check_writable(pledge: Pledge) -> None:
    """Refuse any write to a closed pledge (or to anything of it)."""
    if pledge.is_closed:
        raise ValidationError(PLEDGE_CLOSED % {"year": pledge.year}, code="closed")


def _check_member(pledge: Pledge, organization: Organization, field: str = "organization") -> None:
    if organization.pk not in {o.pk for o in members_of(pledge)}:
        raise ValidationError(
            {
                field: NOT_A_MEMBER
                % {"organization": organization, "bloc": pledge.bloc, "year": pledge.year}
            },
            code="not_member",
        )


def items_editable(pledge: Pledge) -> bool:
    """Contents change only before the pledge is signed."""
    return pledge.status in EDITABLE_CONTENT


def criteria_editable(pledge: Pledge) -> bool:
    """The criteria and their points change only before the pledge is signed."""
    return pledge.status in EDITABLE_CONTENT


def _check_criteria_editable(pledge: Pledge) -> None:
    check_writable(pledge)
    if not criteria_editable(pledge):
        raise ValidationError(
            CRITERIA_FROZEN % {"status": _status_label(pledge.status)}, code="criteria_frozen"
        )


def _check_meeting(meeting: Meeting | None, bloc: Bloc, year: int, field: str) -> None:
    """The meeting must be the bloc's, of the pledge's year; a signing or launch meeting may
    also be last year's review, where next year's pledge is often signed (Lê Chân signed its
    2021 pledge at the review of 2020 on 07/01/2021)."""
    if meeting is None:
        return
    years = {year, year - 1} if field in ("meeting", "launch_meeting") else {year}
    if meeting.bloc_id != bloc.pk or meeting.year not in years:
        raise ValidationError(
            {field: MEETING_NOT_OF_PLEDGE % {"meeting": meeting, "bloc": bloc, "year": year}},
            code="meeting",
        )


def next_status(pledge: Pledge) -> str | None:
    """The status the pledge may move on to (None when closed: only reopening)."""
    index = STATUS_ORDER.index(pledge.status)
    return STATUS_ORDER[index + 1] if index + 1 < len(STATUS_ORDER) else None
