"""Fields the pledge forms share: numbers typed the Vietnamese way and the year's members."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from blocs.models import Organization

NOT_A_NUMBER = _("Enter a number, e.g. 12,5.")


def number_field(
    label,
    *,
    required: bool = False,
    min_value: Decimal | None = Decimal("0"),
    max_value: Decimal | None = None,
    max_digits: int = 7,
    decimal_places: int = 2,
    invalid=NOT_A_NUMBER,
    **kwargs,
) -> forms.DecimalField:
    """A decimal typed with a comma (12,5) or a dot (12.5), shown the way the language
    writes it (12,5 in Vietnamese); never negative unless `min_value` is None."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=max_value,
        max_digits=max_digits,
        decimal_places=decimal_places,
        localize=True,
        error_messages={"invalid": invalid},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


def members_queryset(members: list[Organization]):
    """Only the year's members can be chosen: a forged id is refused by the form."""
    return Organization.objects.filter(pk__in=[org.pk for org in members]).order_by("sort_name")
