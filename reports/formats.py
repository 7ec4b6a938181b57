"""Vietnamese formats of the official documents: dates, numbers, the lines of a text.

Pure functions of plain values, shared by the document kinds (reports/kinds/), the
document pipeline (reports/documents.py) and the spreadsheet (reports/xlsx.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

BLANK_NUMBER = "\u00a0" * 7
_GAP = "\u00a0" * 5
# A draft's date line: “…, ngày      tháng      năm 20..” (the day is written at issue).
BLANK_DATE = f"ngày{_GAP} tháng{_GAP} năm 20.."
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def vn_date(value: date | None) -> str:
    """“ngày 05 tháng 01 năm 2026”: leading zero for days 1–9 and months 1–2 (Nghị định 30)."""
    if value is None:
        return BLANK_DATE
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def place_date_line(place: str, value: date | None) -> str:
    """“Hải Phòng, ngày 29 tháng 12 năm 2020”."""
    place = (place or "").strip() or "\u00a0" * 10
    return f"{place}, {vn_date(value)}"


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value:%d/%m/%Y}"


def vn_time(value: datetime | None) -> str:
    """“8 giờ 30, ngày 29 tháng 12 năm 2020”."""
    if value is None:
        return "\u2026 giờ \u2026, ngày \u2026 tháng \u2026 năm \u2026"
    value = timezone.localtime(value)
    return f"{value.hour} giờ {value.minute:02d}, {vn_date(value.date())}"


def vn_number(value: object, places: int = 2) -> str:
    """95.5 -> “95,50”; 1234.5 -> “1.234,50” (comma decimals, dot thousands)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(number):,.{places}f}".replace(",", "\x00").replace(".", ",")
    return ("-" if number < 0 else "") + text.replace("\x00", ".")


def dec(value: Decimal | int | str | None) -> str:
    """A Decimal as a plain string for the data (“95.50”)."""
    return str(Decimal(value if value is not None else 0).quantize(Decimal("0.01")))


def lines(text: str | None) -> list[str]:
    """Non-empty lines: every line break of a narrative is a paragraph."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def legal_basis_lines(text: str) -> list[str]:
    """Each “Căn cứ …” line ends with “;”, the last with “.” (Nghị định 30)."""
    found = [line.rstrip(" ;.,") for line in lines(text)]
    return [line + (";" if i < len(found) - 1 else ".") for i, line in enumerate(found)]


def recipient_lines(text: str) -> list[str]:
    """“- X;” per line, the last “- Lưu: VT….” ending with a full stop."""
    found = [line.lstrip("-–•+ ").rstrip(" ;.,") for line in lines(text)]
    found = [line for line in found if line]
    if not any(line.lower().startswith("lưu") for line in found):
        found.append("Lưu: VT")
    else:  # the archive line goes last
        found = [x for x in found if not x.lower().startswith("lưu")] + [
            x for x in found if x.lower().startswith("lưu")
        ]
    found = [_PARENTHESES.sub(_keep_together, line) for line in found]
    return [f"- {line}" + (";" if i < len(found) - 1 else ".") for i, line in enumerate(found)]


_PARENTHESES = re.compile(r"\([^()]{1,30}\)")


def _keep_together(match: re.Match[str]) -> str:
    """A short parenthesis (“(để b/c)”) on one line: its spaces do not break."""
    return match.group(0).replace(" ", "\u00a0")


def roman(names: list[str]) -> dict[str, str]:
    """{"situation": "I", "results": "II", …}: the numbers of a document's parts."""
    return {name: ROMAN[i] for i, name in enumerate(names)}
