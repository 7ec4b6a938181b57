"""The pledge's contents (the commitments the members sign), changed only before signing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.lib.history import stamp
from portal.lib.types import Actor

from ..models import Pledge, PledgeItem
from ..rules import check_manages
from .year import (
    ITEMS_FROZEN,
    OPEN_NEEDS_ITEMS,
    _lock,
    _status_label,
    check_writable,
    items_editable,
)

__all__ = [
    "ITEM_NOT_IN_PLEDGE",
    "ITEM_TEXT_REQUIRED",
    "pledge_save_items",
]

ITEM_TEXT_REQUIRED = _("Content %(number)s has no text.")
ITEM_NOT_IN_PLEDGE = _("Content “%(item)s” is not part of the %(year)s pledge.")


@transaction.atomic
def pledge_save_items(*, pledge: Pledge, rows: list[dict[str, Any]], actor: Actor = None) -> None:
    """Make the pledge's contents equal `rows` (text, order, and `id` for existing ones);
    contents not in `rows` are removed. Only before the pledge is signed."""
    pledge = _lock(pledge)
    check_manages(actor, pledge)
    check_writable(pledge)
    if not items_editable(pledge):
        raise ValidationError(
            ITEMS_FROZEN % {"status": _status_label(pledge.status)}, code="items_frozen"
        )
    # Keyed by what a row's id may be: a new row has none (None finds nothing).
    existing: dict[object, PledgeItem] = {item.pk: item for item in pledge.items.all()}
    for number, row in enumerate(rows, start=1):
        ident = row.get("id")
        if ident is not None and ident not in existing:
            raise ValidationError(
                ITEM_NOT_IN_PLEDGE % {"item": ident, "year": pledge.year}, code="item"
            )
        if not (row.get("text") or "").strip():
            raise ValidationError(ITEM_TEXT_REQUIRED % {"number": number}, code="item_text")
    if not rows and pledge.status == Pledge.Status.OPEN:
        raise ValidationError(OPEN_NEEDS_ITEMS, code="no_items")
    kept = set()
    for row in rows:
        item = existing.get(row.get("id")) or PledgeItem(pledge=pledge)
        text, order = row["text"].strip(), row.get("order") or 0
        if item.pk is None or (item.text, item.order) != (text, order):
            item.text, item.order = text, order
            item.full_clean(exclude=["pledge"])
            stamp(item, actor)
            item.save()
        kept.add(item.pk)
    for ident, item in existing.items():
        if ident not in kept:
            stamp(item, actor)
            item.delete()
