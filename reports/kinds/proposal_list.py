"""The list of proposals (danh sách đề nghị khen thưởng): one row per proposed collective,
with the commendation, who awards it, the votes, score and rank behind it and the
achievements in brief; attached to the memo (it cites the memo's number once issued). A
spreadsheet of the same rows is built beside the PDF (formula-safe, portal/lib/spreadsheets)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from portal.lib.spreadsheets import text_cells_only

from ..formats import short_date, vn_number
from . import _proposals, common
from .registry import Data, DocumentKind

if TYPE_CHECKING:
    from reports.models import ReportDraft

COLUMNS = [
    "STT",
    "Tên tập thể",
    "Hình thức đề nghị",
    "Cấp khen thưởng",
    "Số phiếu đồng ý",
    "Tỷ lệ (%)",
    "Tổng điểm",
    "Xếp hạng",
    "Xếp loại",
    "Thành tích tóm tắt",
]


def gather(draft: ReportDraft) -> Data:
    from pledges.ranking import compute_results
    from reports.models import ReportDraft as Draft

    pledge = common.pledge_of(draft, with_items=False)
    memo = (
        Draft.objects.filter(
            bloc_id=draft.bloc_id,
            year=draft.year,
            kind="proposal_memo",
            status=Draft.Status.ISSUED,
        )
        .order_by("-issued_at")
        .first()
    )
    data: Data = {
        "memo": {"symbol": memo.symbol, "date": short_date(memo.issue_date)} if memo else {},
        "proposals": [],
    }
    if pledge is None:
        return data
    with translation.override("vi"):
        results = compute_results(pledge)
    data["proposals"] = _proposals.proposals(pledge, results, common.ballots(pledge))
    return data


def summary(data: Data) -> list[str]:
    return [f"Đề nghị khen thưởng năm {data['year']} của {data['bloc']['name']}"]


def present(data: Data) -> Data:
    return {
        "rows": [
            {
                **p,
                "ratio_vn": vn_number(p["ratio"]) if p["ratio"] else "",
                "total_vn": vn_number(p["total"]) if p["total"] else "",
            }
            for p in data.get("proposals", [])
        ]
    }


def _number(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def spreadsheet(data: Data) -> bytes | None:
    """The list as a workbook: a title, the header, one row per proposal (None when there
    is no proposal)."""
    rows = data.get("proposals") or []
    if not rows:
        return None
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách đề nghị"
    sheet.append([f"DANH SÁCH {summary(data)[0].upper()}"])
    memo = data.get("memo") or {}
    sheet.append([f"(Kèm theo Tờ trình số {memo['symbol']} ngày {memo['date']})" if memo else ""])
    sheet.append([])
    sheet.append(COLUMNS)
    header_row = sheet.max_row
    for i, p in enumerate(rows, start=1):
        sheet.append(
            [
                i,
                p["name"],
                p["title"],
                p["awarded_by"],
                p["votes"],
                _number(p["ratio"]),
                _number(p["total"]),
                p["rank"],
                p["classification"],
                p["achievements"],
            ]
        )
    for r in (1, 2):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(COLUMNS))
        sheet.cell(r, 1).alignment = Alignment(horizontal="center")
    sheet.cell(1, 1).font = Font(bold=True)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, width in zip("ABCDEFGHIJ", (6, 40, 32, 24, 10, 10, 10, 9, 18, 50), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "0.00"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = f"{header_row}:{header_row}"
    buffer = io.BytesIO()
    text_cells_only(workbook).save(buffer)
    return buffer.getvalue()


KIND = DocumentKind(
    code="proposal_list",
    label=_("List of proposed commendations"),
    order=55,
    type_code="DS",
    doc_type="DANH SÁCH",
    template="reports/pdf/proposal_list.html",
    gather=gather,
    summary=summary,
    defaults=common.chair_signs,
    needs_signer=True,
    has_spreadsheet=True,
    spreadsheet=spreadsheet,
    present=present,
)
