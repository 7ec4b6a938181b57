"""History as people read it: who (by name), when (local time), why, and what changed, in
the fields' own words ("Trạng thái: Đã ký → Đang chấm điểm", not "status: signed → scoring").

django-simple-history keeps one historical record per save; `stamp` below says who made the
next save and why. `readable_records` turns records, each with its previous version, into
`ReadableRecord`s: the admin's history pages and the portal's "Lịch sử" page show the same.
A field whose value did not really change is left out: a text that differs only by its line
endings (a browser posts "\\r\\n", a service writes "\\n") or a number only by its trailing
zeros is the same value.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.text import Truncator, capfirst, normalize_newlines
from django.utils.translation import gettext

from .numbers import format_number, format_points
from .people import person_name

# A long text (a legal basis, minutes) is shown cut to this many characters in a change.
SHOWN_TEXT_CHARS = 120


def stamp(instance: Any, actor: Any, reason: str = "") -> None:
    """Record who makes the next save of `instance` (and why, when there is a reason).

    Outside a request (a service called from a task, a command or a test) simple_history
    has no request to read the user from: it reads these two attributes instead.
    """
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason.strip()


@dataclass(frozen=True)
class Change:
    field: str  # the field's verbose name: "Trạng thái"
    old: str
    new: str


@dataclass
class ReadableRecord:
    record: Any
    when: str  # "05/03/2026 14:30", local time
    kind: str  # "Tạo mới", "Sửa", "Xóa"
    author: str  # "Trần Thị Hoa"; "" when the system made it
    reason: str  # "" when none was given
    changes: list[Change] = field(default_factory=list)
    subject: str = ""  # what the record is of: "Giao ước thi đua năm 2026"
    model_name: str = ""  # "giao ước thi đua"


def local_time(moment: datetime.datetime) -> str:
    """dd/mm/yyyy HH:MM in the portal's time zone, whatever the language."""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def history_kind(record: Any) -> str:
    return {
        "+": gettext("Created"),
        "~": gettext("Changed"),
        "-": gettext("Deleted"),
    }.get(record.history_type, record.history_type)


def reason_of(record: Any) -> str:
    return (record.history_change_reason or "").strip()


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a change lists: the model's concrete fields, without the primary key and
    the derived columns nobody edits or names (accent-free search and sort keys)."""
    shown = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if not f.editable and getattr(f, "_verbose_name", None) is None:
            continue
        shown.append(f)
    return shown


def _same(old: Any, new: Any) -> bool:
    """Equal values; texts compared whatever their line endings (Decimal("2.50") equals
    Decimal("2.5") already)."""
    if isinstance(old, str) and isinstance(new, str):
        return bool(normalize_newlines(old) == normalize_newlines(new))
    return bool(old == new)


def _value(f: models.Field, value: Any, related: dict[tuple[Any, Any], str]) -> str:
    """One value as a reader writes it."""
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return related.get((f.related_model, value), f"#{value}")
    if f.flatchoices:
        labels = dict(f.flatchoices)
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        return local_time(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(f, models.DecimalField) and f.decimal_places is not None:
        return format_points(value, f.decimal_places)  # "9,00 → 8,00", as the sheets show
    if isinstance(value, Decimal | float):
        return format_number(value)
    if isinstance(value, models.fields.files.FieldFile) or isinstance(f, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    text = " ".join(normalize_newlines(str(value)).split())
    return Truncator(text).chars(SHOWN_TEXT_CHARS)


def _raw_changes(record: Any, previous: Any) -> list[tuple[models.Field, Any, Any]]:
    model = record.instance_type
    found = []
    for f in tracked_fields(model):
        old, new = getattr(previous, f.attname, None), getattr(record, f.attname, None)
        if not _same(old, new):
            found.append((f, old, new))
    return found


def _related_names(wanted: dict[Any, set[Any]]) -> dict[tuple[Any, Any], str]:
    """One query per related model for every object a page of changes names."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    names: dict[tuple[Any, Any], str] = {}
    for model, ids in wanted.items():
        rows = model._default_manager.filter(pk__in=ids)
        for obj in rows:
            names[(model, obj.pk)] = person_name(obj) if model is user_model else str(obj)
    return names


def readable_records(
    pairs: Iterable[tuple[Any, Any | None]],
    subject_fields: dict[type[models.Model], tuple[str, ...]] | None = None,
) -> list[ReadableRecord]:
    """Each (record, previous record or None) as a ReadableRecord, in the given order.

    `record.history_user` should be selected with the records (select_related); the objects
    the changes name (a host, an organization) are read in one query per model.
    `subject_fields` names, per model, the fields that say what a version is of; without
    them `subject` stays "" (the admin's page is of one object)."""
    pairs = list(pairs)
    subject_fields = subject_fields or {}
    raw = [(_raw_changes(rec, prev) if prev is not None else []) for rec, prev in pairs]
    wanted: dict[Any, set[Any]] = defaultdict(set)
    for (record, _previous), changes in zip(pairs, raw, strict=True):
        for f, old, new in changes:
            if f.is_relation:
                wanted[f.related_model] |= {v for v in (old, new) if v is not None}
        for f in _subject_fields(record, subject_fields):
            value = getattr(record, f.attname)
            if f.is_relation and value is not None:
                wanted[f.related_model].add(value)
    related = _related_names(wanted)
    readable = []
    for (record, _previous), changes in zip(pairs, raw, strict=True):
        model = record.instance_type
        named = [
            _value(f, getattr(record, f.attname), related)
            for f in _subject_fields(record, subject_fields)
        ]
        readable.append(
            ReadableRecord(
                record=record,
                when=local_time(record.history_date),
                kind=history_kind(record),
                author=person_name(record.history_user),
                reason=reason_of(record),
                changes=[
                    Change(
                        capfirst(str(f.verbose_name)),
                        _value(f, old, related),
                        _value(f, new, related),
                    )
                    for f, old, new in changes
                ],
                subject=" – ".join(named),
                model_name=capfirst(str(model._meta.verbose_name)),
            )
        )
    return readable


def _subject_fields(record: Any, subject_fields: dict) -> list[models.Field]:
    model = record.instance_type
    return [model._meta.get_field(name) for name in subject_fields.get(model, ())]


def readable_changes(record: Any, previous: Any | None) -> list[Change]:
    """What changed from `previous` to `record` (both historical records of one object)."""
    return readable_records([(record, previous)])[0].changes


def with_previous(records: Sequence[Any], older: Any | None = None) -> list[tuple[Any, Any]]:
    """(record, previous) pairs of one object's records listed newest first; `older` is the
    record just before the last one listed (from the next page), or None."""
    pairs = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else older
        pairs.append((record, previous))
    return pairs
