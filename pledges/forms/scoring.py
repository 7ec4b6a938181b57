"""Forms of the scoring and results pages: score rows, verification cells, bonus and
penalty lines, ballots, proposals. They validate and normalize; `pledges.services` writes
(and checks every rule again)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django import forms
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from blocs.models import Meeting, Organization
from portal.lib.forms import RowForm

from .. import services
from ..models import Adjustment, Ballot, Criterion, EmulationTitle, Pledge
from .fields import members_queryset, number_field

POINTS_OVER_MAX = _("At most %(max)s points for %(code)s.")
BONUS_OVER_CAP = _("At most %(max)s bonus points for %(code)s.")
NOT_A_NUMBER = _("Enter a number of points, e.g. 12,5.")


def _points_field(label) -> forms.DecimalField:
    """Points typed the Vietnamese way (12,5) or the dotted way (12.5); never negative."""
    return number_field(label, invalid=NOT_A_NUMBER)


def _fmt(value: Decimal) -> str:
    """12,5 in Vietnamese, 12.5 in English; 15 rather than 15,00."""
    return floatformat(value, "-2")


@dataclass(frozen=True)
class ScoreCell:
    """What the grid prints for one row form, read once: names, ids, shown values and errors.
    A page of 50 criteria rendering widgets and bound fields per cell spent most of its time
    in templates; the grid writes plain inputs from these values instead."""

    prefix: str
    points: str
    bonus: str | None  # None: the criterion takes no bonus
    explanation: str
    version: str
    points_errors: list[str]
    bonus_errors: list[str]
    file_errors: list[str]
    row_errors: list[str]
    # A file chosen on the page that comes back with errors: browsers never keep a chosen
    # file, so the row names it and asks for it again.
    dropped_file: str

    def name(self, field: str) -> str:
        return f"{self.prefix}-{field}"

    @classmethod
    def saved(cls, criterion: Criterion, score) -> ScoreCell:
        """The cell of a row as stored (`score`, None for an empty row), without a form: a
        page that is only shown needs no 50 forms (a tenth of the sheet's CPU); a posted
        page builds them (`ScoreRowForm.cell`, the same values for an unposted form)."""
        points = bonus = explanation = ""
        version = "0"
        if score is not None:
            points = "" if score.points is None else _fmt(score.points)
            bonus = "" if score.bonus is None else _fmt(score.bonus)
            explanation = score.explanation or ""
            version = str(score.version)
        return cls(
            prefix=f"c{criterion.pk}",
            points=points,
            bonus=bonus if criterion.bonus_cap else None,
            explanation=explanation,
            version=version,
            points_errors=[],
            bonus_errors=[],
            file_errors=[],
            row_errors=[],
            dropped_file="",
        )


class ScoreRowForm(RowForm):
    """One leaf criterion of a sheet; the criterion is fixed by the page, never posted."""

    points = _points_field(_("Points"))
    bonus = _points_field(_("Bonus"))
    explanation = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    file = forms.FileField(label=_("Evidence file"), required=False)

    def __init__(self, *args, criterion: Criterion, with_file: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.summary_label = criterion.code
        if not with_file:
            del self.fields["file"]
        else:
            self.fields["file"].widget.attrs["class"] = "form-control form-control-sm"
        if not criterion.bonus_cap:
            del self.fields["bonus"]

    @classmethod
    def for_score(cls, criterion: Criterion, score, data=None, files=None, with_file=True):
        """The row of `criterion`, showing its saved `score` (None: an empty cell)."""
        initial = {"version": 0}
        if score is not None:
            initial = {
                "points": score.points,
                "bonus": score.bonus,
                "explanation": score.explanation,
                "version": score.version,
            }
        return cls(
            data,
            files,
            prefix=f"c{criterion.pk}",
            criterion=criterion,
            with_file=with_file,
            initial=initial,
        )

    def _shown(self, name: str) -> str:
        """What the input shows: the typed text when posted, else the stored number."""
        value = self[name].value()
        if value in (None, ""):
            return ""
        return str(value) if self.is_bound else _fmt(value)

    @property
    def shown_points(self) -> str:
        return self._shown("points")

    @property
    def shown_bonus(self) -> str:
        return self._shown("bonus") if "bonus" in self.fields else ""

    @cached_property
    def cell(self) -> ScoreCell:
        errors = self.errors if self.is_bound else {}
        explanation = self["explanation"].value()
        version = self["version"].value()
        return ScoreCell(
            prefix=self.prefix or "",
            points=self.shown_points,
            bonus=self.shown_bonus if "bonus" in self.fields else None,
            explanation="" if explanation is None else str(explanation),
            version="" if version is None else str(version),
            points_errors=list(errors.get("points", [])),
            bonus_errors=list(errors.get("bonus", [])),
            file_errors=list(errors.get("file", [])),
            row_errors=list(errors.get("__all__", [])),
            dropped_file=getattr(self.files.get(f"{self.prefix}-file"), "name", "") or "",
        )

    def _check_limits(self, name: str):
        """The value of `name`, checked against the criterion's limits by the service's
        own rule (`check_score_limits`), in this form's words."""
        value = self.cleaned_data.get(name)
        for _field, limit in services.check_score_limits(self.criterion, **{name: value}):
            if limit == "points_over_max":
                params = {"max": _fmt(self.criterion.max_points), "code": self.criterion.code}
                raise forms.ValidationError(POINTS_OVER_MAX, code="over_max", params=params)
            if limit in ("bonus_over_cap", "bonus_not_allowed"):
                cap = _fmt(self.criterion.bonus_cap or Decimal("0"))
                params = {"max": cap, "code": self.criterion.code}
                raise forms.ValidationError(BONUS_OVER_CAP, code="over_cap", params=params)
        return value

    def clean_points(self):
        return self._check_limits("points")

    def clean_bonus(self):
        return self._check_limits("bonus")

    def row(self) -> dict | None:
        """The row for `sheet_save_grid`, or None when the points are left blank."""
        data = self.cleaned_data
        if data.get("points") is None:
            return None
        return {
            "criterion": self.criterion,
            "points": data["points"],
            "bonus": data.get("bonus") or Decimal("0"),
            "explanation": data.get("explanation", ""),
            "version": data.get("version"),
        }


class VerifyCellForm(ScoreRowForm):
    """One cell of the verification grid: points (and bonus when the criterion has one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, with_file=False, **kwargs)
        del self.fields["explanation"]
        label = f"{self.criterion.code}"
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = label
            field.widget.attrs["class"] = "form-control form-control-sm verify-input"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What should be corrected"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member reads this on its sheet; it is also kept in the history."),
    )


class AdjustmentForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Adjustment.Kind.choices)
    points = number_field(
        _("Points"), required=True, min_value=Decimal("0.01"), invalid=NOT_A_NUMBER
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, members: list[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = members_queryset(members)


class BallotForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Meeting"), queryset=Meeting.objects.none(), required=False
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Ballot.Purpose.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    members_total = forms.IntegerField(label=_("Members in all"), min_value=0)
    present = forms.IntegerField(
        label=_("Members present"),
        min_value=0,
        help_text=_(
            "Filled in from the attendance of the review meeting; it must match the "
            "attendance of the meeting chosen above."
        ),
    )
    issued = forms.IntegerField(label=_("Ballots issued"), min_value=0)
    returned = forms.IntegerField(label=_("Ballots returned"), min_value=0)
    valid = forms.IntegerField(label=_("Valid ballots"), min_value=0)
    invalid = forms.IntegerField(label=_("Invalid ballots"), min_value=0)
    tellers = forms.CharField(
        label=_("Vote-counting committee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One person per line: name and position."),
    )

    def __init__(self, *args, pledge: Pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            bloc_id=pledge.bloc_id, year=pledge.year
        ).order_by("starts_at")


class CandidateForm(RowForm):
    """One member of the year; blank votes mean it was not a candidate."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), widget=forms.HiddenInput
    )
    votes = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)

    def __init__(self, *args, members: list[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = members_queryset(members)


CandidateFormSet = forms.formset_factory(CandidateForm, extra=0)


def candidate_rows(formset) -> list[dict]:
    return [
        {"organization": form.cleaned_data["organization"], "votes": form.cleaned_data["votes"]}
        for form in formset.forms
        if form.cleaned_data.get("votes") is not None
    ]


class ProposalForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    title = forms.ModelChoiceField(
        label=_("Commendation"), queryset=EmulationTitle.objects.filter(is_active=True)
    )
    ballot = forms.ModelChoiceField(
        label=_("Ballot"), queryset=Ballot.objects.none(), required=False
    )
    achievements = forms.CharField(
        label=_("Achievements in brief"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, pledge: Pledge, members: list[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = members_queryset(members)
        self.fields["ballot"].queryset = Ballot.objects.filter(pledge=pledge)
        self.fields["ballot"].help_text = _(
            "The ballot the organization passed; a ballot it failed cannot be linked."
        )

    def clean(self):
        data = super().clean()
        ballot, organization = data.get("ballot"), data.get("organization")
        if ballot is not None and organization is not None:
            problem = services.check_proposal_ballot(ballot, organization)
            if problem:
                self.add_error("ballot", problem)
        return data
