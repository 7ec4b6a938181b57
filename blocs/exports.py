"""Spreadsheets of a bloc's lists (issue 12): a meeting's attendance, beside the score table
of the pledges app, written by the shared table writer (`portal.lib.spreadsheets`)."""

from __future__ import annotations

from django.utils import timezone, translation

from portal.lib.spreadsheets import table_xlsx

from .models import Attendance, Meeting
from .selectors import members_in


def attendance_xlsx(meeting: Meeting) -> bytes:
    """Every member of the meeting's year, in rotation order, with what was recorded of its
    attendance (2 queries: the members, the attendance)."""
    recorded = {row.organization_id: row for row in Attendance.objects.filter(meeting=meeting)}
    lines: list[list[object]] = []
    with translation.override("vi"):  # the document's language, whoever downloads it
        for index, organization in enumerate(members_in(meeting.bloc, meeting.year), start=1):
            row = recorded.get(organization.pk)
            lines.append(
                [
                    index,
                    organization.name,
                    row.get_status_display() if row else "Chưa ghi nhận",
                    row.representative if row else "",
                    row.representative_position if row else "",
                ]
            )
    day = timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")
    return table_xlsx(
        title=f"DANH SÁCH ĐƠN VỊ DỰ {meeting.title.upper()}",
        subtitle=f"{meeting.bloc.name} · {day} · {meeting.place}",
        header=["STT", "Đơn vị", "Tình hình tham dự", "Người dự", "Chức vụ"],
        rows=lines,
        widths={1: 6, 2: 44, 3: 24, 4: 30, 5: 36},
        sheet_title="Tham dự",
    )
