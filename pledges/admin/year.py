"""The admin of emulation titles and of the pledges with their contents, criteria, quotas and
signatures; writes go through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.lib.admin import (
    FoldedSearchMixin,
    ReadOnlyInlineMixin,
    ServiceCheckedForm,
    ServiceRefusalMixin,
    adopt,
    kept_forms,
    name_filter,
    year_filter,
)
from portal.lib.admin import HistoryAdmin as SimpleHistoryAdmin

from .. import services
from ..models import (
    CommendationQuota,
    Criterion,
    EmulationTitle,
    Pledge,
    PledgeItem,
    PledgeSignature,
)
from ._common import (
    PledgeStageInlineMixin,
    formset_changed,
)

# ---------------------------------------------------------------------------
# Emulation titles
# ---------------------------------------------------------------------------


@admin.register(EmulationTitle)
class EmulationTitleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "level", "awarded_by", "order", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code", "awarded_by"]
    fields = [
        "code",
        "name",
        "kind",
        "level",
        "awarded_by",
        "order",
        "is_active",
        "consecutive_years_required",
        "consecutive_title",
    ]
    ordering = ["order", "name"]


# ---------------------------------------------------------------------------
# Pledge: form and inlines
# ---------------------------------------------------------------------------

PLEDGE_FORM_FIELDS = ["bloc", "year", "title", *services.RULE_FIELDS]


class PledgeAdminForm(ServiceCheckedForm):
    class Meta:
        model = Pledge
        fields = PLEDGE_FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A pledge's bloc and year are its identity: make another year's pledge instead.
            for name in ("bloc", "year"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def service_check(self) -> None:
        instance = self.instance
        if instance.pk is None:
            services.check_pledge_year(instance.year)
        fields = {name: getattr(instance, name) for name in ["title", *services.RULE_FIELDS]}
        services.check_pledge_rules(bloc=instance.bloc, year=instance.year, **fields)


class PledgeItemInline(PledgeStageInlineMixin, admin.TabularInline):
    model = PledgeItem
    fields = ["order", "text"]
    extra = 0
    editable = staticmethod(services.items_editable)


class CriterionInlineFormSet(forms.BaseInlineFormSet):
    """Checks the whole tree as it will be after saving: Σ of children ≤ parent, depth,
    codes unique."""

    def clean(self):
        super().clean()
        pledge = self.instance
        if any(self.errors) or (pledge.pk and not services.criteria_editable(pledge)):
            return  # refused already, or shown read-only (the pledge is signed)
        deleted = {f.instance.pk for f in self.deleted_forms if f.instance.pk}
        nodes = []
        for index, form in enumerate(kept_forms(self)):
            data = form.cleaned_data
            parent = data.get("parent")
            nodes.append(
                {
                    "key": form.instance.pk or f"new-{index}",
                    "parent": parent.pk if parent is not None else None,
                    "code": data.get("code"),
                    "max_points": data.get("max_points"),
                }
            )
        # Rows under a deleted row go with it.
        changed = True
        while changed:
            changed = False
            for node in nodes:
                if node["key"] not in deleted and node["parent"] in deleted:
                    deleted.add(node["key"])
                    changed = True
        services.check_criteria_tree([n for n in nodes if n["key"] not in deleted])


class CriterionInline(PledgeStageInlineMixin, admin.TabularInline):
    model = Criterion
    formset = CriterionInlineFormSet
    fields = list(services.CRITERION_FIELDS)
    extra = 0
    verbose_name_plural = _("criteria (fixed once the pledge is signed)")
    editable = staticmethod(services.criteria_editable)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        parent = formset.form.base_fields.get("parent")
        if parent is not None:
            # Only this pledge's criteria can be parents (new rows: save, then nest).
            queryset = Criterion.objects.filter(pledge=obj) if obj else Criterion.objects.none()
            parent.queryset = queryset.order_by("order", "code")
        return formset


class QuotaInlineForm(forms.ModelForm):
    class Meta:
        model = CommendationQuota
        fields = ["title", "max_percent", "base", "max_count"]

    def clean(self):
        data = super().clean()
        title = data.get("title")
        if title:  # the service's rule, in its words
            services.check_quota(
                title=title, max_percent=data.get("max_percent"), max_count=data.get("max_count")
            )
        return data


class CommendationQuotaInline(PledgeStageInlineMixin, admin.TabularInline):
    model = CommendationQuota
    form = QuotaInlineForm
    fields = ["title", "max_percent", "base", "max_count"]
    autocomplete_fields = ["title"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("title")


class PledgeSignatureInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = PledgeSignature
    fields = ["organization", "signer_name", "signer_position", "signed_at", "meeting"]
    readonly_fields = fields
    verbose_name_plural = _("signatures (recorded in the portal)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "meeting")


# ---------------------------------------------------------------------------
# Pledge
# ---------------------------------------------------------------------------


@admin.register(Pledge)
class PledgeAdmin(ServiceRefusalMixin, FoldedSearchMixin, SimpleHistoryAdmin):
    form = PledgeAdminForm
    list_display = [
        "title",
        "bloc",
        "year",
        "status",
        "scoring_method",
        "signature_count",
        "criterion_count",
    ]
    list_filter = [
        name_filter("bloc__search_name", _("bloc"), "bloc_name"),
        year_filter("year"),
        "status",
    ]
    list_select_related = ["bloc"]
    search_fields = ["title", "bloc__name"]
    folded_search_fields = ("bloc__search_name",)
    autocomplete_fields = ["bloc", "launch_meeting", "review_meeting"]
    ordering = ["-year", "bloc__sort_name"]
    readonly_fields = ["status", "copied_from", "created_at"]
    fieldsets = [
        (None, {"fields": ["bloc", "year", "title", "status", "copied_from", "created_at"]}),
        (_("Legal basis"), {"fields": ["legal_basis"], "classes": ["collapse"]}),
        (
            _("Scoring and ranking"),
            {
                "fields": [
                    "scoring_method",
                    "bonus_cap",
                    "penalty_cap",
                    "classification_bands",
                    "tie_break_order",
                ]
            },
        ),
        (
            _("Votes"),
            {"fields": ["vote_threshold", "vote_threshold_strict", "vote_base", "leading_units"]},
        ),
        (
            _("Dates and meetings"),
            {
                "fields": [
                    "registration_deadline",
                    "scoring_deadline",
                    "verification_deadline",
                    "launch_meeting",
                    "review_meeting",
                ]
            },
        ),
    ]
    inlines = [PledgeItemInline, CriterionInline, CommendationQuotaInline, PledgeSignatureInline]
    actions = ["advance_status"]

    def get_queryset(self, request):
        signatures = (
            PledgeSignature.objects.filter(pledge=OuterRef("pk"))
            .order_by()
            .values("pledge")
            .annotate(n=Count("pk"))
            .values("n")
        )
        criteria = (
            Criterion.objects.filter(pledge=OuterRef("pk"))
            .order_by()
            .values("pledge")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(_signatures=Subquery(signatures), _criteria=Subquery(criteria))
        )

    @admin.display(description=_("signatures"), ordering="_signatures")
    def signature_count(self, obj: Pledge) -> int:
        return obj._signatures or 0

    @admin.display(description=_("criteria"), ordering="_criteria")
    def criterion_count(self, obj: Pledge) -> int:
        return obj._criteria or 0

    # A closed pledge is read-only --------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # The bulk "delete selected" action must not remove a closed year either.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        closed = [str(obj) for obj in objs if obj.is_closed]
        return deleted, model_count, perms_needed, [*protected, *closed]

    # Writes go through the services -------------------------------------------------

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in services.RULE_FIELDS}
        before = form.initial if change else {}
        if change:
            services.pledge_update_rules(pledge=obj, actor=request.user, title=obj.title, **fields)
        else:
            saved = services.pledge_create(
                bloc=obj.bloc, year=obj.year, title=obj.title, actor=request.user, **fields
            )
            adopt(obj, saved)
        today = timezone.localdate()
        for warning in services.past_deadline_warnings(fields, before, today):
            self.message_user(request, warning, messages.WARNING)

    def save_formset(self, request, form, formset, change):
        # Applies the forms to their instances and sets new/changed/deleted_objects for the
        # admin's change message; nothing is written here.
        formset.save(commit=False)
        if not formset_changed(formset):
            return
        pledge = formset.instance
        if formset.model is PledgeItem:
            rows = [
                {"id": f.instance.pk, "text": f.instance.text, "order": f.instance.order}
                for f in kept_forms(formset)
            ]
            services.pledge_save_items(pledge=pledge, rows=rows, actor=request.user)
        elif formset.model is Criterion:
            self._save_criteria(request, formset)
        elif formset.model is CommendationQuota:
            for obj in formset.deleted_objects:
                services.quota_delete(quota=obj, actor=request.user)
            for f in kept_forms(formset):
                if f.has_changed():
                    services.quota_set(
                        pledge=pledge,
                        title=f.instance.title,
                        max_percent=f.instance.max_percent,
                        base=f.instance.base,
                        max_count=f.instance.max_count,
                        actor=request.user,
                    )
        # Signatures are read-only here.

    def _save_criteria(self, request, formset) -> None:
        user = request.user
        for obj in formset.deleted_objects:
            if Criterion.objects.filter(pk=obj.pk).exists():  # not gone with its parent
                services.criterion_delete(criterion=obj, actor=user)
        stored = {
            c.pk: c for c in Criterion.objects.filter(pledge=formset.instance, pk__isnull=False)
        }
        depth = services.criteria_depths({pk: c.parent_id for pk, c in stored.items()})
        fields = services.CRITERION_FIELDS
        changed = [obj for obj, _names in formset.changed_objects if obj.pk in stored]
        # Lower points first, deepest first (children make room before their parent shrinks);
        # then the rest from the top (a parent grows before its children).
        lower = [o for o in changed if o.max_points < stored[o.pk].max_points]
        rest = [o for o in changed if o not in lower]
        lower.sort(key=lambda o: -depth[o.pk])
        rest.sort(key=lambda o: depth[o.pk])
        for obj in [*lower, *rest]:
            values = {name: getattr(obj, name) for name in fields}
            services.criterion_update(criterion=stored[obj.pk], actor=user, **values)
        for obj in formset.new_objects:
            saved = services.criterion_create(
                pledge=formset.instance,
                actor=user,
                **{name: getattr(obj, name) for name in fields},
            )
            adopt(obj, saved)

    # Status ----------------------------------------------------------------------

    @admin.action(
        description=_("Move to the next status (draft → open → signed → scoring → closed)"),
        permissions=["change"],
    )
    def advance_status(self, request, queryset):
        for pledge in queryset.select_related("bloc").order_by("bloc__sort_name", "year"):
            following = services.next_status(pledge)
            try:
                with transaction.atomic():
                    services.pledge_set_status(
                        pledge=pledge, status=following or pledge.status, actor=request.user
                    )
            except ValidationError as exc:
                self.message_user(
                    request,
                    gettext("%(pledge)s: %(reason)s")
                    % {"pledge": pledge, "reason": " ".join(exc.messages)},
                    level=messages.ERROR,
                )
                continue
            self.message_user(
                request,
                gettext("%(pledge)s: now “%(status)s”.")
                % {"pledge": pledge, "status": pledge.get_status_display()},
                level=messages.SUCCESS,
            )
