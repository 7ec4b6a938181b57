"""Spreadsheets the portal writes never run what users typed (formula injection, CWE-1236).

A cell that starts with =, +, -, @, a tab or a carriage return is a formula (or becomes one)
in Excel and LibreOffice: an organization named `=HYPERLINK("http://x","y")` would be a live
link in results.xlsx. Every xlsx writer passes its workbook through `text_cells_only`, which
keeps such a text as a string cell shown as typed (quote prefix), never a formula; text
exports (csv, tsv) get a leading apostrophe, as OWASP advises.
"""

from __future__ import annotations

from io import BytesIO

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
