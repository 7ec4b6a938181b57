"""The admin of organizations, memberships, chair terms, officials and user accounts."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.lib.admin import (
    AllOrNothingImportMixin,
    FoldedSearchMixin,
    ServiceRefusalMixin,
    adopt,
)
from portal.lib.admin import HistoryAdmin as SimpleHistoryAdmin

from .. import services
from ..models import (
    ChairTerm,
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
class OrganizationAdmin(FoldedSearchMixin, AllOrNothingImportMixin, SimpleHistoryAdmin):
    resource_classes = [OrganizationResource]
    list_display = [
        "name",
        "short_name",
        "abbreviation",
        "kind",
        "level",
        "locality",
        "is_active",
        "bloc_count",
    ]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "short_name", "abbreviation", "search_name"]
    folded_search_fields = ("search_name",)
    fields = ["name", "short_name", "abbreviation", "kind", "level", "locality", "is_active"]
    list_per_page = 50

    def get_queryset(self, request):
        year = current_year()
        current = Q(memberships__first_year__lte=year) & (
            Q(memberships__last_year__isnull=True) | Q(memberships__last_year__gte=year)
        )
        return (
            super()
            .get_queryset(request)
            .annotate(_bloc_count=Count("memberships__bloc", filter=current, distinct=True))
        )

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
    ServiceRefusalMixin, FoldedSearchMixin, AllOrNothingImportMixin, SimpleHistoryAdmin
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
    list_filter = [MembershipCurrentFilter, "bloc"]
    list_select_related = ["organization", "bloc"]
    search_fields = ["organization__name", "organization__search_name", "bloc__name"]
    folded_search_fields = ("organization__search_name", "bloc__search_name")
    autocomplete_fields = ["bloc", "organization"]
    ordering = ["bloc__name", "rotation_order", "organization__name"]

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
    list_filter = ["year", "method", "bloc"]
    list_select_related = ["bloc", "chair", "deputy"]
    search_fields = ["bloc__name", "chair__name", "deputy__name", "note"]
    folded_search_fields = ("bloc__search_name", "chair__search_name", "deputy__search_name")
    autocomplete_fields = ["bloc", "chair", "deputy"]
    ordering = ["-year", "bloc__name"]

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
class OfficialAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
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


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    """Django's user admin with the official profile inline and the accounts' read-only
    history (who changed a staff or superuser flag, a password and when; never the hash)."""

    inlines = [*BaseUserAdmin.inlines, OfficialInline]
    list_display = [*BaseUserAdmin.list_display, "official_organization"]
    list_select_related = ["official__organization"]

    @admin.display(description=_("organization"), ordering="official__organization__name")
    def official_organization(self, obj) -> str:
        official = getattr(obj, "official", None)
        return official.organization.display_name if official else "—"
