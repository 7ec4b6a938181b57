"""Django admin for blocs: organizations, blocs, memberships, chair terms, officials, meetings.

Writes with rules go through blocs.services: the forms run the services' checks
so a refusal is a form error and nothing is saved; save_model/save_formset then
call the services themselves (which re-check under a lock and record the actor).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.lib.admin import (
    AllOrNothingImportMixin,
    FoldedSearchMixin,
    ServiceCheckedForm,
    ServiceRefusalMixin,
    adopt,
)

from . import selectors, services
from .models import (
    AgendaItem,
    Attendance,
    Bloc,
    ChairTerm,
    Meeting,
    MeetingAttachment,
    MeetingDecision,
    MeetingPerson,
    Membership,
    Official,
    Organization,
    SecretaryAssignment,
    current_year,
)
from .resources import MembershipResource, OrganizationResource

admin.site.site_header = _("Emulation bloc portal administration")
admin.site.site_title = _("Emulation bloc portal")
admin.site.index_title = _("Administration")

User = get_user_model()


# ---------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------


class MembershipAdminForm(ServiceCheckedForm):
    class Meta:
        model = Membership
        fields = ["bloc", "organization", "first_year", "last_year", "rotation_order"]

    def service_check(self) -> None:
        instance = self.instance
        services.check_membership_period(
            bloc=instance.bloc,
            organization=instance.organization,
            first_year=instance.first_year,
            last_year=instance.last_year,
            exclude_pk=instance.pk,
        )


class ChairTermAdminForm(ServiceCheckedForm):
    class Meta:
        model = ChairTerm
        fields = ["bloc", "year", "chair", "deputy", "method", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A term's bloc and year are its identity: record another term instead.
            for name in ("bloc", "year"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def service_check(self) -> None:
        instance = self.instance
        services.check_chair_term(
            bloc=instance.bloc,
            year=instance.year,
            chair=instance.chair,
            deputy=instance.deputy,
            exclude_pk=instance.pk,
        )


def _membership_rows(formset) -> list[tuple[forms.BaseForm | None, int, int, int | None]]:
    """The bloc's memberships as they will be once `formset` is saved:
    (form or None for a row not on the page, organization id, first year, last year)."""
    rows = []
    on_page = set()
    for form in formset.forms:
        if form.instance.pk:
            on_page.add(form.instance.pk)
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not data.get("organization"):
            continue
        if data.get("first_year") is None:
            continue
        rows.append((form, data["organization"].pk, data["first_year"], data.get("last_year")))
    if formset.instance.pk:
        others = Membership.objects.filter(bloc=formset.instance).exclude(pk__in=on_page)
        for m in others:
            rows.append((None, m.organization_id, m.first_year, m.last_year))
    return rows


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    """Checks the periods of the whole page at once: closing a membership and opening a
    new one for the same organization in one save is fine, two overlapping rows are not."""

    def __init__(self, *args, siblings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if siblings is not None:
            siblings.append(self)

    def clean(self):
        super().clean()
        rows = _membership_rows(self)
        for i, (form, org_id, first, last) in enumerate(rows):
            if form is None or not form.has_changed():
                continue
            for j, (_other_form, other_org, other_first, other_last) in enumerate(rows):
                if i == j or other_org != org_id:
                    continue
                if services.periods_overlap(first, last, other_first, other_last):
                    form.add_error(
                        None,
                        services.MEMBERSHIP_OVERLAPS
                        % {
                            "organization": form.cleaned_data["organization"],
                            "bloc": self.instance,
                            "period": f"{other_first}–{other_last or ''}",
                        },
                    )
                    break


class ChairTermInlineFormSet(forms.BaseInlineFormSet):
    """New and changed terms: chair ≠ deputy, both members that year (counting the
    memberships being saved on the same page)."""

    def __init__(self, *args, siblings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = siblings if siblings is not None else []

    def _member_rows(self):
        memberships = next((f for f in self.siblings if f.model is Membership), None)
        if memberships is not None:
            if not memberships.is_valid():
                return None  # the page is refused anyway; do not add noise
            return [(org, first, last) for _f, org, first, last in _membership_rows(memberships)]
        if not self.instance.pk:
            return []
        return list(
            Membership.objects.filter(bloc=self.instance).values_list(
                "organization_id", "first_year", "last_year"
            )
        )

    def clean(self):
        super().clean()
        rows = self._member_rows()
        if rows is None:
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not form.has_changed() or form.errors:
                continue
            year = data.get("year") if data.get("year") is not None else form.instance.year
            for field in ("chair", "deputy"):
                org = data.get(field)
                if org is None:
                    continue
                if not any(
                    o == org.pk and f <= year and (last is None or year <= last)
                    for o, f, last in rows
                ):
                    form.add_error(
                        field,
                        services.NOT_A_MEMBER
                        % {"organization": org, "bloc": self.instance, "year": year},
                    )


class ChairTermInlineForm(forms.ModelForm):
    class Meta:
        model = ChairTerm
        fields = ["year", "chair", "deputy", "method", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True


# ---------------------------------------------------------------------------
# Inlines
# ---------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    form = forms.modelform_factory(
        Membership, fields=["organization", "first_year", "last_year", "rotation_order"]
    )
    formset = MembershipInlineFormSet
    fields = ["organization", "first_year", "last_year", "rotation_order"]
    autocomplete_fields = ["organization"]
    extra = 0
    verbose_name_plural = _("memberships (by rotation order)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization").in_rotation_order()


class SecretaryAssignmentForm(ServiceCheckedForm):
    class Meta:
        model = SecretaryAssignment
        fields = ["user", "first_year", "last_year"]

    def service_check(self) -> None:
        instance = self.instance
        services.check_secretary_assignment(
            bloc=instance.bloc,
            user=instance.user,
            first_year=instance.first_year,
            last_year=instance.last_year,
            exclude_pk=instance.pk,
        )


class SecretaryAssignmentInline(admin.TabularInline):
    """Staff who work for the secretariat besides the chair's officials, for the years given:
    an assignment ends with its last year, so a rotation does not carry it on."""

    model = SecretaryAssignment
    form = SecretaryAssignmentForm
    fields = ["user", "first_year", "last_year"]
    autocomplete_fields = ["user"]
    extra = 0
    verbose_name_plural = _("assigned secretaries (besides the chair's officials), by years")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class ChairTermInline(admin.TabularInline):
    model = ChairTerm
    form = ChairTermInlineForm
    formset = ChairTermInlineFormSet
    fields = ["year", "chair", "deputy", "method", "note"]
    autocomplete_fields = ["chair", "deputy"]
    extra = 0
    verbose_name_plural = _("chair terms (chair history, latest first)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chair", "deputy").order_by("-year")


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


class BlocChairFilter(admin.SimpleListFilter):
    title = _("next year's chair")
    parameter_name = "next_term"

    def lookups(self, request, model_admin):
        return [("missing", _("not chosen yet")), ("chosen", _("chosen"))]

    def queryset(self, request, queryset):
        terms = ChairTerm.objects.filter(year=services.next_rotation_year())
        if self.value() == "missing":
            return queryset.exclude(pk__in=terms.values("bloc_id"))
        if self.value() == "chosen":
            return queryset.filter(pk__in=terms.values("bloc_id"))
        return queryset


class RotationForm(forms.Form):
    """One bloc's row on the rotation page; choices are that year's members."""

    chair = forms.ModelChoiceField(queryset=Organization.objects.all(), label=_("chair"))
    deputy = forms.ModelChoiceField(
        queryset=Organization.objects.all(), required=False, label=_("deputy")
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Shown: the members; accepted: any organization, so the service can say who is
        # not a member instead of a bare "invalid choice".
        options = [(org.pk, str(org)) for org in members]
        self.fields["chair"].choices = [("", "---------"), *options]
        self.fields["deputy"].choices = [("", _("(no deputy)")), *options]


@admin.register(Bloc)
class BlocAdmin(ServiceRefusalMixin, FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "kind",
        "level",
        "number",
        "locality",
        "organizing_body",
        "member_count",
        "current_chair",
        "current_deputy",
    ]
    list_filter = ["kind", "level", BlocChairFilter]
    list_select_related = ["organizing_body"]
    search_fields = ["name", "number", "locality", "search_name"]
    folded_search_fields = ("search_name",)
    autocomplete_fields = ["organizing_body"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "level", "number", "organizing_body", "locality"]}),
        (_("Operating rules"), {"fields": ["operating_rules"], "classes": ["collapse"]}),
    ]
    inlines = [MembershipInline, ChairTermInline, SecretaryAssignmentInline]
    actions = ["rotate_chair"]
    rotation_template = "admin/blocs/bloc/rotate_chair.html"

    def get_queryset(self, request):
        year = current_year()
        term = ChairTerm.objects.filter(bloc=OuterRef("pk"), year=year)
        members = (
            Membership.objects.filter(bloc=OuterRef("pk"))
            .active_in(year)
            .order_by()
            .values("bloc")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                _chair=Subquery(term.values("chair__name")[:1]),
                _deputy=Subquery(term.values("deputy__name")[:1]),
                _members=Subquery(members),
            )
        )

    @admin.display(description=_("members this year"), ordering="_members")
    def member_count(self, obj: Bloc) -> int:
        return obj._members or 0

    @admin.display(description=_("chair this year"), ordering="_chair")
    def current_chair(self, obj: Bloc) -> str:
        return obj._chair or "—"

    @admin.display(description=_("deputy this year"), ordering="_deputy")
    def current_deputy(self, obj: Bloc) -> str:
        return obj._deputy or "—"

    # Inline writes go through the services ------------------------------------------

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, MembershipInline | ChairTermInline):
            # The chair-term rows are checked against the memberships as saved by this page.
            if not hasattr(request, "_bloc_admin_formsets"):
                request._bloc_admin_formsets = []
            kwargs["siblings"] = request._bloc_admin_formsets
        return kwargs

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership:
            self._save_memberships(request, formset)
        elif formset.model is ChairTerm:
            self._save_chair_terms(request, formset)
        elif formset.model is SecretaryAssignment:
            self._save_assignments(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _save_memberships(self, request, formset) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        # Changed rows first (formset order), so a period closed here frees the years
        # that a new row on the same page takes.
        for obj in sorted(instances, key=lambda o: o.pk is None):
            if obj.pk is None:
                saved = services.membership_create(
                    bloc=formset.instance,
                    organization=obj.organization,
                    first_year=obj.first_year,
                    last_year=obj.last_year,
                    rotation_order=obj.rotation_order,
                    actor=request.user,
                )
                adopt(obj, saved)
            else:
                services.membership_update(
                    membership=obj,
                    first_year=obj.first_year,
                    last_year=obj.last_year,
                    rotation_order=obj.rotation_order,
                    actor=request.user,
                )

    def _save_chair_terms(self, request, formset) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj.pk is None:
                saved = services.chair_term_create(
                    bloc=formset.instance,
                    year=obj.year,
                    chair=obj.chair,
                    deputy=obj.deputy,
                    method=obj.method,
                    note=obj.note,
                    actor=request.user,
                )
                adopt(obj, saved)
            else:
                services.chair_term_update(
                    term=obj,
                    chair=obj.chair,
                    deputy=obj.deputy,
                    method=obj.method,
                    note=obj.note,
                    actor=request.user,
                )

    def _save_assignments(self, request, formset) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            saved = services.secretary_assignment_save(
                bloc=formset.instance,
                user=obj.user,
                first_year=obj.first_year,
                last_year=obj.last_year,
                assignment=obj if obj.pk else None,
                actor=request.user,
            )
            adopt(obj, saved)

    # Chair rotation ---------------------------------------------------------------

    def has_rotate_permission(self, request) -> bool:
        return request.user.has_perm("blocs.add_chairterm")

    @admin.action(description=_("Rotate the chair for next year"), permissions=["rotate"])
    def rotate_chair(self, request, queryset):
        year = services.next_rotation_year()
        blocs = list(queryset.order_by("name"))
        if "apply" in request.POST:
            if request.POST.get("year") == str(year):
                for bloc in blocs:
                    self._rotate_one(request, bloc, year)
                return None
            self.message_user(
                request,
                gettext(
                    "The rotation year is now %(year)s: check the proposals again before "
                    "confirming."
                )
                % {"year": year},
                level=messages.WARNING,
            )
        return self._rotation_page(request, blocs, year)

    def _rotate_one(self, request, bloc: Bloc, year: int) -> None:
        def refuse(reason) -> None:
            self.message_user(
                request,
                gettext("%(bloc)s: %(reason)s") % {"bloc": bloc, "reason": reason},
                level=messages.ERROR,
            )

        if ChairTerm.objects.filter(bloc=bloc, year=year).exists():
            refuse(services.CHAIR_TERM_EXISTS % {"bloc": bloc, "year": year})
            return
        form = RotationForm(request.POST, prefix=f"bloc-{bloc.pk}")
        if not form.is_valid():
            refuse(
                " ".join(
                    f"{form.fields[name].label}: {' '.join(errors)}"
                    for name, errors in form.errors.items()
                )
            )
            return
        chair, deputy = form.cleaned_data["chair"], form.cleaned_data["deputy"]
        try:
            with transaction.atomic():
                services.chair_rotate(
                    bloc=bloc, chair=chair, deputy=deputy, year=year, actor=request.user
                )
        except ValidationError as exc:
            refuse(" ".join(exc.messages))
            return
        if deputy is None:
            text = gettext("%(bloc)s: %(chair)s chairs in %(year)s, with no deputy.")
        else:
            text = gettext("%(bloc)s: %(chair)s chairs in %(year)s, with %(deputy)s as deputy.")
        self.message_user(
            request,
            text % {"bloc": bloc, "chair": chair, "deputy": deputy, "year": year},
            level=messages.SUCCESS,
        )

    def _rotation_page(self, request, blocs: list[Bloc], year: int) -> TemplateResponse:
        current = {
            term.bloc_id: term
            for term in ChairTerm.objects.filter(bloc__in=blocs, year=year - 1).select_related(
                "chair", "deputy"
            )
        }
        rows = []
        for bloc in blocs:
            proposal = services.rotation_proposal(bloc=bloc, year=year)
            refusal, form = None, None
            if proposal.existing is not None:
                refusal = services.CHAIR_TERM_EXISTS % {"bloc": bloc, "year": year}
            elif not proposal.members:
                refusal = services.NO_MEMBERS % {"bloc": bloc, "year": year}
            else:
                form = RotationForm(
                    prefix=f"bloc-{bloc.pk}",
                    members=proposal.members,
                    initial={
                        "chair": proposal.chair.pk if proposal.chair else None,
                        "deputy": proposal.deputy.pk if proposal.deputy else None,
                    },
                )
            rows.append(
                {
                    "bloc": bloc,
                    "current": current.get(bloc.pk),
                    "proposal": proposal,
                    "refusal": refusal,
                    "form": form,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Rotate the chair for %(year)s") % {"year": year},
            "opts": self.model._meta,
            "year": year,
            "rows": rows,
            "blocs": blocs,
            "any_rotatable": any(row["form"] is not None for row in rows),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "rotate_chair",
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.rotation_template, context)


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
class UserAdmin(BaseUserAdmin):
    inlines = [*BaseUserAdmin.inlines, OfficialInline]
    list_display = [*BaseUserAdmin.list_display, "official_organization"]
    list_select_related = ["official__organization"]

    @admin.display(description=_("organization"), ordering="official__organization__name")
    def official_organization(self, obj) -> str:
        official = getattr(obj, "official", None)
        return official.organization.display_name if official else "—"


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


class ReadOnlyInlineMixin:
    """Rows the portal's services create (attachments, decisions): shown, never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
                    services.ATTENDANCE_NOT_MEMBER % {"organization": org, "year": meeting.year},
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
    fields = ["kind", "summary", "chair_term", "membership", "decided_by", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "chair_term__bloc",
                "chair_term__chair",
                "membership__bloc",
                "membership__organization",
                "decided_by",
            )
        )


def _formset_rows(formset, fields: list[str]) -> list[dict]:
    """The inline's rows as they should be after saving: kept and new rows, not deleted ones.
    Call after formset.save(commit=False), which applied the forms to their instances."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or formset._should_delete_form(form):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        row = {name: getattr(form.instance, name) for name in fields}
        row["id"] = form.instance.pk
        rows.append(row)
    return rows


@admin.register(Meeting)
class MeetingAdmin(ServiceRefusalMixin, FoldedSearchMixin, SimpleHistoryAdmin):
    form = MeetingAdminForm
    list_display = ["title", "bloc", "year", "kind", "starts_at", "status"]
    list_filter = ["bloc", "year", "kind", "status"]
    list_select_related = ["bloc"]
    search_fields = ["title", "place", "bloc__name"]
    folded_search_fields = ("bloc__search_name",)
    date_hierarchy = "starts_at"
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
