"""The results table of a year as an .xlsx workbook, with the same columns as the page.

Headers go through gettext, so the file speaks the language of the request (Vietnamese
by default). Points are written as numbers (two decimals), not text, so they can be summed.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from portal.lib.spreadsheets import text_cells_only

POINTS_FORMAT = "0.00"


def rank_label(member) -> str:
    """ "2" or "2=" for a rank shared with another member."""
    return f"{member.rank}=" if member.tied else str(member.rank)


def header_row(results) -> list[str]:
    groups = [
        _("%(code)s (max %(max)s)") % {"code": g.code, "max": _plain(g.max_points)}
        for g in results.groups
    ]
    return [
        _("Rank"),
        _("Organization"),
        *groups,
        _("Points"),
        _("Bonus"),
        _("Penalty"),
        _("Total"),
        _("Classification"),
        _("Note"),
    ]


def _plain(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def data_rows(results) -> list[list]:
    rows = []
    for member in results.members:
        rows.append(
            [
                rank_label(member),
                member.organization.name,
                *[float(member.group_points.get(g.pk, 0)) for g in results.groups],
                float(member.base_points),
                float(member.bonus),
                float(member.penalty),
                float(member.total),
                member.classification,
                member.tie_note,
            ]
        )
    return rows


def results_xlsx(results, pledge) -> bytes:
    """The workbook as bytes: a title line, the header, one row per member in rank order."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Results")[:31]
    header = header_row(results)
    sheet.append([f"{pledge.bloc.name} – {pledge.title}"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(header)
    thin = Side(style="thin", color="999999")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2E6E6")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    first_number, last_number = 3, 2 + len(results.groups) + 4
    for row in data_rows(results):
        sheet.append(row)
        for cell in sheet[sheet.max_row][first_number - 1 : last_number]:
            cell.number_format = POINTS_FORMAT
    widths = [8, 42] + [12] * (len(results.groups) + 4) + [28, 40]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C3"
    text_cells_only(workbook)  # user texts never become formulas
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
