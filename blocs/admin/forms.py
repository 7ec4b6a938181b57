"""The admin's forms for memberships, chair terms and assigned secretaries: each runs the
service's own check, so a refusal is a form error in the service's words."""

from __future__ import annotations

from django import forms

from portal.lib.admin import (
    ServiceCheckedForm,
)

from .. import services
from ..models import (
    ChairTerm,
    Membership,
    SecretaryAssignment,
)

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


class MembershipInlineForm(forms.ModelForm):
    """A membership row of the bloc page.

    "One open membership per bloc and organization" is checked by the formset over all the
    page's rows (`MembershipInlineFormSet.clean`), and the rows are saved closings first
    (`BlocAdmin._save_memberships`, then the services check again). One row checked alone
    against the database would meet the open period that this same save closes. Django 5.2
    skipped that constraint here only because it names the inline foreign key (bloc); Django
    6.0 validates such constraints (ticket #35676), and so refused closing a membership and
    reopening it in one save. Leaving the row's organization out of the per-row model
    validation keeps the check where it sees the whole page, under both versions (the
    ModelChoiceField has already validated the organization itself)."""

    class Meta:
        model = Membership
        fields = ["organization", "first_year", "last_year", "rotation_order"]

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.add("organization")
        return exclude


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
