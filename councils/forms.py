"""The council's forms: a decision (with its reason), a hold, the lifting of a hold. They
only read the input; the rules are the services' (`pledges.services.council`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pledges.models import CouncilDecision, ProposalHold


class DecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=CouncilDecision.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return a proposal or hold it; the bloc reads it."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm this decision of the council"),
        error_messages={"required": _("Tick the confirmation to record the decision.")},
    )


class HoldForm(forms.Form):
    reason = forms.ChoiceField(label=_("Ground"), choices=ProposalHold.Reason.choices)
    text = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}))


class LiftForm(forms.Form):
    lift_reason = forms.CharField(
        label=_("Why the hold is lifted"), widget=forms.Textarea(attrs={"rows": 3})
    )
