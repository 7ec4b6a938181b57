"""Spreadsheets an admin can read and write back: django-import-export resources whose
columns are named by the fields' labels ("Tên", "Loại hình") and whose codes are written as
their labels ("Khác", "Cấp tỉnh"); an import reads those labels back, in Vietnamese or
English, as well as the codes ("name", "other") older files use.

Every row is checked: a value that matches nothing (a bloc's name that is not a bloc) refuses
its row with the column and the value, the other rows are checked all the same and the good
ones listed in the preview beside the refused ones (see `preview_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets

from .text import fold


def _both_languages(label: Any) -> set[str]:
    """The folded label in the active language and in English."""
    with translation.override("en"):
        english = str(label)
    return {fold(str(label)), fold(english)}


class ChoicesWidget(widgets.Widget):
    """A choice written as its label ("Cấp tỉnh"); read back from its label in Vietnamese or
    English, or its stored code, in any case, with or without accents."""

    def __init__(self, choices: Any, default: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices
        self.default = default

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value in (None, ""):
            return self.default
        wanted = fold(str(value))
        for stored, label in self.choices:
            if wanted == fold(stored) or wanted in _both_languages(label):
                return stored
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(str(label) for _v, label in self.choices)}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.BooleanWidget):
    """A yes/no column written "Có" / "Không"; read back from those, "yes"/"no" and 1/0."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value in self.NULL_VALUES:
            return None
        folded = fold(str(value))
        if value in self.TRUE_VALUES or folded in _both_languages(_("Yes")) | {"x"}:
            return True
        if value in self.FALSE_VALUES or folded in _both_languages(_("No")):
            return False
        raise ValueError(_("“%(value)s” is neither yes nor no.") % {"value": value})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return gettext("Yes") if value else gettext("No")


class NamedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related object given by its name: a name that matches none (or several) refuses the
    row, saying which name, instead of a bare "matching query does not exist"."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(
                _("No %(model)s is named “%(value)s”.")
                % {"model": self.model._meta.verbose_name, "value": value}
            ) from None
        except MultipleObjectsReturned:
            raise ValueError(
                _("Several %(model)s are named “%(value)s”.")
                % {"model": self.model._meta.verbose_name_plural, "value": value}
            ) from None


class LabelledResource(resources.ModelResource):
    """Column names are the fields' labels (in the active language) on export; on import, a
    column may be named by the label in Vietnamese or English, or by the field's code."""

    def column_label(self, field: Any) -> str:
        attribute = (field.attribute or field.column_name).split("__")[0]
        try:
            return capfirst(str(self._meta.model._meta.get_field(attribute).verbose_name))
        except FieldDoesNotExist:
            return str(field.column_name)

    def get_export_headers(self, selected_fields: Any = None) -> list[str]:
        return [self.column_label(f) for f in self.get_export_fields(selected_fields) if f]

    def column_labels(self) -> list[str]:
        """The preview's headers. (`get_diff_headers` stays the codes: import-export reads a
        refused row's values by them.)"""
        return [self.column_label(f) for f in self.get_import_fields()]

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        """Rename the file's columns to the fields' codes, which the rows are read by."""
        names: dict[str, str] = {}
        for field in self.fields.values():
            code = str(field.column_name)
            names[fold(code)] = code
            for spelling in _both_languages(self.column_label(field)):
                names.setdefault(spelling, code)
        if dataset.headers:
            dataset.headers = [names.get(fold(str(h or "")), h) for h in dataset.headers]
        super().before_import(dataset, **kwargs)

    def import_field(
        self, field: Any, instance: Any, row: Any, is_m2m: bool = False, **kwargs: Any
    ) -> None:
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except (ArithmeticError, TypeError):
            raise unreadable(field, row) from None

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        """The row's existing object; a column that finds it (a bloc's name) but names
        nothing refuses the row like any other value, column and value said."""
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                field.clean(row)
            except (ArithmeticError, TypeError):
                errors[field.attribute] = ValidationError(str(unreadable(field, row)))
            except ValueError as exc:
                errors[field.attribute] = ValidationError(str(exc), code="invalid")
        if errors:
            raise ValidationError(errors)
        return super().get_instance(instance_loader, row)


def unreadable(field: Any, row: Any) -> ValueError:
    """A value the column's widget cannot convert (a number column's "năm sau": Decimal
    raises InvalidOperation, which import-export reports as a crash of the row)."""
    value = row.get(field.column_name, "")
    numeric = (widgets.IntegerWidget, widgets.DecimalWidget, widgets.FloatWidget)
    if isinstance(field.widget, numeric):
        return ValueError(_("“%(value)s” is not a number.") % {"value": value})
    return ValueError(_("“%(value)s” cannot be read in this column.") % {"value": value})


# The preview -----------------------------------------------------------------------------


@dataclass
class PreviewRow:
    number: int
    status: str  # "new", "update", "skip", "delete", "invalid"
    status_label: str
    errors: list[str]  # "Khối: Không có khối thi đua nào tên “Khối 9”."
    cells: list[Any]


def _status_labels() -> dict[str, str]:
    return {
        "new": gettext("New"),
        "update": gettext("Update"),
        "skip": gettext("Skipped"),
        "delete": gettext("Delete"),
        "invalid": gettext("Refused"),
    }


def preview_rows(result: Any, resource: Any) -> list[PreviewRow]:
    """Every row of an import's result in the file's order, good and refused alike, each
    refused one with its reasons named by column. (Every row is reported: the resources
    report skipped rows too, so the n-th result is the file's n-th row.)"""
    labels = {f.attribute: resource.column_label(f) for f in resource.get_import_fields()}
    refused_rows = iter(result.invalid_rows)
    statuses = _status_labels()
    rows: list[PreviewRow] = []
    for number, row_result in enumerate(result.rows, start=1):
        kind = row_result.import_type
        if kind == "invalid":
            refused = next(refused_rows)
            errors = []
            for field, messages in refused.error_dict.items():
                for message in messages:
                    if field == NON_FIELD_ERRORS:
                        errors.append(str(message))
                    else:
                        errors.append(f"{labels.get(field, field)}: {message}")
            rows.append(PreviewRow(refused.number, kind, statuses[kind], errors, refused.values))
        elif kind in statuses:
            cells = [SafeString(c) if c is not None else "" for c in (row_result.diff or [])]
            rows.append(PreviewRow(number, kind, statuses[kind], [], cells))
    return rows
