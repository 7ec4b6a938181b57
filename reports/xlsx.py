"""The score table of a report as a spreadsheet (the same columns as Phụ lục 1), for the
kinds that have one (`DocumentKind.has_spreadsheet`)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from portal.lib.spreadsheets import text_cells_only

from .formats import vn_number
from .kinds import get_kind

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NUMBER_FORMAT = "#,##0.00"


def score_table_columns(data: dict) -> list[str]:
    groups = (data.get("results") or {}).get("groups", [])
    return [
        "STT",
        "Đơn vị",
        *[f"{g['code']}. {g['text']} (tối đa {vn_number(g['max'])})" for g in groups],
        "Điểm tiêu chí",
        "Điểm thưởng",
        "Điểm trừ",
        "Tổng điểm",
        "Xếp hạng",
        "Xếp loại",
    ]


def score_table_xlsx(data: dict) -> bytes | None:
    """An .xlsx of the score table, or None when the document has no score table."""
    results = data.get("results") or {}
    if not get_kind(data["kind"]).has_spreadsheet or not results.get("rows"):
        return None
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Điểm thi đua {data['year']}"
    columns = score_table_columns(data)
    sheet.append([f"BẢNG TỔNG HỢP ĐIỂM THI ĐUA VÀ XẾP HẠNG NĂM {data['year']}"])
    sheet.append([data["bloc"]["name"]])
    sheet.append([])
    sheet.append(columns)
    header_row = sheet.max_row
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
    for row in (1, 2):
        sheet.cell(row, 1).font = Font(bold=row == 1, size=13)
        sheet.cell(row, 1).alignment = Alignment(horizontal="center")
    for i, row in enumerate(results["rows"], start=1):
        numbers = [*row["group_points"], row["base"], row["bonus"], row["penalty"], row["total"]]
        sheet.append(
            [
                i,
                row["name"],
                *[Decimal(n) for n in numbers],
                row["rank"] if row["scored"] else None,
                row["classification"],
            ]
        )
        for col in range(3, 3 + len(numbers)):
            sheet.cell(sheet.max_row, col).number_format = NUMBER_FORMAT
    for row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row, max_col=len(columns)):
        for cell in row:
            cell.border = BOX
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = {1: 6, 2: 45, len(columns): 28}
    for col in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(col, 13)
    sheet.freeze_panes = sheet.cell(header_row + 1, 3)
    text_cells_only(workbook)  # user texts never become formulas
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
