"""The admin of meetings: the record inline, locked once the minutes are approved; every
write through the meeting services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.lib.admin import (
    FoldedSearchMixin,
    LargeTableMixin,
    ReadOnlyInlineMixin,
    ServiceCheckedForm,
    ServiceRefusalMixin,
    adopt,
    kept_forms,
    name_filter,
    year_filter,
)
from portal.lib.admin import HistoryAdmin as SimpleHistoryAdmin

from .. import selectors, services
from ..models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingDecision,
    MeetingPerson,
)

# ---------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------
# Approved minutes are read-only here as in the portal, for everyone (superusers too):
# reopening takes a reason and is done in the portal. Status changes (held, approved,
# reopened), elections and membership changes also happen there, through the services;
# the admin shows them read-only.


class MeetingAdminForm(ServiceCheckedForm):
    class Meta:
        model = Meeting
        fields = [
            "bloc",
            "year",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "host",
            "minutes",
            "conclusions",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "bloc" in self.fields:
            # meeting_update does not move a meeting to another bloc.
            self.fields["bloc"].disabled = True

    def service_check(self) -> None:
        instance = self.instance
        # The same rule meeting_create/meeting_update apply (kind's window of the year).
        services.check_meeting_times(
            instance.kind, instance.year, instance.starts_at, instance.ends_at
        )


class LockedMeetingInlineMixin:
    """No adding, changing or deleting rows of a meeting whose minutes are approved."""

    def _locked(self, obj) -> bool:
        return obj is not None and obj.is_locked

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class MeetingPersonInline(LockedMeetingInlineMixin, admin.TabularInline):
    model = MeetingPerson
    fields = ["role", "name", "position", "organization", "order"]
    extra = 0
    verbose_name_plural = _("presiding persons, secretary and guests")


class AttendanceInlineFormSet(forms.BaseInlineFormSet):
    """Only organizations that are members of the bloc in the meeting's year."""

    def clean(self):
        super().clean()
        meeting = self.instance
        if not meeting.bloc_id or not meeting.year:
            return
        member_ids = {org.pk for org in selectors.members_in(meeting.bloc, meeting.year)}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("organization"):
                continue
            org = data["organization"]
            if org.pk not in member_ids:
                form.add_error(
                    "organization",
                    services.ATTENDANCE_NOT_MEMBER
                    % {
                        "organization": org,
                        "year": meeting.year,
                        "kind_word": meeting.bloc.kind_word,
                    },
                )


class AttendanceInline(LockedMeetingInlineMixin, admin.TabularInline):
    model = Attendance
    formset = AttendanceInlineFormSet
    fields = ["organization", "status", "representative", "representative_position"]
    autocomplete_fields = ["organization"]
    extra = 0
    verbose_name_plural = _("attendance of the member organizations")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


class AgendaItemInline(LockedMeetingInlineMixin, admin.TabularInline):
    model = AgendaItem
    fields = ["order", "title", "presenter", "outcome"]
    extra = 0


class MeetingAttachmentInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = MeetingAttachment
    # No link to the stored file: attachments are served only through the portal,
    # to those who may see the meeting.
    fields = [
        "kind",
        "title",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class MeetingDecisionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = MeetingDecision
    fields = ["kind", "sentence", "year", "organization", "deputy", "decided_by", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("meeting__bloc", "organization", "deputy", "decided_by")
        )


def _formset_rows(formset, fields: list[str]) -> list[dict]:
    """The inline's rows as they should be after saving: kept and new rows, not deleted ones.
    Call after formset.save(commit=False), which applied the forms to their instances."""
    rows = []
    for form in kept_forms(formset):
        row = {name: getattr(form.instance, name) for name in fields}
        row["id"] = form.instance.pk
        rows.append(row)
    return rows


@admin.register(Meeting)
class MeetingAdmin(LargeTableMixin, ServiceRefusalMixin, FoldedSearchMixin, SimpleHistoryAdmin):
    form = MeetingAdminForm
    list_display = ["title", "bloc", "year", "kind", "starts_at", "status"]
    list_filter = [
        name_filter("bloc__search_name", _("bloc"), "bloc_name"),
        year_filter("year"),
        "kind",
        "status",
    ]
    list_select_related = ["bloc"]
    search_fields = ["title", "place", "bloc__name"]
    folded_search_fields = ("bloc__search_name",)
    # No date_hierarchy: its year links come from a DISTINCT over every meeting; the year
    # filter above reads the indexed column.
    autocomplete_fields = ["bloc", "host"]
    ordering = ["-starts_at"]
    readonly_fields = ["status", "approved_at", "approved_by"]
    fieldsets = [
        (None, {"fields": ["bloc", "year", "kind", "title"]}),
        (_("Time and place"), {"fields": ["starts_at", "ends_at", "place", "host"]}),
        (_("Record"), {"fields": ["minutes", "conclusions"]}),
        (_("Status"), {"fields": ["status", "approved_at", "approved_by"]}),
    ]
    inlines = [
        MeetingPersonInline,
        AttendanceInline,
        AgendaItemInline,
        MeetingAttachmentInline,
        MeetingDecisionInline,
    ]

    # Approved minutes are read-only -------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # The bulk "delete selected" action must not remove approved minutes either.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        locked = [str(obj) for obj in objs if obj.is_locked]
        return deleted, model_count, perms_needed, [*protected, *locked]

    # Writes go through the services -------------------------------------------------

    def save_model(self, request, obj, form, change):
        record = {"minutes": obj.minutes, "conclusions": obj.conclusions}
        fields = {name: getattr(obj, name) for name in services.MEETING_FIELDS}
        if change:
            services.meeting_update(meeting=obj, actor=request.user, **fields, **record)
            return
        saved = services.meeting_create(bloc=obj.bloc, actor=request.user, **fields)
        if any(record.values()):
            saved = services.meeting_update(meeting=saved, actor=request.user, **record)
        adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        meeting = formset.instance
        # Applies the forms to their instances and sets new/changed/deleted_objects for the
        # admin's change message; nothing is written here.
        formset.save(commit=False)
        if formset.model is MeetingPerson:
            rows = _formset_rows(formset, ["role", "name", "position", "organization", "order"])
            services.meeting_save_people(meeting=meeting, rows=rows, actor=request.user)
        elif formset.model is AgendaItem:
            rows = _formset_rows(formset, ["order", "title", "presenter", "outcome"])
            services.meeting_save_agenda(meeting=meeting, rows=rows, actor=request.user)
        elif formset.model is Attendance:
            fields = ["organization", "status", "representative", "representative_position"]
            rows = _formset_rows(formset, fields)
            for row in rows:
                del row["id"]  # attendance rows are matched on their organization
            services.meeting_save_attendance(meeting=meeting, rows=rows, actor=request.user)
        # Attachments and decisions are read-only here.
