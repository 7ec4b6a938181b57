from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.lib.admin import HistoryAdmin as SimpleHistoryAdmin

from .models import DocumentStyle, IssuedDocument, NumberSequence, Report, ReportDraft


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
    fields = [
        "status", "issued", "requested_at", "finished_at", "attempts", "page_count", "size",
        "error",
    ]  # fmt: skip
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# What issuing fixes: never typed in the admin (reports/issuing.py gives them, in one step).
ISSUE_FIELDS = [
    "status", "number", "number_year", "symbol", "numbering", "series_bloc", "issued_at",
    "issued_by", "issued_digest", "issued_fingerprint", "replaces", "scan", "scan_name",
    "scan_size", "scan_uploaded_at", "scan_uploaded_by", "updated_by", "updated_at",
]  # fmt: skip


@admin.register(ReportDraft)
class ReportDraftAdmin(SimpleHistoryAdmin):
    """Documents; the history lists each issue, replacement and signed scan with its reason."""

    list_display = [
        "__str__", "bloc", "year", "kind", "status", "symbol", "issue_date", "updated_at",
    ]  # fmt: skip
    list_filter = ["status", "kind", "year", "numbering"]
    search_fields = ["bloc__name", "symbol"]
    list_select_related = ["bloc", "meeting"]
    autocomplete_fields = ["bloc", "issuer", "meeting", "subject"]
    readonly_fields = ISSUE_FIELDS
    inlines = [ReportInline]

    def has_change_permission(self, request, obj=None) -> bool:
        # An issued document is read-only here too: a change is a replacement.
        if obj is not None and obj.is_issued:
            return False
        return super().has_change_permission(request, obj)


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """The register of issued documents (sổ đăng ký văn bản đi): read-only, one row per
    number given, whichever registry it came from. A proxy of the drafts, so no history
    pages of its own: the draft's history holds the issue."""

    list_display = [
        "number_year", "symbol", "issue_date", "issuer", "registry", "kind", "bloc",
        "signer_name", "status", "replaced_by_symbol", "has_scan",
    ]  # fmt: skip
    list_filter = ["number_year", "numbering", "status", "kind"]
    search_fields = ["symbol", "issuer__name", "bloc__name", "signer_name"]
    list_select_related = ["issuer", "bloc", "series_bloc", "replaced_by"]
    date_hierarchy = "issue_date"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=ReportDraft.Status.DRAFT)

    @admin.display(description=_("registry"))
    def registry(self, obj: ReportDraft) -> str:
        if obj.series_bloc_id:
            return _("bloc series: %(bloc)s") % {"bloc": obj.series_bloc}
        return obj.get_numbering_display()

    @admin.display(description=_("replaced by"))
    def replaced_by_symbol(self, obj: ReportDraft) -> str:
        new = getattr(obj, "replaced_by", None)
        return new.symbol if new is not None and new.symbol else ""

    @admin.display(description=_("signed scan"), boolean=True)
    def has_scan(self, obj: ReportDraft) -> bool:
        return bool(obj.scan)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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

    list_display = ["issuer", "bloc", "year", "type_code", "last"]
    list_filter = ["year"]
    list_select_related = ["issuer", "bloc"]
    search_fields = ["issuer__name", "issuer__abbreviation", "bloc__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
