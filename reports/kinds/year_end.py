"""The year-end review report (báo cáo tổng kết): the year's results, ranking and ballots,
the directions for next year, and the appendices (score table, ballots, proposals)."""

from __future__ import annotations

import base64
import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pledges.models import Pledge
from pledges.ranking import Results, compute_results
from pledges.selectors.score_table import score_table

from ..formats import dec, roman, vn_number
from . import common
from .registry import Data, DocumentKind

if TYPE_CHECKING:
    from reports.models import ReportDraft

# Charts above this many members would be taller than a page: the table says it all.
CHART_MAX_MEMBERS = 20
NEXT_CHAIR = _("Next year's chair and deputy are added from the data.")
WITH_PROPOSALS = _("Printed with the proposed commendations; left out when both are empty.")


def gather(draft: ReportDraft) -> Data:
    pledge = common.pledge_of(draft)
    data: Data = {
        "members": common.members(draft.bloc, draft.year),
        "meetings": common.meetings(draft.bloc, draft.year, until=common.cutoff(draft)),
        "pledge": common.pledge_data(pledge),
        "legal_basis": common.legal_basis(pledge),
        "results": {},
        "ballots": [],
        "proposals": [],
        "chart": "",
    }
    if pledge is not None:
        with translation.override("vi"):  # the tie notes are part of the document
            results = compute_results(pledge)
        data["results"] = results_data(results)
        data["chart"] = chart(results)
        data["ballots"] = common.ballots(pledge)
        data["proposals"] = proposals(pledge)
    return data


def results_data(results: Results) -> Data:
    """The ranking as data: the score table of the year (pledges.selectors.score_table, the
    one the results page exports), and per criteria group its average, highest, lowest."""
    table = score_table(results.pledge, results)
    scored = [m for m in results.members if m.scored]
    for g in table["groups"]:
        values = [m.group_points.get(g["id"], Decimal(0)) for m in scored]
        g["average"] = dec(sum(values, Decimal(0)) / len(values)) if values else ""
        g["highest"] = dec(max(values)) if values else ""
        g["lowest"] = dec(min(values)) if values else ""
    counts: dict[str, int] = {}
    for m in scored:
        if m.classification:
            counts[m.classification] = counts.get(m.classification, 0) + 1
    return {
        **table,
        "max_total": dec(sum((g.max_points for g in results.groups), Decimal(0))),
        "scored": len(scored),
        "classifications": [{"name": k, "count": v} for k, v in counts.items()],
    }


def chart(results: Results) -> str:
    """The group-points chart of the scored members as a data: URL ("" when it would not
    help), drawn from the ranking's own objects."""
    scored = [m for m in results.members if m.scored]
    if not scored or not results.groups or len(scored) > CHART_MAX_MEMBERS:
        return ""
    from pledges.charts import chart_group_points

    svg = chart_group_points(dataclasses.replace(results, members=scored))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def proposals(pledge: Pledge) -> list[Data]:
    found = pledge.proposals.select_related("organization", "title").order_by(
        "title__order", "title__name", "organization__sort_name"
    )
    return [
        {
            "name": p.organization.name,
            "title": p.title.name,
            "awarded_by": p.title.awarded_by,
            "achievements": p.achievements,
        }
        for p in found
    ]


def summary(data: Data) -> list[str]:
    year, bloc = data["year"], data["bloc"]["name"]
    return [
        f"Tổng kết công tác thi đua, khen thưởng năm {year}",
        f"và phương hướng, nhiệm vụ năm {year + 1} của {bloc}",
    ]


DASH = "\u2014"  # an unscored member's points: "—", never 0,00


def _vn(value: str | None) -> str:
    return DASH if value is None else vn_number(value)


def present_results(results: Data) -> Data:
    """The score table's numbers written the Vietnamese way, and the first-ranked."""
    if not results:
        return {}
    rows = [
        {
            **r,
            "group_points_vn": [_vn(v) for v in r["group_points"]],
            "self_vn": _vn(r.get("self_total")),
            "base_vn": _vn(r["base"]),
            "bonus_vn": _vn(r["bonus"] if r["scored"] or r["adjustments"] else None),
            "penalty_vn": _vn(r["penalty"] if r["scored"] or r["adjustments"] else None),
            "total_vn": _vn(r["total"]),
            "rank_vn": str(r["rank"]) if r["scored"] else DASH,
            "last_rank_vn": str(r["last_rank"]) if r.get("last_rank") else DASH,
        }
        for r in results["rows"]
    ]
    return {
        "groups": [
            {
                **g,
                "max_vn": vn_number(g["max"]),
                "average_vn": vn_number(g["average"]),
                "highest_vn": vn_number(g["highest"]),
                "lowest_vn": vn_number(g["lowest"]),
            }
            for g in results["groups"]
        ],
        "rows": rows,
        "max_total_vn": vn_number(results["max_total"]),
        "top": [r for r in rows if r["scored"] and r["rank"] == 1],
        "unscored": [r for r in rows if not r["scored"]],
        "registrations": [r for r in rows if r.get("registered") or r.get("targets")],
        "adjustments": [
            {**a, "points_vn": vn_number(a["points"])} for a in results.get("adjustments", [])
        ],
    }


def present(data: Data) -> Data:
    sections = data.get("sections", {})
    results = data.get("results") or {}
    recommendations = bool(sections.get("recommendations") or data.get("proposals"))
    appendices = ["scores"] if results.get("rows") else []
    if data.get("ballots"):
        appendices.append("ballots")
    if data.get("proposals"):
        appendices.append("proposals")
    return {
        **present_results(results),
        "ballots": common.present_ballots(data),
        "evaluation": [n for n in common.EVALUATION if sections.get(n)],
        "evaluation_parts": common.evaluation_parts(data),
        "meetings": common.held_and_planned(data.get("meetings", [])),
        "member_columns": common.member_columns(data),
        "num": roman(common.part_numbers(data, recommendations=recommendations)),
        "appendix": {name: str(i) for i, name in enumerate(appendices, start=1)},
        "chart": data.get("chart", ""),
    }


KIND = DocumentKind(
    code="year_end",
    label=_("Year-end report"),
    order=10,
    type_code="BC",
    doc_type="BÁO CÁO",
    template="reports/pdf/year_end.html",
    sections=common.review_sections(
        directions_help=NEXT_CHAIR, recommendations_help=WITH_PROPOSALS
    ),
    has_spreadsheet=True,
    gather=gather,
    summary=summary,
    defaults=common.chair_signs,
    needs_signer=True,
    sent_to_superior=True,
    present=present,
)
