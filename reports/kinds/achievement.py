"""The achievement report of a proposed collective (báo cáo thành tích đề nghị khen thưởng):
one per unit the bloc proposes in a year (`ReportDraft.subject`), written by that unit's
officials, issued in its own name and signed by its head (reports/rules.py).

Structure: the achievement-report template for collectives of the decree's appendix, as the
decrees have kept it since ND 42/2010 (its wording “Báo cáo thành tích căn cứ vào chức năng,
nhiệm vụ được giao của cơ quan (đơn vị)…”), through ND 91/2017 and ND 98/2023 (Phụ lục I,
mẫu số 02; outline in domain.md §1.8). ND 152/2025 replaced ND 98/2023 and its appendix
holds eleven achievement-report templates (domain.md §10); its own text was not readable
when this was written, so the outline below is the collective template of the earlier
decrees, to be checked against ND 152/2025's appendix:

- title: “BÁO CÁO THÀNH TÍCH / Đề nghị tặng <hình thức>” and the collective's full name;
- I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH: characteristics, functions and tasks, organization
  (the unit's own text, `situation`);
- II. THÀNH TÍCH ĐẠT ĐƯỢC: 1. the results of its tasks, with the year's figures (from the
  data: its registration targets, score by criteria group, total, rank and classification,
  the votes of the evaluation) and the unit's text (`results`); 2. the measures and causes
  of the achievements, movements applied (`causes`);
- III. CÁC HÌNH THỨC KHEN THƯỞNG ĐÃ ĐƯỢC GHI NHẬN: titles and commendations already held,
  per year (from the proposals the portal holds for earlier years; the decision's number
  and date are the unit's to add in its text, `lessons`, as the portal keeps no decisions);
- signed by the unit's head (right), certified by the level that proposes it (left:
  “XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG”).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, ChairTerm, Organization
from pledges.models import Proposal

from ..formats import vn_number
from . import common
from .registry import Data, DocumentKind, DraftDefaults, Section

if TYPE_CHECKING:
    from reports.models import ReportDraft

HEAD = "THỦ TRƯỞNG ĐƠN VỊ"


def gather(draft: ReportDraft) -> Data:
    from pledges.ranking import compute_results

    subject = draft.subject if draft.subject_id is not None else None
    if subject is None:
        raise ValueError("an achievement report needs its unit")
    pledge = common.pledge_of(draft, with_items=False)
    data: Data = {
        "subject": {
            **common.org(subject),
            "head_name": subject.head_name.strip(),
            "head_position": subject.head_position.strip(),
            "locality": subject.locality,
        },
        "proposed": [],
        "result": {},
        "groups": [],
        "votes": [],
        "held": _held(subject, draft.year),
        "members_total": len(common.members(draft.bloc, draft.year)),
        "pledge": {"title": pledge.title} if pledge else {},
    }
    if pledge is None:
        return data
    with translation.override("vi"):
        results = compute_results(pledge)
    from pledges.selectors.score_table import score_table

    table = score_table(pledge, results)
    row = next((r for r in table["rows"] if r["name"] == subject.name), None)
    scored = [m for m in results.members if m.scored]
    if row is not None:
        data["result"] = {
            "total": row["total"],
            "rank": row["rank"] if row["scored"] else None,
            "tied": row["tied"],
            "scored": row["scored"],
            "of": len(scored),
            "classification": row["classification"] if row["scored"] else "",
            "registered": row["registered"],
            "targets": row["targets"],
        }
        data["groups"] = [
            {"code": g["code"], "text": g["text"], "max": g["max"], "points": points}
            for g, points in zip(table["groups"], row["group_points"], strict=False)
        ]
    ballots = common.ballots(pledge)
    data["votes"] = [
        {
            "ballot": b["title"],
            "date": b["date"],
            "votes": c["votes"],
            "base": b["base"],
            "ratio": c["ratio"],
            "leading": c["leading"],
            "passed": c["passed"],
        }
        for b in ballots
        for c in b["candidates"]
        if c["name"] == subject.name
    ]
    proposed = pledge.proposals.filter(organization=subject).select_related("title")
    data["proposed"] = [
        {"title": p.title.name, "awarded_by": p.title.awarded_by}
        for p in proposed.order_by("title__order", "title__name")
    ]
    return data


def _held(subject: Organization, year: int) -> list[Data]:
    """What the portal knows of the unit's earlier commendations: the proposals of earlier
    years, by any bloc (1 query), newest first."""
    found = (
        Proposal.objects.filter(organization=subject, pledge__year__lt=year)
        .select_related("title", "pledge__bloc")
        .order_by("-pledge__year", "title__order")
    )
    return [
        {
            "year": p.pledge.year,
            "title": p.title.name,
            "kind": p.title.kind,
            "awarded_by": p.title.awarded_by,
            "bloc": p.pledge.bloc.name,
        }
        for p in found
    ]


def summary(data: Data) -> list[str]:
    titles = [p["title"] for p in data.get("proposed", [])]
    first = f"Đề nghị tặng {', '.join(titles)}" if titles else "Đề nghị khen thưởng"
    return [f"{first} năm {data['year']}", data["subject"]["name"]]


def subject_defaults(bloc: Bloc, subject: Organization) -> DraftDefaults:
    """Issued by the unit in its own name, signed by its head; no "Nơi nhận" (it goes in
    the dossier)."""
    return DraftDefaults(
        issuer=subject,
        issuer_title=subject.name.upper(),
        parent_body="",
        signer_position=(subject.head_position.strip() or HEAD).upper(),
        signer_name=subject.head_name.strip(),
        recipients="",
    )


def not_for_the_bloc(bloc: Bloc, term: ChairTerm | None) -> DraftDefaults:
    """A draft without its unit is never made (services refuse it); the chair, should one be."""
    return common.chair_signs(bloc, term)


def present(data: Data) -> Data:
    result = data.get("result") or {}
    return {
        "total_vn": vn_number(result["total"]) if result.get("total") else "",
        "groups": [
            {
                **g,
                "max_vn": vn_number(g["max"]),
                "points_vn": vn_number(g["points"]) if g["points"] is not None else "—",
            }
            for g in data.get("groups", [])
        ],
        "votes": [{**v, "ratio_vn": vn_number(v["ratio"])} for v in data.get("votes", [])],
    }


KIND = DocumentKind(
    code="achievement",
    label=_("Achievement report of a proposed unit"),
    order=60,
    type_code="BC",
    doc_type="BÁO CÁO THÀNH TÍCH",
    template="reports/pdf/achievement.html",
    sections=(
        Section(
            "situation",
            _("characteristics of the unit"),
            5,
            _("Its functions and tasks, organization and staff: section I."),
        ),
        Section(
            "results",
            _("achievements"),
            8,
            _("Printed after the year's figures from the data: section II.1."),
        ),
        Section(
            "causes",
            _("measures and causes of the achievements"),
            4,
            _("Section II.2; left out when empty."),
        ),
        Section(
            "lessons",
            _("commendations already received"),
            3,
            _(
                "Section III, after what the portal knows; add the number, date and issuer "
                "of each decision."
            ),
        ),
    ),
    gather=gather,
    summary=summary,
    defaults=not_for_the_bloc,
    subject_defaults=subject_defaults,
    needs_signer=True,
    present=present,
)
