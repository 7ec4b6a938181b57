"""The admin of organizations, memberships, chair terms, officials and user accounts."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.lib.admin import (
    AllOrNothingImportMixin,
    FoldedSearchMixin,
    LargeTableMixin,
    ServiceRefusalMixin,
    adopt,
    name_filter,
    year_filter,
)
from portal.lib.admin import HistoryAdmin as SimpleHistoryAdmin
from portal.lib.people import full_name

from .. import services
from ..models import (
    ChairTerm,
    CouncilAssignment,
    Membership,
    Official,
    Organization,
    current_year,
)
from ..resources import MembershipResource, OrganizationResource
from .forms import ChairTermAdminForm, MembershipAdminForm

User = get_user_model()


class OfficialInline(admin.StackedInline):
    model = Official
    fk_name = "user"
    fields = ["organization", "position", "phone"]
    autocomplete_fields = ["organization"]
    can_delete = True
    max_num = 1
    extra = 0
    verbose_name_plural = _("official profile")


# ---------------------------------------------------------------------------
# Model admins
# ---------------------------------------------------------------------------


@admin.register(Organization)
class OrganizationAdmin(
    LargeTableMixin, FoldedSearchMixin, AllOrNothingImportMixin, SimpleHistoryAdmin
):
    resource_classes = [OrganizationResource]
    list_display = [
        "name",
        "short_name",
        "abbreviation",
        "numbering",
        "kind",
        "level",
        "locality",
        "is_active",
        "bloc_count",
    ]
    list_filter = ["kind", "level", "numbering", "is_active"]
    search_fields = ["name", "short_name", "abbreviation", "search_name"]
    folded_search_fields = ("search_name",)
    fields = [
        "name",
        "short_name",
        "abbreviation",
        "numbering",
        "kind",
        "level",
        "locality",
        "head_name",
        "head_position",
        "led_by_woman",
        "women_percent",
        "is_active",
    ]

    def get_queryset(self, request):
        # A subquery in the select list is evaluated for the 50 rows of the page only; a
        # join with GROUP BY counted the memberships of every organization before LIMIT.
        blocs = (
            Membership.objects.active_in(current_year())
            .filter(organization=OuterRef("pk"))
            .order_by()
            .values("organization")
            .annotate(n=Count("bloc", distinct=True))
            .values("n")
        )
        return super().get_queryset(request).annotate(_bloc_count=Coalesce(Subquery(blocs), 0))

    @admin.display(description=_("blocs this year"), ordering="_bloc_count")
    def bloc_count(self, obj: Organization) -> int:
        return obj._bloc_count


class MembershipCurrentFilter(admin.SimpleListFilter):
    title = _("membership this year")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("current member")), ("no", _("not a member this year"))]

    def queryset(self, request, queryset):
        current = queryset.model.objects.active_in(current_year()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=current)
        if self.value() == "no":
            return queryset.exclude(pk__in=current)
        return queryset


@admin.register(Membership)
class MembershipAdmin(
    LargeTableMixin,
    ServiceRefusalMixin,
    FoldedSearchMixin,
    AllOrNothingImportMixin,
    SimpleHistoryAdmin,
):
    form = MembershipAdminForm
    resource_classes = [MembershipResource]
    list_display = [
        "organization",
        "bloc",
        "first_year",
        "last_year",
        "rotation_order",
        "is_current",
    ]
    list_filter = [
        MembershipCurrentFilter,
        name_filter("bloc__search_name", _("bloc"), "bloc_name"),
    ]
    list_select_related = ["organization", "bloc"]
    search_fields = ["organization__name", "organization__search_name", "bloc__name"]
    folded_search_fields = ("organization__search_name", "bloc__search_name")
    autocomplete_fields = ["bloc", "organization"]
    ordering = ["bloc__sort_name", "rotation_order", "organization__sort_name"]

    @admin.display(description=_("member this year"), boolean=True)
    def is_current(self, obj: Membership) -> bool:
        return obj.covers(current_year())

    def save_model(self, request, obj, form, change):
        if change:
            services.membership_update(
                membership=obj,
                first_year=obj.first_year,
                last_year=obj.last_year,
                rotation_order=obj.rotation_order,
                actor=request.user,
            )
        else:
            saved = services.membership_create(
                bloc=obj.bloc,
                organization=obj.organization,
                first_year=obj.first_year,
                last_year=obj.last_year,
                rotation_order=obj.rotation_order,
                actor=request.user,
            )
            adopt(obj, saved)


@admin.register(ChairTerm)
class ChairTermAdmin(ServiceRefusalMixin, FoldedSearchMixin, SimpleHistoryAdmin):
    form = ChairTermAdminForm
    list_display = ["bloc", "year", "chair", "deputy", "method", "note"]
    list_filter = [
        year_filter("year"),
        "method",
        name_filter("bloc__search_name", _("bloc"), "bloc_name"),
    ]
    list_select_related = ["bloc", "chair", "deputy"]
    search_fields = ["bloc__name", "chair__name", "deputy__name", "note"]
    folded_search_fields = ("bloc__search_name", "chair__search_name", "deputy__search_name")
    autocomplete_fields = ["bloc", "chair", "deputy"]
    ordering = ["-year", "bloc__sort_name"]

    def save_model(self, request, obj, form, change):
        if change:
            services.chair_term_update(
                term=obj,
                chair=obj.chair,
                deputy=obj.deputy,
                method=obj.method,
                note=obj.note,
                actor=request.user,
            )
        else:
            saved = services.chair_term_create(
                bloc=obj.bloc,
                year=obj.year,
                chair=obj.chair,
                deputy=obj.deputy,
                method=obj.method,
                note=obj.note,
                actor=request.user,
            )
            adopt(obj, saved)


@admin.register(Official)
class OfficialAdmin(LargeTableMixin, FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "user", "organization", "position", "phone"]
    list_filter = ["organization__kind"]
    list_select_related = ["user", "organization"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "organization__name",
        "position",
    ]
    folded_search_fields = ("organization__search_name",)
    autocomplete_fields = ["user", "organization"]


# The user admin with the official profile inline -------------------------------------

if admin.site.is_registered(User):
    admin.site.unregister(User)


# Vietnamese names are written family name first: the form asks "Họ và tên đệm" (Django's
# last_name) before "Tên" (first_name), and the list shows the full name the same way.
NAME_LABELS = {
    "last_name": (
        _("Family and middle names"),
        _("Written first, e.g. “Trần Thị” of “Trần Thị Hoa”."),
    ),
    "first_name": (_("Given name"), _("The last word of the name, e.g. “Hoa”; lists sort by it.")),
}


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    # Django joins its warning to the help text at import time, in English whatever the
    # language: the same text, translated when shown.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    """Django's user admin with the official profile inline and the accounts' read-only
    history (who changed a staff or superuser flag, a password and when; never the hash)."""

    change_password_form = AdminPasswordChangeForm
    inlines = [*BaseUserAdmin.inlines, OfficialInline]
    list_display = ["username", "full_name", "email", "is_staff", "official_organization"]
    list_select_related = ["official__organization"]
    ordering = ["first_name", "last_name", "username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "email")}),
        *BaseUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "last_name",
                    "first_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in NAME_LABELS and field is not None:
            field.label, field.help_text = NAME_LABELS[db_field.name]
        return field

    @admin.display(description=_("full name"), ordering="first_name")
    def full_name(self, obj) -> str:
        return full_name(obj) or "—"

    @admin.display(description=_("organization"), ordering="official__organization__sort_name")
    def official_organization(self, obj) -> str:
        official = getattr(obj, "official", None)
        return official.organization.display_name if official else "—"


@admin.register(CouncilAssignment)
class CouncilAssignmentAdmin(SimpleHistoryAdmin):
    """People on the emulation council of a body that organizes blocs, besides its own
    officials, for the years given: they read every bloc it organizes in those years."""

    list_display = ["user", "organizing_body", "first_year", "last_year"]
    list_filter = ["first_year"]
    list_select_related = ["user", "organizing_body"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    autocomplete_fields = ["user", "organizing_body"]
    fields = ["organizing_body", "user", "first_year", "last_year"]
