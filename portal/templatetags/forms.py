"""`{% error_summary form formset … %}`: the errors of a long form listed at its top, each a
link to its field, so that a mistake in row 38 of a grid is not found by scrolling."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    label: str
    message: str
    anchor: str


def _forms(items: Iterable[Any]) -> Iterator[forms.BaseForm | forms.BaseFormSet]:
    for item in items:
        if item is None:
            continue
        if isinstance(item, forms.BaseForm | forms.BaseFormSet):
            yield item
        elif isinstance(item, Iterable) and not isinstance(item, str):
            yield from _forms(item)


def _label(form: forms.BaseForm, name: str | None) -> str:
    """The field's label, after the row's own name (`summary_label`) for a row of a grid."""
    row = str(getattr(form, "summary_label", "") or "")
    field = str(form.fields[name].label or name) if name in form.fields else ""
    return " – ".join(part for part in (row, field) if part)


def _anchor(form: forms.BaseForm, name: str | None) -> str:
    """The id of the field's input; a row's own errors point at its first visible field."""
    names = [name] if name in form.fields else []
    names += [n for n, f in form.fields.items() if not f.widget.is_hidden]
    for candidate in names:
        widget_id = form[candidate].id_for_label
        if widget_id:
            return widget_id
    return ""


def summary_items(*items: Any) -> list[SummaryItem]:
    """Every error of the bound forms and formsets given (lists of them too), in page order."""
    found: list[SummaryItem] = []
    for item in _forms(items):
        if isinstance(item, forms.BaseFormSet):
            if not item.is_bound:
                continue
            for message in item.non_form_errors():
                found.append(SummaryItem("", message, ""))
            found.extend(summary_items(list(item.forms)))
            continue
        if not item.is_bound:
            continue
        for name, errors in item.errors.items():
            field = None if name == forms.forms.NON_FIELD_ERRORS else name
            for message in errors:
                found.append(SummaryItem(_label(item, field), message, _anchor(item, field)))
    return found


@register.inclusion_tag("includes/_error_summary.html")
def error_summary(*items: Any) -> dict[str, Any]:
    return {"items": summary_items(*items)}
