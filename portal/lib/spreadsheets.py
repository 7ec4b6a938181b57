"""Spreadsheets the portal writes never run what users typed (formula injection, CWE-1236).

A cell that starts with =, +, -, @, a tab or a carriage return is a formula (or becomes one)
in Excel and LibreOffice: an organization named `=HYPERLINK("http://x","y")` would be a live
link in results.xlsx. Every xlsx writer passes its workbook through `text_cells_only`, which
keeps such a text as a string cell shown as typed (quote prefix), never a formula; text
exports (csv, tsv) get a leading apostrophe, as OWASP advises.
"""

from __future__ import annotations

from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_cells_only(workbook: Workbook) -> Workbook:
    """Every string cell of every sheet is stored as text, never as a formula."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"  # openpyxl made "=..." a formula ("f")
                    cell.quotePrefix = True  # and the spreadsheet keeps it text on edit
    return workbook


def text_cells_only_xlsx(data: bytes) -> bytes:
    """The same for an .xlsx another library wrote (tablib, for the admin's export)."""
    workbook = load_workbook(BytesIO(data))
    buffer = BytesIO()
    text_cells_only(workbook).save(buffer)
    return buffer.getvalue()


def escape_text_value(value: object) -> object:
    """A csv/tsv cell: a leading apostrophe before a formula-like text."""
    return f"'{value}" if is_formula_like(value) else value


# A plain table as a workbook (the lists' exports: registrations, attendance, proposals) -----

TABLE_FONT = "Times New Roman"  # the documents' font
DATE_FORMAT = "dd/mm/yyyy"


def table_xlsx(
    *,
    title: str,
    subtitle: str,
    header: list[str],
    rows: list[list[object]],
    widths: dict[int, int] | None = None,
    sheet_title: str = "Danh sách",
) -> bytes:
    """A titled table (title, subtitle, a bold header, bordered rows) as .xlsx bytes: dates
    (datetime.date) are date cells shown dd/mm/yyyy, numbers stay numbers, texts never turn
    into formulas. Printed on A4 landscape, fitted to the width, the header on every page."""
    import datetime

    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    width = len(header)
    sheet.append([title])
    sheet.append([subtitle])
    sheet.append([])
    sheet.append(header)
    header_row = sheet.max_row
    for r in (1, 2):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        sheet.cell(r, 1).font = Font(name=TABLE_FONT, bold=r == 1, size=13)
        sheet.cell(r, 1).alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row, max_col=width):
        for cell in row:
            cell.border = box
            cell.font = Font(name=TABLE_FONT, size=12, bold=cell.row == header_row)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
    for col in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = (widths or {}).get(col, 16)
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    buffer = BytesIO()
    text_cells_only(workbook).save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download (an attachment, never sniffed as something else)."""
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
