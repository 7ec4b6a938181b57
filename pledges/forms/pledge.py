"""Forms of the pledge pages: the year, its rules, contents and criteria, signing,
registration. They validate and normalize; `pledges.services` writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from blocs.models import Meeting, Organization
from portal.lib.forms import ReopenForm, RowForm, formset_rows

from ..models import CommendationQuota, Criterion, EmulationTitle, Pledge, PledgeItem
from .fields import members_queryset, number_field

__all__ = [
    "BandFormSet",
    "CriterionForm",
    "ItemFormSet",
    "PledgeCreateForm",
    "PledgeRulesForm",
    "QuotaFormSet",
    "RegistrationForm",
    "ReopenForm",
    "SignatureForm",
    "TargetFormSet",
    "band_rows",
    "formset_rows",
    "item_rows",
    "quota_rows",
    "target_rows",
]

DATE_FORMAT = "%d/%m/%Y"


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=[DATE_FORMAT, "%Y-%m-%d"],
        widget=forms.DateInput(
            format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
        ),
        help_text=_("Day/month/year, e.g. 31/03/2026."),
    )


class PledgeCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Emulation year"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("E.g. “Giao ước thi đua năm 2026”."),
    )
    copy_previous = forms.BooleanField(
        label=_("Start from last year's pledge"),
        required=False,
        help_text=_(
            "Copies the contents, the criteria tree, the rules and the quotas of the latest "
            "earlier pledge of the bloc; everything can be changed afterwards."
        ),
    )

    def clean(self):
        data = super().clean()
        if not data.get("copy_previous") and not data.get("title"):
            self.add_error("title", _("Enter a title, or start from last year's pledge."))
        return data


# Rules ---------------------------------------------------------------------


class PledgeRulesForm(forms.Form):
    """The year's rules. Classification bands come from `BandFormSet`; the tie-break order
    from one select per position, folded into `tie_break_order` by `clean`."""

    title = forms.CharField(label=_("Title"), max_length=300)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The “Căn cứ …” lines the documents cite, one per line."),
    )
    scoring_method = forms.ChoiceField(
        label=_("Scoring method"), choices=Pledge.ScoringMethod.choices
    )
    bonus_cap = number_field(
        _("Bonus cap"),
        help_text=_("Most bonus points a member can get in all; empty for no cap."),
    )
    penalty_cap = number_field(
        _("Penalty cap"),
        help_text=_("Most penalty points a member can lose in all; empty for no cap."),
    )
    vote_threshold = number_field(
        _("Vote threshold (%)"), required=True, max_value=Decimal("100"), max_digits=5
    )
    vote_threshold_strict = forms.TypedChoiceField(
        label=_("A candidate passes with"),
        choices=[("1", _("more than the threshold")), ("0", _("at least the threshold"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    vote_base = forms.ChoiceField(label=_("Counted against"), choices=Pledge.VoteBase.choices)
    leading_units = forms.IntegerField(
        label=_("Number of leading units"), min_value=1, max_value=100
    )
    registration_deadline = _date_field(_("Registration deadline"))
    scoring_deadline = _date_field(_("Self-scoring deadline"))
    verification_deadline = _date_field(_("Verification deadline"))
    reminder_days = forms.CharField(
        label=_("Reminders (days before a deadline)"),
        required=False,
        max_length=50,
        help_text=_(
            "Members are reminded this many days before each deadline, e.g. “7,3,1”; "
            "empty for no reminders."
        ),
    )
    launch_meeting = forms.ModelChoiceField(
        label=_("Launch and signing meeting"), queryset=Meeting.objects.none(), required=False
    )
    review_meeting = forms.ModelChoiceField(
        label=_("Year-end review meeting"), queryset=Meeting.objects.none(), required=False
    )

    TIE_BREAK_SLOTS = len(Pledge.TieBreak.choices)

    def __init__(self, *args, pledge: Pledge, **kwargs):
        super().__init__(*args, **kwargs)
        meetings = Meeting.objects.filter(bloc=pledge.bloc, year=pledge.year).order_by("starts_at")
        self.fields["launch_meeting"].queryset = meetings
        self.fields["review_meeting"].queryset = meetings
        for field in ("launch_meeting", "review_meeting"):
            self.fields[field].label_from_instance = _meeting_label
        choices = [("", _("— not used —")), *Pledge.TieBreak.choices]
        for slot in range(1, self.TIE_BREAK_SLOTS + 1):
            self.fields[f"tie_break_{slot}"] = forms.ChoiceField(
                label=_("Tie-break %(n)s") % {"n": slot}, choices=choices, required=False
            )

    @classmethod
    def initial_for(cls, pledge: Pledge) -> dict:
        names = [n for n in cls.base_fields if n not in ("launch_meeting", "review_meeting")]
        initial = {name: getattr(pledge, name) for name in names}
        initial["vote_threshold_strict"] = "1" if pledge.vote_threshold_strict else "0"
        initial["launch_meeting"] = pledge.launch_meeting_id
        initial["review_meeting"] = pledge.review_meeting_id
        for slot, value in enumerate(pledge.tie_break_order or [], start=1):
            initial[f"tie_break_{slot}"] = value
        return initial

    def tie_break_fields(self):
        return [self[f"tie_break_{slot}"] for slot in range(1, self.TIE_BREAK_SLOTS + 1)]

    def rule_fields(self):
        return [self[name] for name in self.fields if not name.startswith("tie_break_")]

    def clean(self):
        data = super().clean()
        order = []
        for slot in range(1, self.TIE_BREAK_SLOTS + 1):
            value = data.pop(f"tie_break_{slot}", "")
            if not value:
                continue
            if value in order:
                self.add_error(f"tie_break_{slot}", _("Each tie-break can be used only once."))
            order.append(value)
        data["tie_break_order"] = order
        return data


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.starts_at:%d/%m/%Y} – {meeting.title}"


class BandForm(RowForm):
    """One classification band; a row left (or made) empty is no band."""

    name = forms.CharField(label=_("Classification"), max_length=200, required=False)
    min = number_field(_("From (points)"), min_value=None)

    def clean(self):
        data = super().clean()
        name, low = (data.get("name") or "").strip(), data.get("min")
        if name and low is None and "min" not in self.errors:
            self.add_error("min", _("Give the lowest total of this band."))
        elif low is not None and not name:
            self.add_error("name", _("Give the name of this band."))
        return data


BandFormSet = forms.formset_factory(BandForm, extra=2, can_delete=True)


def band_rows(formset) -> list[dict]:
    """The bands as the JSON field stores them: names and plain numbers, in the order
    typed (the service checks that they go down)."""
    rows = []
    for row in formset_rows(formset):
        name, points = (row.get("name") or "").strip(), row.get("min")
        if not name and points is None:
            continue
        number = int(points) if points == points.to_integral_value() else float(points)
        rows.append({"name": name, "min": number})
    return rows


class QuotaForm(RowForm):
    """At most so many proposals of one commendation; an empty row is no quota."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.ModelChoiceField(
        label=_("Commendation"), queryset=EmulationTitle.objects.none(), required=False
    )
    max_percent = number_field(_("At most (%)"), max_value=Decimal("100"), max_digits=5)
    base = forms.ChoiceField(
        label=_("Of"),
        choices=CommendationQuota.Base.choices,
        initial=CommendationQuota.Base.MEMBERS,
    )
    max_count = forms.IntegerField(
        label=_("At most (number)"), required=False, min_value=0, max_value=1000
    )

    def __init__(self, *args, titles: list[EmulationTitle], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].queryset = EmulationTitle.objects.filter(pk__in=[t.pk for t in titles])

    def clean(self):
        data = super().clean()
        limits = data.get("max_percent") is not None or data.get("max_count") is not None
        if limits and not data.get("title") and "title" not in self.errors:
            self.add_error("title", _("Choose the commendation this quota limits."))
        return data


QuotaFormSet = forms.formset_factory(QuotaForm, extra=1, can_delete=True)


def quota_rows(formset) -> list[dict]:
    """Quota rows to set (with a title) or delete (`DELETE`, with the existing `id`)."""
    rows = []
    for form in formset.forms:
        data = dict(form.cleaned_data)
        if not form.has_changed() or (data.get("title") is None and not data.get("id")):
            continue
        rows.append(data)
    return rows


# Contents and criteria -----------------------------------------------------


class ItemForm(RowForm):
    """One content; a row left (or made) empty is no content."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(label=_("Order"), min_value=0, required=False)
    text = forms.CharField(
        label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def item_rows(formset) -> list[dict]:
    """The contents to keep, for `pledge_save_items`: empty rows and removals left out."""
    return [row for row in formset_rows(formset) if (row.get("text") or "").strip()]


ItemFormSet = forms.formset_factory(ItemForm, extra=3, can_delete=True)


class CriterionForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=Criterion.objects.none(),
        required=False,
        empty_label=_("— top level: a group of criteria —"),
    )
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("E.g. A, A1, A1.2."))
    text = forms.CharField(label=_("Criterion"), widget=forms.Textarea(attrs={"rows": 2}))
    max_points = number_field(_("Max points"), required=True)
    bonus_cap = number_field(
        _("Bonus cap"), help_text=_("Bonus points this criterion may add; empty for none.")
    )
    evidence_required = forms.BooleanField(label=_("Evidence required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, required=False)

    def __init__(self, *args, pledge: Pledge, criteria: list[Criterion], criterion=None, **kw):
        super().__init__(*args, **kw)
        # A node cannot move under itself or one of its descendants.
        excluded = descendants(criteria, criterion) if criterion else set()
        allowed = [c.pk for c in criteria if c.pk not in excluded]
        self.fields["parent"].queryset = Criterion.objects.filter(pledge=pledge, pk__in=allowed)

    def clean_order(self):
        return self.cleaned_data["order"] or 0


def descendants(criteria: list[Criterion], root: Criterion) -> set[int]:
    found = {root.pk}
    changed = True
    while changed:
        changed = False
        for node in criteria:
            if node.parent_id in found and node.pk not in found:
                found.add(node.pk)
                changed = True
    return found


# Signing -------------------------------------------------------------------


class SignatureForm(forms.Form):
    """A member signs for itself (no organization field); the secretariat records any
    member's signature and may link it to the launch meeting."""

    organization = forms.ModelChoiceField(
        label=_("Member organization"), queryset=Organization.objects.none()
    )
    signer_name = forms.CharField(label=_("Signed by (full name)"), max_length=200)
    signer_position = forms.CharField(label=_("Position"), max_length=300)
    meeting = forms.ModelChoiceField(
        label=_("At the meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("The launch and signing meeting where the signature was given."),
    )

    def __init__(self, *args, pledge: Pledge, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:  # signing for one's own organization
            del self.fields["organization"]
            del self.fields["meeting"]
            return
        self.fields["organization"].queryset = members_queryset(organizations)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            bloc=pledge.bloc, year=pledge.year, kind=Meeting.Kind.LAUNCH
        ).order_by("starts_at")
        self.fields["meeting"].label_from_instance = _meeting_label


# Registration --------------------------------------------------------------


class RegistrationForm(forms.Form):
    titles = forms.ModelMultipleChoiceField(
        label=_("Titles aimed for"),
        queryset=EmulationTitle.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, titles: list[EmulationTitle], **kwargs):
        super().__init__(*args, **kwargs)
        self.titles = titles
        self.fields["titles"].queryset = EmulationTitle.objects.filter(
            pk__in=[t.pk for t in titles]
        )

    def title_groups(self) -> list[tuple[str, list[tuple[EmulationTitle, bool]]]]:
        """The active titles grouped by kind, each with whether it is ticked."""
        chosen = {str(value) for value in (self["titles"].value() or [])}
        groups = []
        for kind, label in EmulationTitle.Kind.choices:
            rows = [(t, str(t.pk) in chosen) for t in self.titles if t.kind == kind]
            if rows:
                groups.append((label, rows))
        return groups


class TargetForm(RowForm):
    """The target for one content of the pledge; a blank row registers nothing for it."""

    item = forms.ModelChoiceField(queryset=PledgeItem.objects.none(), widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Target"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    number = number_field(_("Number"), min_value=None, max_digits=12)
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)

    def __init__(self, *args, items: list[PledgeItem], **kwargs):
        super().__init__(*args, **kwargs)
        # Only this pledge's contents: a forged item id is refused here.
        self.fields["item"].queryset = PledgeItem.objects.filter(pk__in=[i.pk for i in items])

    def clean(self):
        data = super().clean()
        text = (data.get("text") or "").strip()
        if not text and (data.get("number") is not None or data.get("unit")):
            self.add_error("text", _("Describe the target, or clear the number and the unit."))
        data["text"] = text
        return data


TargetFormSet = forms.formset_factory(TargetForm, extra=0)


def target_rows(formset) -> list[dict]:
    """The filled target rows, in the service's shape."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if data.get("text"):
            rows.append(
                {
                    "item": data["item"],
                    "text": data["text"],
                    "number": data.get("number"),
                    "unit": data.get("unit", "").strip(),
                }
            )
    return rows
