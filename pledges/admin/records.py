"""Read-only admin pages for what the portal records: registrations, score sheets and scores,
evidence, bonus and penalty lines, ballots and proposals."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.lib.admin import HistoryAdmin as SimpleHistoryAdmin
from portal.lib.admin import LargeTableMixin, ReadOnlyInlineMixin, name_filter, year_filter

from ..models import (
    Adjustment,
    Ballot,
    BallotCandidate,
    CouncilDecision,
    CouncilQuota,
    Evidence,
    Pledge,
    Proposal,
    ProposalHold,
    Registration,
    RegistrationTarget,
    Score,
    ScoreSheet,
)
from ._common import ReadOnlyAdminMixin

# ---------------------------------------------------------------------------
# Read-only pages for what the portal records
# ---------------------------------------------------------------------------


class RegistrationTargetInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = RegistrationTarget
    fields = ["item", "text", "number", "unit"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")


@admin.register(Registration)
class RegistrationAdmin(LargeTableMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["organization", "pledge", "submitted_at", "updated_at", "updated_by"]
    list_filter = [
        name_filter("pledge__bloc__search_name", _("bloc"), "bloc_name"),
        year_filter("pledge__year"),
    ]
    list_select_related = ["organization", "pledge__bloc", "updated_by"]
    search_fields = ["organization__name", "pledge__title"]
    # Newest first along the primary key: the model's order joins and sorts every sheet.
    ordering = ["-pk"]
    fields = ["pledge", "organization", "titles", "note", "submitted_at", "updated_by"]
    readonly_fields = fields
    inlines = [RegistrationTargetInline]


class ScoreInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Score
    fields = ["criterion", "points", "bonus", "explanation", "version", "updated_by", "updated_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "updated_by")


@admin.register(ScoreSheet)
class ScoreSheetAdmin(LargeTableMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["organization", "pledge", "round", "scorer", "status", "submitted_at"]
    list_filter = [
        name_filter(
            "pledge__bloc__search_name",
            _("bloc"),
            "bloc_name",
            parents=lambda folded: Pledge.objects.filter(bloc__search_name__contains=folded),
            id_field="pledge_id",
        ),
        year_filter("pledge__year"),
        "round",
        "status",
    ]
    list_select_related = ["organization", "scorer", "pledge__bloc"]
    search_fields = ["organization__name", "pledge__title"]
    # Newest first along the primary key: the model's order joins and sorts every sheet.
    ordering = ["-pk"]
    fields = [
        "pledge",
        "organization",
        "round",
        "scorer",
        "status",
        "submitted_at",
        "submitted_by",
    ]
    readonly_fields = fields
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(LargeTableMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["criterion", "sheet", "points", "bonus", "version", "updated_at"]
    list_filter = [
        name_filter(
            "sheet__pledge__bloc__search_name",
            _("bloc"),
            "bloc_name",
            parents=lambda folded: Pledge.objects.filter(bloc__search_name__contains=folded),
            id_field="sheet__pledge_id",
        ),
        year_filter("sheet__pledge__year"),
        "sheet__round",
    ]
    list_select_related = ["criterion", "sheet__organization"]
    search_fields = ["criterion__code", "sheet__organization__name"]
    # Newest sheets first, read backwards along the unique (sheet, criterion) index: the
    # model's order (each sheet's own order, then the criterion's) sorts every score first.
    ordering = ["-sheet_id", "-criterion_id"]
    fields = ["sheet", "criterion", "points", "bonus", "explanation", "version", "updated_by"]
    readonly_fields = fields


@admin.register(Evidence)
class EvidenceAdmin(LargeTableMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # No link to the stored file: evidence is served only through the portal, to those
    # who may read the score.
    list_display = ["original_name", "score", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["score__criterion", "uploaded_by"]
    search_fields = ["original_name"]
    fields = ["score", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["organization", "pledge", "kind", "points", "reason", "created_at"]
    list_filter = [
        name_filter("pledge__bloc__search_name", _("bloc"), "bloc_name"),
        year_filter("pledge__year"),
        "kind",
    ]
    list_select_related = ["organization", "pledge__bloc"]
    search_fields = ["organization__name", "reason"]
    fields = ["pledge", "organization", "kind", "points", "reason", "created_by", "created_at"]
    readonly_fields = fields


class BallotCandidateInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = BallotCandidate
    fields = ["organization", "votes"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "pledge", "purpose", "present", "valid", "recorded_at"]
    list_filter = [
        name_filter("pledge__bloc__search_name", _("bloc"), "bloc_name"),
        year_filter("pledge__year"),
        "purpose",
    ]
    list_select_related = ["pledge__bloc"]
    search_fields = ["title"]
    fields = [
        "pledge",
        "meeting",
        "purpose",
        "title",
        "members_total",
        "present",
        "issued",
        "returned",
        "valid",
        "invalid",
        "tellers",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields
    inlines = [BallotCandidateInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["organization", "title", "pledge", "ballot", "created_at"]
    list_filter = [
        name_filter("pledge__bloc__search_name", _("bloc"), "bloc_name"),
        year_filter("pledge__year"),
        "title",
    ]
    list_select_related = ["organization", "title", "pledge__bloc", "ballot"]
    search_fields = ["organization__name", "title__name"]
    fields = ["pledge", "organization", "title", "ballot", "achievements", "created_by"]
    readonly_fields = fields


# ---------------------------------------------------------------------------
# The council's decisions and holds (read-only: the council page writes them through the
# services, which check the holds and the quotas) and its quotas (set here)
# ---------------------------------------------------------------------------


@admin.register(CouncilDecision)
class CouncilDecisionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["proposal", "status", "decided_by", "decided_at"]
    list_filter = ["status", "proposal__pledge__year"]
    list_select_related = ["proposal__organization", "proposal__title", "decided_by"]
    search_fields = ["proposal__organization__name", "reason"]
    fields = ["proposal", "status", "reason", "decided_by", "decided_at"]
    readonly_fields = fields


@admin.register(ProposalHold)
class ProposalHoldAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["proposal", "reason", "placed_by", "placed_at", "lifted_at"]
    list_filter = ["reason", "proposal__pledge__year"]
    list_select_related = ["proposal__organization", "proposal__title", "placed_by"]
    search_fields = ["proposal__organization__name", "text"]
    fields = [
        "proposal",
        "reason",
        "text",
        "placed_by",
        "placed_at",
        "lifted_by",
        "lifted_at",
        "lift_reason",
    ]
    readonly_fields = fields


@admin.register(CouncilQuota)
class CouncilQuotaAdmin(SimpleHistoryAdmin):
    list_display = ["organizing_body", "year", "title", "max_percent", "base"]
    list_filter = ["year", "title"]
    list_select_related = ["organizing_body", "title"]
    autocomplete_fields = ["organizing_body"]
    fields = ["organizing_body", "year", "title", "max_percent", "base"]
