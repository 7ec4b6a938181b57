from django.contrib import admin

from portal.lib.admin import HistoryAdmin as SimpleHistoryAdmin

from .models import DocumentStyle, NumberSequence, Report, ReportDraft


@admin.register(DocumentStyle)
class DocumentStyleAdmin(SimpleHistoryAdmin):
    """Per-issuer style profiles: header layout, motto lines and number pattern."""

    list_display = ["name", "code", "header", "number_pattern", "is_default"]
    list_filter = ["header", "is_default"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ["status", "requested_at", "finished_at", "attempts", "page_count", "size", "error"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportDraft)
class ReportDraftAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "bloc", "year", "kind", "symbol", "issue_date", "updated_at"]
    list_filter = ["kind", "year"]
    search_fields = ["bloc__name", "symbol"]
    list_select_related = ["bloc", "meeting"]
    autocomplete_fields = ["bloc", "issuer", "meeting"]
    readonly_fields = ["number", "number_year", "symbol", "updated_by", "updated_at"]
    inlines = [ReportInline]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Builds are made by the pipeline; the admin only reads them."""

    list_display = ["__str__", "status", "requested_at", "finished_at", "attempts", "page_count"]
    list_filter = ["status"]
    list_select_related = ["draft__bloc"]
    search_fields = ["draft__bloc__name", "draft__symbol"]
    # The gathered data is what the worker renders: a large JSON document, left out here.
    exclude = ["data"]
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "data"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    """Read-only: numbers are only ever given by the service, atomically."""

    list_display = ["issuer", "year", "type_code", "last"]
    list_filter = ["year"]
    search_fields = ["issuer__name", "issuer__abbreviation"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
