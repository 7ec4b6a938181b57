"""What the documents of the commendation dossier share: the year's proposals with their
ballot, score and rank, the quota check per title, the minutes of the evaluation meeting,
and the council they are sent to. Each function reads in a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation

from blocs.models import Bloc, Meeting
from pledges.models import CommendationQuota, Pledge

from ..formats import dec, short_date
from .registry import Data

if TYPE_CHECKING:
    from pledges.ranking import Results

# The legal basis of a proposal to the council (domain.md §1.1, §10).
LEGAL_BASIS = [
    "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022",
    "Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định "
    "chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
]


def council_of(bloc: Bloc) -> list[str]:
    """The emulation council of the body that organizes the bloc (else of its locality)."""
    body = bloc.organizing_body if bloc.organizing_body_id is not None else None
    if body is not None:
        return [f"Hội đồng Thi đua - Khen thưởng {body.name}"]
    if bloc.locality:
        return [f"Hội đồng Thi đua - Khen thưởng {bloc.locality}"]
    return []


def evaluation_meeting(bloc: Bloc, year: int) -> Meeting | None:
    """The meeting the year's proposals were voted at: the year-end review (1 query)."""
    return (
        Meeting.objects.filter(bloc=bloc, year=year, kind=Meeting.Kind.YEAR_END)
        .order_by("-starts_at")
        .first()
    )


def minutes_reference(bloc: Bloc, year: int) -> Data:
    """The minutes of the evaluation meeting as the dossier cites them: its number and date
    once issued, the meeting's date before (2 queries)."""
    from reports.models import ReportDraft

    meeting = evaluation_meeting(bloc, year)
    if meeting is None:
        return {}
    issued = (
        ReportDraft.objects.filter(
            meeting=meeting, kind="minutes", status=ReportDraft.Status.ISSUED
        )
        .order_by("-issued_at")
        .first()
    )
    return {
        "title": meeting.title,
        "date": short_date(meeting.starts_at),
        "symbol": issued.symbol if issued else "",
        "issue_date": short_date(issued.issue_date) if issued else "",
    }


def proposals(pledge: Pledge, results: Results | None, ballots: list[Data]) -> list[Data]:
    """The year's proposals (title order, then Vietnamese name order), each with its score,
    rank and the votes it had in its ballot (1 query)."""
    members = {m.organization.pk: m for m in results.members} if results else {}
    votes = {
        (b["title"], c["name"]): (c["votes"], b["base"], c["ratio"])
        for b in ballots
        for c in b["candidates"]
    }
    found = pledge.proposals.select_related("organization", "title", "ballot").order_by(
        "title__order", "title__name", "organization__sort_name"
    )
    out = []
    for p in found:
        member = members.get(p.organization_id)
        if member is not None and not member.scored:
            member = None
        vote = votes.get((p.ballot.title, p.organization.name)) if p.ballot else None
        out.append(
            {
                "organization_id": p.organization_id,
                "name": p.organization.name,
                "title_id": p.title_id,
                "title": p.title.name,
                "awarded_by": p.title.awarded_by,
                "achievements": p.achievements,
                "total": dec(member.total) if member else "",
                "rank": member.rank if member else None,
                "classification": member.classification if member else "",
                "votes": vote[0] if vote else None,
                "base": vote[1] if vote else None,
                "ratio": vote[2] if vote else "",
            }
        )
    return out


def quota_checks(pledge: Pledge, found: list[Data], *, members: int, leading: int) -> list[Data]:
    """Per proposed title: how many are proposed, the bloc's quota for it and whether the
    proposals keep within it (`pledges.services.ballots` computes the limit; 1 query)."""
    from pledges.services.ballots import quota_explanation, quota_limit

    quotas = {q.title_id: q for q in CommendationQuota.objects.filter(pledge=pledge)}
    out = []
    for title_id in dict.fromkeys(p["title_id"] for p in found):
        named = [p for p in found if p["title_id"] == title_id]
        quota = quotas.get(title_id)
        limit = explanation = None
        if quota is not None:
            limit = quota_limit(quota, members=members, leading=leading)
            with translation.override("vi"):  # the explanation is part of the document
                explanation = quota_explanation(quota, members=members, leading=leading)
        out.append(
            {
                "title": named[0]["title"],
                "awarded_by": named[0]["awarded_by"],
                "count": len(named),
                "names": [p["name"] for p in named],
                "limit": limit,
                "explanation": explanation or "",
                "within": limit is None or len(named) <= limit,
            }
        )
    return out
