"""Numbers in sentences the way Vietnamese readers write them: "9,00 → 8,00", "120 buổi"."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format


def format_points(value: Decimal | float | int | None, places: int = 2) -> str:
    """A score with its decimals and the active language's separator: "2,00" (vi), "2.00"
    (en); "?" for no value."""
    if value is None:
        return "?"
    return number_format(Decimal(str(value)), decimal_pos=places, use_l10n=True)


def format_count(value: int | Decimal | None) -> str:
    """A count: a whole number, no decimals ("120"), thousands grouped ("1.200")."""
    if value is None:
        return "?"
    return number_format(int(value), use_l10n=True, force_grouping=True)


def format_number(value: Decimal | float | int | str | None) -> str:
    """A number with only the decimals it has: "40", "40,5", "66,67" (a threshold, a cap)."""
    if value is None:
        return "?"
    number = Decimal(str(value)).normalize()
    exponent = number.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return number_format(number, decimal_pos=places, use_l10n=True)
