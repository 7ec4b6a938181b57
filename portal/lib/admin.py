"""Admin behaviour every app's admin shares: accent-free search, service refusals shown as
form errors (never a half-saved change), and imports that are all or nothing."""

from __future__ import annotations

import itertools
from io import BytesIO
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from .dates import current_year
from .forms import add_service_errors
from .history import readable_records, with_previous
from .imports import LabelledResource, preview_rows
from .spreadsheets import escape_text_value, text_cells_only_xlsx
from .text import fold


def estimated_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's own estimate of a table's rows (pg_class.reltuples, kept by ANALYZE and
    autovacuum), or None where there is none (another database, a table never analysed)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """Counts a changelist exactly unless it is a whole big table: then the planner's
    estimate, so that opening the scores changelist does not COUNT(*) twenty million rows.
    A filtered or searched list is always counted exactly. `estimated` tells the page to
    say "about" (templates/admin/pagination.html)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.where:
            estimate = estimated_rows(rows)
            if estimate is not None and estimate >= settings.ADMIN_EXACT_COUNT_LIMIT:
                self.estimated = True
                return estimate
        return super().count


class LargeTableMixin:
    """For the changelists of tables that grow with every year (scores, meetings,
    memberships): one count, estimated when the table is whole and big."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Fifty rows, as the organizations' list and the portal's history page: these tables are
    # searched and filtered, not read through, and each row costs the page about 0.8 ms.
    list_per_page = 50
    # Facets count the rows of every filter choice over the whole table, on every page.
    show_facets = admin.ShowFacets.NEVER

    def action_checkbox(self, obj: Any) -> str:
        """Django's row checkbox, the same markup written directly: Django renders it
        through a form widget template, about 1 ms a row, a third of a 100-row page."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )


class NameContainsFilter(admin.SimpleListFilter):
    """A filter by a related row typed by part of its name ("khoi 12", accents optional),
    instead of Django's list of every bloc in the sidebar: at national scale that list is
    thousands of links read on every page of the changelist. Subclasses name the folded
    column to match (`folded_field`, e.g. "bloc__search_name")."""

    template = "admin/name_contains_filter.html"
    folded_field = ""

    def lookups(self, request, model_admin):
        return []

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        folded = fold(self.value() or "")
        if not folded:
            return queryset
        return queryset.filter(**{f"{self.folded_field}__contains": folded})

    def choices(self, changelist):
        # One "choice": what the template needs to draw its small form.
        others = [
            (name, value)
            for name, value in changelist.params.items()
            if name not in (self.parameter_name, PAGE_VAR)
        ]
        yield {
            "selected": bool(self.value()),
            "parameter": self.parameter_name,
            "value": self.value() or "",
            "others": others,
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }


class RecentYearFilter(admin.SimpleListFilter):
    """The emulation years as fixed links, this and the next year back ten: Django's own
    filter of a year column runs a DISTINCT over the whole table on every page. Any other
    year still filters when given in the address. Subclasses name `year_field`."""

    title = _("emulation year")
    parameter_name = "year"
    year_field = "year"
    years_back = 10

    def lookups(self, request, model_admin):
        this = current_year()
        return [(str(y), str(y)) for y in range(this + 1, this - self.years_back, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.year_field: int(value)})
        return queryset


class NarrowingNameFilter(NameContainsFilter):
    """A `NameContainsFilter` for the biggest tables (scores, sheets): the few ids of the
    matching parents (`parents(folded)`, e.g. the sheets of the matching blocs) are read
    first and given as a list. Joined instead, the planner walks the whole table along the
    list's order, testing each row (2.5 s for one bloc's scores at a tenth of the national
    data; 0.3 ms with the list). A name matching many parents (more than `most`) has rows
    everywhere, where that walk finds a page at once: then the join."""

    id_field = ""
    most = 5_000

    def parents(self, folded: str) -> QuerySet:
        raise NotImplementedError

    def queryset(self, request, queryset):
        folded = fold(self.value() or "")
        if not folded:
            return queryset
        ids = list(self.parents(folded).values_list("pk", flat=True)[: self.most + 1])
        if len(ids) > self.most:
            return super().queryset(request, queryset)
        return queryset.filter(**{f"{self.id_field}__in": ids})


def name_filter(
    folded_field: str,
    title: Any,
    parameter_name: str,
    *,
    parents: Any = None,
    id_field: str = "",
) -> type[NameContainsFilter]:
    """A `NameContainsFilter` over `folded_field` (a `search_name` column, lookups allowed);
    with `parents` (folded text -> queryset) and `id_field`, a `NarrowingNameFilter`."""
    attributes = {"folded_field": folded_field, "title": title, "parameter_name": parameter_name}
    if parents is None:
        return type("NameContainsFilter", (NameContainsFilter,), attributes)
    attributes |= {"id_field": id_field, "parents": lambda self, folded: parents(folded)}
    return type("NarrowingNameFilter", (NarrowingNameFilter,), attributes)


def year_filter(year_field: str) -> type[RecentYearFilter]:
    """A `RecentYearFilter` over `year_field` (lookups allowed)."""
    return type("RecentYearFilter", (RecentYearFilter,), {"year_field": year_field})


class FoldedSearchMixin:
    """Also match the accent-free `search_name` columns, so "thanh doan" finds "Thành đoàn"."""

    folded_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded and self.folded_search_fields:
            condition = Q()
            for field in self.folded_search_fields:
                condition |= Q(**{f"{field}__contains": folded})
            results = results | queryset.filter(condition)
        return results, may_have_duplicates


class ServiceRefusalMixin:
    """A service may still refuse at save time (a concurrent change since the form was
    checked). The admin's transaction is then rolled back and the refusal shown."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def kept_forms(formset) -> list[forms.BaseForm]:
    """The forms whose rows remain after saving: kept and new rows, not deleted or empty ones."""
    kept = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or formset._should_delete_form(form):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        kept.append(form)
    return kept


def adopt(obj, saved) -> None:
    """Make the admin's unsaved instance stand for the row a service created."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


class ReadOnlyInlineMixin:
    """Rows the portal's services create (attachments, decisions, signatures, scores): shown,
    never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceCheckedForm(forms.ModelForm):
    """Runs `service_check()` once the model's own validation (constraints) passed, so a
    refusal shows once, in the service's words."""

    def service_check(self) -> None:
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            self.service_check()
        except ValidationError as exc:
            add_service_errors(self, exc)


class LabelledExportForm(SelectableFieldsExportForm):
    """The export page names the columns to choose by the model's (Vietnamese) field names,
    not by their code ("Short Name" for short_name); the file's column names stay the ones
    the import reads."""

    def _get_field_label(self, resource: Any, field_name: str) -> str:
        field = resource.fields.get(field_name)
        attribute = (getattr(field, "attribute", None) or field_name).split("__")[0]
        try:
            label = resource._meta.model._meta.get_field(attribute).verbose_name
        except FieldDoesNotExist:
            return super()._get_field_label(resource, field_name)
        return capfirst(label)


class TooManyRows(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def count_rows_upto(in_stream, limit: int) -> int:
    """Data rows (below the header) of an import file, counting no further than limit + 1:
    a small xlsx can hold hundreds of thousands of rows, and loading them all is the cost."""
    if isinstance(in_stream, bytes | bytearray) and bytes(in_stream[:2]) == b"PK":
        import openpyxl

        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(values_only=True)
            counted = sum(1 for _ in itertools.islice(rows, limit + 2))
        finally:
            book.close()
        return max(counted - 1, 0)
    if isinstance(in_stream, bytes | bytearray):
        in_stream = bytes(in_stream).decode("utf-8", errors="replace")
    if isinstance(in_stream, str):
        return max(len(in_stream.strip().splitlines()) - 1, 0)
    return 0


def limited_format(format_class: type) -> type:
    """The import format, refusing a file of more than PORTAL_IMPORT_MAX_ROWS rows before
    reading it whole."""

    class Limited(format_class):
        def create_dataset(self, in_stream):
            limit = settings.PORTAL_IMPORT_MAX_ROWS
            if count_rows_upto(in_stream, limit) > limit:
                raise TooManyRows(limit)
            dataset = super().create_dataset(in_stream)
            if len(dataset) > limit:  # formats the count above cannot read (ods, xls)
                raise TooManyRows(limit)
            return dataset

    Limited.__name__ = Limited.__qualname__ = format_class.__name__
    return Limited


# The formats the admin offers, whatever else tablib could write: import-export's default
# list grows with what is installed (xls with xlwt, ods with odfpy), and a format nobody
# checked must not appear because a library came in with another package.
OFFERED_FORMATS = (
    base_formats.CSV,
    base_formats.XLSX,
    base_formats.TSV,
    base_formats.JSON,
    base_formats.YAML,
    base_formats.HTML,
)


def formula_safe_format(format_class: type) -> type:
    """The export format, writing formula-like texts as text (portal/lib/spreadsheets.py):
    xlsx cells are made text cells; every other format, text or binary (an xls or ods
    would open in a spreadsheet as well), gets the leading apostrophe in its values."""

    class Safe(format_class):
        def export_data(self, dataset, **kwargs):
            if self.get_extension() == "xlsx":
                return text_cells_only_xlsx(super().export_data(dataset, **kwargs))
            return super().export_data(_escaped(dataset), **kwargs)

    Safe.__name__ = Safe.__qualname__ = format_class.__name__
    return Safe


def _escaped(dataset):
    import tablib

    escaped = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        escaped.append([escape_text_value(value) for value in row])
    return escaped


class AllOrNothingImportMixin(ImportExportMixin):
    """A confirmed import that meets a refused row (the data changed since the preview)
    rolls the whole file back and says so, instead of importing the other rows.

    An import file larger than PORTAL_IMPORT_MAX_BYTES or with more than PORTAL_IMPORT_MAX_ROWS
    rows is refused with a message before it is read whole: nothing is imported."""

    @property
    def formats(self):
        return [f for f in OFFERED_FORMATS if f.is_available()]

    def get_import_formats(self):
        return [limited_format(f) for f in super().get_import_formats()]

    def get_export_formats(self):
        return [formula_safe_format(f) for f in super().get_export_formats()]

    def import_action(self, request, **kwargs):
        upload = request.FILES.get("import_file") if request.method == "POST" else None
        limit = settings.PORTAL_IMPORT_MAX_BYTES
        if upload is not None and upload.size > limit:
            self.message_user(
                request,
                gettext("The file is %(size)s; an import may be at most %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                level=messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is not None:
            self._label_import_page(request, context)
        return response

    def _label_import_page(self, request, context: dict) -> None:
        """The import page names the columns by their labels (the file may use them) and its
        preview lists every row, the refused ones with their reasons (portal/lib/imports)."""
        resources = [cls() for cls in self.get_import_resource_classes(request)]
        labelled = [r for r in resources if isinstance(r, LabelledResource)]
        if labelled:
            context["fields_list"] = [
                (r.get_display_name(), [r.column_label(f) for f in r.get_user_visible_fields()])
                for r in labelled
            ]
        result, form = context.get("result"), context.get("form")
        if result is None or form is None or not hasattr(form, "cleaned_data"):
            return
        resource = self.choose_import_resource_class(form, request)()
        if isinstance(resource, LabelledResource) and not result.has_errors():
            context["preview_rows"] = preview_rows(result, resource)
            context["preview_headers"] = resource.column_labels()

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, TooManyRows):
            form.add_error(
                "import_file",
                ngettext(
                    "The file has more than %(limit)d row; import it in smaller files.",
                    "The file has more than %(limit)d rows; import it in smaller files.",
                    e.limit,
                )
                % {"limit": e.limit},
            )
            return
        super().add_data_read_fail_error_to_form(form, e)

    export_form_class = LabelledExportForm

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.setdefault("rollback_on_validation_errors", True)
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                gettext(
                    "Nothing was imported: some rows are refused now (the data changed "
                    "since the preview). Import the file again to see why."
                ),
                level=messages.ERROR,
            )
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_import"
            return HttpResponseRedirect(reverse(name, current_app=self.admin_site.name))
        return super().process_result(result, request)


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, read-only: its "history" pages show every version, but
    the form of an old version saves nothing. simple-history's own view saves a posted form
    (a revert) even with SIMPLE_HISTORY_REVERT_DISABLED, which only hides the button; a
    revert would go around the services' rules and rewrite what the history records.

    The list reads as people read it (portal/lib/history.py): local time, names, labels."""

    object_history_list_template = "admin/history/object_history_list.html"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        # The oldest version of the page is compared with the one before it (next page).
        older = records[-1].prev_record if records else None
        # on the page itself: the admin instance is shared by every request
        historical_records.readable = readable_records(with_previous(records, older))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
