"""The score table of a year as an .xlsx workbook: one writer, one layout, for the results
page's export and the year-end report's spreadsheet (reports/xlsx.py calls it).

It writes the table of `pledges.selectors.score_table` (the columns of the report's Phụ lục
1) in the documents' language and font (Times New Roman): points and ranks are numbers, not
text, so they can be summed and sorted; an unscored member's cells are left empty with its
note. The sheet prints on A4 landscape, fitted to the page width, the header rows repeated
on every page.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.lib.spreadsheets import text_cells_only

POINTS_FORMAT = "#,##0.00"
FONT_NAME = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def table_title(year: int) -> str:
    return f"BẢNG TỔNG HỢP ĐIỂM THI ĐUA VÀ XẾP HẠNG NĂM {year}"


def _points(max_points: str) -> str:
    """“25,00” written the Vietnamese way (a header is text)."""
    whole, _dot, cents = f"{Decimal(max_points):.2f}".partition(".")
    return f"{whole},{cents}"


def columns(table: dict[str, Any]) -> list[str]:
    """The header of the table, in the order of Phụ lục 1."""
    return [
        "STT",
        "Đơn vị",
        *[f"{g['code']}. {g['text']} (tối đa {_points(g['max'])})" for g in table["groups"]],
        "Tự chấm",
        table.get("final_label") or "Điểm tiêu chí",
        "Điểm thưởng",
        "Điểm trừ",
        "Tổng điểm",
        "Xếp hạng",
        "Hạng năm trước",
        "Xếp loại",
        "Đăng ký thi đua",
        "Ghi chú",
    ]


def _number(value: str | None) -> Decimal | None:
    return None if value is None or value == "" else Decimal(value)


def _row(index: int, row: dict[str, Any]) -> list[Any]:
    numbers = [
        *row["group_points"],
        row.get("self_total"),
        row["base"],
        row["bonus"],
        row["penalty"],
        row["total"],
    ]
    return [
        index,
        row["name"],
        *[_number(n) for n in numbers],
        row["rank"] if row["scored"] else None,
        row.get("last_rank"),
        row["classification"],
        "; ".join(row.get("registered", [])),
        row.get("note", ""),
    ]


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.page_margins.top = sheet.page_margins.bottom = 0.8


def score_table_xlsx(table: dict[str, Any], *, title: str, subtitle: str = "") -> bytes:
    """The workbook of a score table (pledges.selectors.score_table) as bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bảng điểm"
    header = columns(table)
    width = len(header)
    sheet.append([title])
    sheet.append([subtitle])
    sheet.append([])
    sheet.append(header)
    header_row = sheet.max_row
    for r in (1, 2):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        sheet.cell(r, 1).font = Font(name=FONT_NAME, bold=r == 1, size=13)
        sheet.cell(r, 1).alignment = Alignment(horizontal="center")
    first_number = 3
    last_number = first_number + len(table["groups"]) + 5  # groups, self, final, ±, total
    for index, row in enumerate(table["rows"], start=1):
        sheet.append(_row(index, row))
        for col in range(first_number, last_number + 1):
            sheet.cell(sheet.max_row, col).number_format = POINTS_FORMAT
    notes = [f"({i}) {n['name']}: {n['text']}" for i, n in enumerate(table["tie_notes"], 1)]
    for line in table.get("adjustments", []):
        sign = "-" if line["kind"] == "penalty" else "+"
        notes.append(f"{line['label']} {line['name']}: {sign}{_points(line['points'])}, "
                     f"{line['reason']}")  # fmt: skip
    last_table_row = sheet.max_row
    for row in sheet.iter_rows(min_row=header_row, max_row=last_table_row, max_col=width):
        for cell in row:
            cell.border = BOX
            cell.font = Font(name=FONT_NAME, size=12)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for cell in sheet[header_row]:
        cell.font = Font(name=FONT_NAME, size=12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([note])
            sheet.cell(sheet.max_row, 1).font = Font(name=FONT_NAME, size=11, italic=True)
    widths = {1: 6, 2: 40, width - 2: 24, width - 1: 24, width: 40}
    for col in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(col, 12)
    sheet.freeze_panes = sheet.cell(header_row + 1, 3)
    _print_setup(sheet, header_row)
    buffer = io.BytesIO()
    text_cells_only(workbook)  # user texts never become formulas
    workbook.save(buffer)
    return buffer.getvalue()


# The lists' exports (issue 12): registrations, proposals -----------------------------------


def _day(moment: Any) -> Any:
    """A stored moment as the local calendar day (a date cell, dd/mm/yyyy)."""
    from django.utils import timezone

    return timezone.localdate(moment) if moment else None


def registrations_xlsx(pledge: Any, rows: list[Any]) -> bytes:
    """The registration list as the member reads it (`RegistrationRow`s: a registration the
    user may not read is listed without its content)."""
    from portal.lib.people import person_name
    from portal.lib.spreadsheets import table_xlsx

    header = [
        "STT",
        "Đơn vị",
        "Tình trạng",
        "Ngày gửi",
        "Danh hiệu đăng ký",
        "Số chỉ tiêu",
        "Người cập nhật",
        "Ghi chú",
    ]
    lines: list[list[object]] = []
    for index, row in enumerate(rows, start=1):
        found = row.registration if row.visible else None
        if found is None:
            state = "Chưa đăng ký" if row.registration is None else "Chưa gửi"
            lines.append([index, row.organization.name, state, None, "", None, "", ""])
            continue
        lines.append(
            [
                index,
                row.organization.name,
                "Đã gửi" if found.submitted_at else "Chưa gửi",
                _day(found.submitted_at),
                "; ".join(title.name for title in found.titles.all()),
                found.targets_count,
                person_name(found.updated_by),
                found.note,
            ]
        )
    return table_xlsx(
        title=f"DANH SÁCH ĐĂNG KÝ THI ĐUA NĂM {pledge.year}",
        subtitle=pledge.bloc.name,
        header=header,
        rows=lines,
        widths={1: 6, 2: 40, 5: 40, 7: 26, 8: 40},
        sheet_title="Đăng ký thi đua",
    )


def proposals_xlsx(pledge: Any, groups: list[Any]) -> bytes:
    """The commendations the bloc proposes, by commendation (`QuotaGroup`s)."""
    from portal.lib.people import person_name
    from portal.lib.spreadsheets import table_xlsx

    header = ["STT", "Hình thức khen thưởng", "Đơn vị", "Thành tích", "Người ghi nhận", "Ngày"]
    lines: list[list[object]] = []
    for group in groups:
        for proposal in group.proposals:
            lines.append(
                [
                    len(lines) + 1,
                    group.title.name,
                    proposal.organization.name,
                    proposal.achievements,
                    person_name(proposal.created_by),
                    _day(proposal.created_at),
                ]
            )
    return table_xlsx(
        title=f"DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM {pledge.year}",
        subtitle=pledge.bloc.name,
        header=header,
        rows=lines,
        widths={1: 6, 2: 36, 3: 40, 4: 50, 5: 26, 6: 14},
        sheet_title="Đề nghị khen thưởng",
    )
