"""Moving the year on (draft → open → signed → scoring → closed) and reopening a closed
year with a reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.lib.events import emit
from portal.lib.history import stamp
from portal.lib.types import Actor

from ..models import Pledge
from ..rules import check_manages
from .criteria import _tree, check_criteria_tree
from .year import (
    OPEN_NEEDS_CRITERIA,
    OPEN_NEEDS_ITEMS,
    _lock,
    _status_label,
    check_writable,
    next_status,
)

__all__ = [
    "REOPEN_NEEDS_REASON",
    "REOPEN_NOT_CLOSED",
    "STATUS_NOT_NEXT",
    "pledge_reopen",
    "pledge_set_status",
]

STATUS_NOT_NEXT = _(
    "The pledge is “%(current)s”: it can only move on to “%(next)s”, not to “%(target)s”."
)
REOPEN_NOT_CLOSED = _("Only a closed pledge can be reopened; this one is “%(status)s”.")
REOPEN_NEEDS_REASON = _("Give the reason for reopening the closed pledge.")


@transaction.atomic
def pledge_set_status(*, pledge: Pledge, status: str, actor: Actor = None) -> Pledge:
    """Move the pledge one step on: draft → open → signed → scoring → closed.

    Opening needs at least one content and a valid criteria tree with at least one criterion.
    """
    original = pledge
    pledge = _lock(pledge)
    check_manages(actor, pledge)
    check_writable(pledge)
    following = next_status(pledge)
    if following is None:  # only a closed pledge has no next status, refused just above
        raise AssertionError("a pledge that is not closed has a next status")
    if status != following:
        target = _status_label(status) if status in Pledge.Status.values else status
        raise ValidationError(
            STATUS_NOT_NEXT
            % {
                "current": _status_label(pledge.status),
                "next": _status_label(following),
                "target": target,
            },
            code="status",
        )
    if status == Pledge.Status.OPEN:
        if not pledge.items.exists():
            raise ValidationError(OPEN_NEEDS_ITEMS, code="no_items")
        tree = _tree(pledge)
        if not tree:
            raise ValidationError(OPEN_NEEDS_CRITERIA, code="no_criteria")
        check_criteria_tree(tree)
    pledge.status = status
    stamp(pledge, actor)
    pledge.save()
    original.status = pledge.status
    if status == Pledge.Status.OPEN:
        emit("pledges.pledge_opened", pledge=pledge, actor=actor)
    return pledge


@transaction.atomic
def pledge_reopen(*, pledge: Pledge, reason: str, actor: Actor = None) -> Pledge:
    """A closed pledge goes back to scoring; the reason stays in the history."""
    original = pledge
    pledge = _lock(pledge)
    check_manages(actor, pledge)
    if not pledge.is_closed:
        raise ValidationError(
            REOPEN_NOT_CLOSED % {"status": _status_label(pledge.status)}, code="not_closed"
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": REOPEN_NEEDS_REASON}, code="no_reason")
    pledge.status = Pledge.Status.SCORING
    stamp(pledge, actor, reason)  # the reason, stripped, stays in the history
    pledge.save()
    original.status = pledge.status
    return pledge
