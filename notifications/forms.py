from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .kinds import Kind, Mode


class PreferencesForm(forms.Form):
    """One choice per kind of notice, and the language of the e-mails."""

    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=settings.LANGUAGES,
        help_text=_("Notices and digests are written in this language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=label, choices=Mode.choices, widget=forms.RadioSelect
            )

    @classmethod
    def initial_for(cls, modes: dict[str, str], language: str) -> dict:
        return {"language": language, **{f"kind_{k}": m for k, m in modes.items()}}

    def kind_fields(self):
        return [self[f"kind_{kind}"] for kind in Kind.values]

    def modes(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"kind_{kind}"] for kind in Kind.values}
