"""The council page as an .xlsx workbook: one row per proposal across the blocs (bloc,
chair, leading units, unit, title, decision and reason, hold, quota, record, tie-break),
then the quotas. Every text cell is written formula-safe (`portal.lib.spreadsheets`): a
unit's name or a reason beginning with "=" stays text."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from portal.lib.spreadsheets import text_cells_only

from .selectors import CouncilPage

HEADER = [
    "STT",
    "Khối/Cụm thi đua",
    "Trưởng khối/Cụm trưởng",
    "Đơn vị dẫn đầu",
    "Đơn vị được đề nghị",
    "Danh hiệu/Hình thức",
    "Quyết định của Hội đồng",
    "Lý do",
    "Tạm dừng xét",
    "Vượt chỉ tiêu",
    "Quá trình các năm",
    "Ưu tiên nữ (NĐ 152/2025, Điều 4 khoản 6)",
]
DECISIONS = {
    "accepted": "Đồng ý",
    "returned": "Trả lại",
    "on_hold": "Tạm dừng",
    "undecided": "Chưa xét",
}


def _yes(value: bool) -> str:
    return "Có" if value else ""


def council_xlsx_bytes(page: CouncilPage) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Hội đồng {page.year}"
    sheet.append([f"TỔNG HỢP ĐỀ NGHỊ KHEN THƯỞNG CÁC KHỐI, CỤM THI ĐUA NĂM {page.year}"])
    sheet.append([page.body.name])
    sheet.append(HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    number = 0
    for bloc in page.blocs:
        for row in bloc.proposals:
            number += 1
            record = ", ".join(f"{m.year}: {'đạt' if m.held else 'chưa'}" for m in row.record)
            sheet.append(
                [
                    number,
                    bloc.bloc.name,
                    bloc.chair.name if bloc.chair else "",
                    "; ".join(org.name for org in bloc.leading),
                    row.proposal.organization.name,
                    row.proposal.title.name,
                    DECISIONS[row.status],
                    row.decision.reason if row.decision else "",
                    f"{row.hold.get_reason_display()}: {row.hold.text}" if row.hold else "",
                    _yes(row.exceeds),
                    record,
                    _yes(row.priority),
                ]
            )
    sheet.append([])
    sheet.append(
        [
            "Chỉ tiêu",
            "Danh hiệu",
            "Tối đa (%)",
            "Số tập thể dẫn đầu",
            "Được đề nghị tối đa",
            "Đang đề nghị",
            "Đã đồng ý",
        ]
    )
    for quota in page.quotas:
        sheet.append(
            [
                "",
                quota.quota.title.name,
                float(quota.quota.max_percent),
                quota.leading,
                quota.limit,
                quota.proposed,
                quota.accepted,
            ]
        )
    for letter, width in zip(
        "ABCDEFGHIJKL", (6, 40, 30, 30, 36, 30, 16, 40, 30, 12, 30, 16), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    text_cells_only(book).save(out)
    return out.getvalue()
