"""The mid-year review report (báo cáo sơ kết 6 tháng): the first half of the year and the
directions for the second half."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from ..formats import roman
from . import common
from .registry import Data, DocumentKind

if TYPE_CHECKING:
    from reports.models import ReportDraft

SECOND_HALF = _("For the second half of the year.")


def gather(draft: ReportDraft) -> Data:
    pledge = common.pledge_of(draft)
    return {
        "members": common.members(draft.bloc, draft.year),
        # Only what happened by the report's date (30/06 while it has none).
        "meetings": common.meetings(
            draft.bloc, draft.year, until=common.cutoff(draft, month=6, day=30), held_only=True
        ),
        "pledge": common.pledge_data(pledge),
        "legal_basis": common.legal_basis(pledge),
    }


def summary(data: Data) -> list[str]:
    year, bloc = data["year"], data["bloc"]["name"]
    return [
        f"Sơ kết công tác thi đua 6 tháng đầu năm {year}",
        f"và phương hướng, nhiệm vụ 6 tháng cuối năm {year} của {bloc}",
    ]


def present(data: Data) -> Data:
    recommendations = bool(data.get("sections", {}).get("recommendations"))
    return {
        "num": roman(common.part_numbers(data, recommendations=recommendations)),
        "meetings": common.held_and_planned(data.get("meetings", [])),
        "member_columns": common.member_columns(data),
        "evaluation": [n for n in common.EVALUATION if data.get("sections", {}).get(n)],
        "evaluation_parts": common.evaluation_parts(data),
    }


KIND = DocumentKind(
    code="mid_year",
    label=_("Mid-year report"),
    order=20,
    type_code="BC",
    doc_type="BÁO CÁO",
    template="reports/pdf/mid_year.html",
    sections=common.review_sections(
        directions_help=SECOND_HALF, recommendations_help=common.LEFT_OUT_WHEN_EMPTY
    ),
    gather=gather,
    summary=summary,
    defaults=common.chair_signs,
    needs_signer=True,
    sent_to_superior=True,
    present=present,
)
