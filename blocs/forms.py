"""Forms validate and normalize; the services write."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.lib.forms import RowForm, SingleLineCharField

from .models import (
    Attendance,
    Bloc,
    Meeting,
    MeetingAttachment,
    MeetingDecision,
    MeetingPerson,
    Organization,
)
from .models.meetings import deputy_word


class BlocInfoForm(forms.ModelForm):
    """What the secretariat may change on the bloc page: place name and operating rules."""

    class Meta:
        model = Bloc
        fields = ["locality", "operating_rules"]
        widgets = {"operating_rules": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "operating_rules": _("The bloc's regulation on organization and operation."),
        }


# Meetings ------------------------------------------------------------------

# Typed, not picked: "dd/mm/yyyy hh:mm" is what officials write and what a test can type.
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATETIME_PLACEHOLDER = "dd/mm/yyyy hh:mm"


def _datetime_field(label, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT, "%d/%m/%Y", "%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(
            format=DATETIME_FORMAT,
            attrs={"placeholder": DATETIME_PLACEHOLDER, "autocomplete": "off"},
        ),
        help_text=_("Day/month/year hour:minute, e.g. 29/12/2025 14:00."),
    )


class MeetingForm(forms.Form):
    """The meeting's own fields; the service checks the times against the year."""

    year = forms.IntegerField(label=_("Emulation year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    title = SingleLineCharField(label=_("Title"), max_length=300)
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"), required=False)
    place = SingleLineCharField(label=_("Place"), max_length=300)
    host = forms.ModelChoiceField(
        label=_("Host organization"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, bloc: Bloc, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = (
            Organization.objects.filter(memberships__bloc=bloc).distinct().order_by("sort_name")
        )


class MeetingEditForm(MeetingForm):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    conclusions = forms.CharField(
        label=_("Conclusions of the presiding person"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class PersonForm(RowForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The initial is what a browser sends for an untouched select: a blank row stays blank.
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MeetingPerson.Role.choices,
        initial=MeetingPerson.Role.PRESIDING,
    )
    name = forms.CharField(label=_("Full name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=300, required=False)
    organization = forms.CharField(label=_("Organization"), max_length=300, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, required=False)


class AttendanceForm(RowForm):
    """One member organization; the organization is fixed by the prefilled row."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), widget=forms.HiddenInput
    )
    status = forms.ChoiceField(label=_("Attendance"), choices=Attendance.Status.choices)
    representative = forms.CharField(label=_("Representative"), max_length=200, required=False)
    representative_position = forms.CharField(
        label=_("Representative's position"), max_length=300, required=False
    )
    absence_reason = forms.CharField(label=_("Reason for absence"), max_length=300, required=False)

    def __init__(self, *args, members: list[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        # Only the year's members can be chosen: a forged organization id is refused here.
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=[org.pk for org in members]
        )


class AgendaItemForm(RowForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(label=_("Order"), min_value=0, required=False)
    title = forms.CharField(label=_("Item"), max_length=300)
    presenter = forms.CharField(label=_("Presenter"), max_length=300, required=False)
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# Three blank rows: approval needs a presiding person and a secretary, and most meetings
# have a guest.
PersonFormSet = forms.formset_factory(PersonForm, extra=3, can_delete=True)
AttendanceFormSet = forms.formset_factory(AttendanceForm, extra=0)
AgendaFormSet = forms.formset_factory(AgendaItemForm, extra=2, can_delete=True)


class ElectionForm(forms.Form):
    """Next year's chair and deputy, chosen among the members of that year."""

    chair = forms.ModelChoiceField(label=_("Chair"), queryset=Organization.objects.none())
    deputy = forms.ModelChoiceField(
        label=_("Deputy"), queryset=Organization.objects.none(), required=False
    )
    replace = forms.BooleanField(label=_("Replace the existing chair term"), required=False)

    def __init__(self, *args, members: list[Organization], bloc: Bloc | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        members_qs = Organization.objects.filter(pk__in=[o.pk for o in members])
        self.fields["chair"].queryset = members_qs
        self.fields["deputy"].queryset = members_qs
        if bloc is not None:  # the bloc's own words: trưởng khối / cụm trưởng, never "khối/cụm"
            words = {"chair_word": bloc.chair_word, "deputy_word": deputy_word(bloc)}
            self.fields["chair"].label = capfirst(_("Chair (%(chair_word)s)") % words)
            self.fields["deputy"].label = capfirst(_("Deputy (%(deputy_word)s)") % words)
            self.fields["replace"].label = (
                _("Replace the %(chair_word)s and %(deputy_word)s recorded") % words
            )


class MembershipChangeForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.order_by("sort_name")
    )

    joins = forms.TypedChoiceField(
        label=pgettext_lazy("a membership", "Change"),
        choices=[("1", _("Joins the bloc")), ("0", _("Leaves the bloc"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    from_year = forms.IntegerField(label=_("From year"), min_value=2000, max_value=2100)

    def __init__(self, *args, bloc: Bloc | None = None, organizations=None, **kwargs):
        """`organizations`: those the user may choose (`blocs.rules.member_choices`);
        `bloc`: whose words the choices use (khối / cụm)."""
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations
            self.fields["organization"].help_text = _(
                "The bloc's current and former members. A new member organization is added "
                "by the portal's administrator."
            )
        if bloc is not None:
            words = {"kind_word": bloc.kind_word}
            self.fields["joins"].choices = [
                ("1", _("Joins the %(kind_word)s") % words),
                ("0", _("Leaves the %(kind_word)s") % words),
            ]


class DecisionForm(forms.Form):
    """A decision kept as data; only "other" needs its text."""

    kind = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (MeetingDecision.Kind.PLEDGE, MeetingDecision.Kind.PLEDGE.label),
            (MeetingDecision.Kind.RANKING, MeetingDecision.Kind.RANKING.label),
            (MeetingDecision.Kind.OTHER, MeetingDecision.Kind.OTHER.label),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "Elections and membership changes have their own forms, which also apply them."
        ),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("The pledge's or the ranking's year; the meeting's year if left empty."),
    )
    text = forms.CharField(
        label=_("Text of the decision"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for another decision: one sentence, as the minutes should print it."),
    )


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        help_text=_("The members receive it with the cancellation."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingAttachment.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, Word, Excel, JPEG or PNG; at most 10 MB.")
    )
