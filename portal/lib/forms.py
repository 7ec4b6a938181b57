"""Form helpers every app shares: table rows of a formset, the rows a sync service takes,
a reason for a step that needs one, and a service's refusal shown on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from .text import has_control_characters

SINGLE_LINE_REFUSED = _(
    "Write this on one line: line breaks, tabs and other control characters are not accepted."
)


def validate_single_line(value: str) -> None:
    """A one-line value (title, place, name) holds no control character: a CR/LF in a meeting
    title would otherwise reach calendars and documents, and PostgreSQL refuses NUL."""
    if has_control_characters(value):
        raise ValidationError(SINGLE_LINE_REFUSED, code="control_characters")


class SingleLineCharField(forms.CharField):
    """A CharField for one-line values: control characters refused with a clear message
    (one message: it stands in for Django's own "Null characters are not allowed")."""

    default_validators = [validate_single_line]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class RowForm(forms.Form):
    """A row of a formset rendered in a table: Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif not widget.is_hidden:
                widget.attrs["class"] = "form-control form-control-sm"


def formset_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """Rows for the sync services: kept forms in order, blank extra forms and deletions left out."""
    rows = []
    for index, form in enumerate(formset.forms):
        data = dict(form.cleaned_data)
        if not data or data.pop("DELETE", False):
            continue
        if "order" in data and data["order"] is None:
            data["order"] = index + 1
        if data.get("id") is None:
            data.pop("id", None)
        rows.append(data)
    return rows


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 3})
    )


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's refusal next to the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
