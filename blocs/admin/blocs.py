"""The admin of blocs: their memberships, chair terms and assigned secretaries inline, and
the chair rotation for next year (an action)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.lib.admin import (
    FoldedSearchMixin,
    ServiceRefusalMixin,
    adopt,
)
from portal.lib.admin import HistoryAdmin as SimpleHistoryAdmin

from .. import selectors, services
from ..models import (
    Bloc,
    ChairTerm,
    Membership,
    Organization,
    SecretaryAssignment,
    current_year,
)
from .forms import (
    ChairTermInlineForm,
    ChairTermInlineFormSet,
    MembershipInlineForm,
    MembershipInlineFormSet,
    SecretaryAssignmentForm,
)

# ---------------------------------------------------------------------------
# Inlines
# ---------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipInlineForm
    formset = MembershipInlineFormSet
    fields = ["organization", "first_year", "last_year", "rotation_order"]
    autocomplete_fields = ["organization"]
    extra = 0
    verbose_name_plural = _("memberships (by rotation order)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization").in_rotation_order()


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
        blocs = selectors.with_member_count(super().get_queryset(request), year)
        return blocs.annotate(
            _chair=Subquery(term.values("chair__name")[:1]),
            _deputy=Subquery(term.values("deputy__name")[:1]),
        )

    @admin.display(description=_("members this year"), ordering="members_count")
    def member_count(self, obj: Bloc) -> int:
        return obj.members_count

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
        blocs = list(queryset.order_by("sort_name"))
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
            bloc.for_kind(text % {"bloc": bloc, "chair": chair, "deputy": deputy, "year": year}),
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
            proposal = selectors.rotation_proposal(bloc=bloc, year=year)
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
