"""Admin behaviour every app's admin shares: accent-free search, service refusals shown as
form errors (never a half-saved change), and imports that are all or nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext
from import_export.admin import ImportExportMixin
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from .forms import add_service_errors
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
    A filtered or searched list is always counted exactly."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.where:
            estimate = estimated_rows(rows)
            if estimate is not None and estimate >= settings.ADMIN_EXACT_COUNT_LIMIT:
                return estimate
        return super().count


class LargeTableMixin:
    """For the changelists of tables that grow with every year (scores, meetings,
    memberships): one count, estimated when the table is whole and big."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator


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


class AllOrNothingImportMixin(ImportExportMixin):
    """A confirmed import that meets a refused row (the data changed since the preview)
    rolls the whole file back and says so, instead of importing the other rows."""

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
    revert would go around the services' rules and rewrite what the history records."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
