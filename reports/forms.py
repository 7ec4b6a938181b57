"""Forms validate and normalize; the services write."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from blocs.models import Meeting, Organization

from .kinds import get_kind, kind_choices
from .models import DocumentStyle, ReportDraft
from .services import HEADER_FIELDS, SIGNER_FIELDS, draft_fields

DATE_FORMAT = "%d/%m/%Y"
# One line of help beside every narrative editor: the small markup of portal/lib/markup.py.
MARKUP_HELP = _(
    "Formatting: each line is a paragraph; **bold**, *italic*; lines starting with “- ” or "
    "“1. ” make a list; a table: a row | A | B |, then |---|---|, then one row per line."
)


def bloc_kind_choices() -> list[tuple[str, object]]:
    """The kinds the secretariat opens from the list: not a unit's own report, which the
    dossier page starts for each proposed unit (reports/dossier.py)."""
    return [(code, label) for code, label in kind_choices() if not get_kind(code).has_subject]


class DraftOpenForm(forms.Form):
    """Which document to open: its kind, and the meeting for minutes."""

    kind = forms.ChoiceField(
        label=pgettext_lazy("official document", "Document"),
        choices=bloc_kind_choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, bloc, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(bloc=bloc, year=year)


class DraftForm(forms.ModelForm):
    """The header, narrative sections, signature block and recipients of a document: the
    sections of its kind only, the ones its document prints (reports/kinds/)."""

    issue_date = forms.DateField(
        label=_("Issue date"),
        required=False,
        input_formats=[DATE_FORMAT, "%Y-%m-%d"],
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy"}),
        help_text=_("The day it is meant to bear; the date is fixed when it is issued."),
    )

    class Meta:
        model = ReportDraft
        # With the kind's sections, what services.draft_update may change.
        fields = [*HEADER_FIELDS, *SIGNER_FIELDS]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        kind = get_kind(self.instance.kind)
        for section in kind.sections:
            field = ReportDraft._meta.get_field(section.field).formfield(
                widget=forms.Textarea(attrs={"rows": section.rows})
            )
            field.label = capfirst(section.label)
            field.help_text = format_lazy("{} {}", section.help_text, MARKUP_HELP)
            self.fields[section.field] = field
            self.initial.setdefault(section.field, getattr(self.instance, section.field))
        self.order_fields(draft_fields(kind))
        ids = [org.pk for org in members]
        if self.instance.issuer_id:
            ids.append(self.instance.issuer_id)
        self.fields["issuer"].queryset = Organization.objects.filter(pk__in=ids)
        if self.instance.subject_id is not None:  # a unit's own report: issued by that unit
            self.fields["issuer"].disabled = True
        self.fields["style"].queryset = DocumentStyle.objects.all()
        if self.instance.is_issued:  # read-only: a change is a replacement
            for field in self.fields.values():
                field.disabled = True


class IssueForm(forms.Form):
    """The date and, when the issuer keeps its own registry, the number of an issue."""

    issued_on = forms.DateField(
        label=_("Issue date"),
        input_formats=[DATE_FORMAT, "%Y-%m-%d"],
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy"}),
        help_text=_("Today by default; never in the future."),
    )
    number = forms.IntegerField(
        label=_("Number in the registry"),
        min_value=1,
        max_value=99999,
        required=False,
        help_text=_("The number the organization's registry gave this document."),
    )

    def __init__(self, *args, typed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if typed:
            self.fields["number"].required = True
        else:
            del self.fields["number"]


class ScanForm(forms.Form):
    """The signed scan of an issued document (a PDF)."""

    file = forms.FileField(
        label=_("Signed scan (PDF)"),
        help_text=_("The signed and stamped document, scanned as one PDF file."),
    )
    replace = forms.BooleanField(
        label=_("Replace the scan already filed"),
        required=False,
    )

    def __init__(self, *args, has_scan: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_scan:
            del self.fields["replace"]


class PreviewForm(forms.Form):
    """The unsaved narrative of the editor, for the live preview (never saved from here)."""

    def __init__(self, *args, draft: ReportDraft, **kwargs):
        super().__init__(*args, **kwargs)
        for name in get_kind(draft.kind).section_fields:
            self.fields[name] = forms.CharField(required=False, strip=True)
        for name in ("parent_body", "issuer_title", "place", "signer_name", "signer_position"):
            self.fields[name] = forms.CharField(required=False, max_length=255)
        self.fields["sign_mode"] = forms.CharField(required=False, max_length=100)
        self.fields["recipients"] = forms.CharField(required=False)
