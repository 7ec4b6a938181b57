"""Forms validate and normalize; the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Bloc


class BlocInfoForm(forms.ModelForm):
    """What the secretariat may change on the bloc page: place name and operating rules."""

    class Meta:
        model = Bloc
        fields = ["locality", "operating_rules"]
        widgets = {"operating_rules": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "operating_rules": _("The bloc's regulation on organization and operation."),
        }
