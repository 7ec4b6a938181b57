"""What several kinds gather and show: members, meetings, the pledge, ballots, signers.

Every function reads in a fixed number of queries whatever the number of members and
returns plain JSON data (numbers as decimal strings, dates written the Vietnamese way).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, ChairTerm, Meeting, Organization
from blocs.selectors import members_in
from pledges.models import Pledge

from ..formats import dec, legal_basis_lines, lines, short_date, vn_number
from .registry import Data, DraftDefaults, Label, Section

if TYPE_CHECKING:
    from reports.models import ReportDraft

# Help under the narrative sections of the review reports.
AFTER_MEMBERS = _("Printed after the members and the chair of the year.")
AFTER_MEETINGS = _(
    "Printed after the meetings and the pledge's contents; scores come from the data."
)
ASSESSMENT = _("Part of the general assessment; left out when empty.")
LEFT_OUT_WHEN_EMPTY = _("Left out when empty.")


def review_sections(*, directions_help: Label, recommendations_help: Label) -> tuple[Section, ...]:
    """The narrative of a review report (mid-year or year-end): the situation, the results,
    the assessment, the directions and the recommendations; what each prints beside it."""
    return (
        Section("situation", _("situation"), 4, AFTER_MEMBERS),
        Section("results", _("results"), 8, AFTER_MEETINGS),
        Section("strengths", _("strengths"), 4, ASSESSMENT),
        Section("shortcomings", _("shortcomings and limitations"), 4, ASSESSMENT),
        Section("causes", _("causes"), 3, ASSESSMENT),
        Section("lessons", _("lessons learned"), 3, ASSESSMENT),
        Section("directions", _("directions and tasks"), 5, directions_help),
        Section("recommendations", _("recommendations"), 3, recommendations_help),
    )


# The general assessment (ĐÁNH GIÁ CHUNG) of a review report, in its order (domain.md §2.2).
EVALUATION = ("strengths", "shortcomings", "causes", "lessons")
EVALUATION_TITLES = {
    "strengths": "Ưu điểm",
    "shortcomings": "Hạn chế, tồn tại",
    "causes": "Nguyên nhân",
    "lessons": "Bài học kinh nghiệm",
}

VOTE_BASE_LABELS = {
    "members": "tổng số đơn vị thành viên",
    "present": "số đơn vị có mặt",
    "valid": "số phiếu hợp lệ",
}


# Defaults of a new draft ---------------------------------------------------------------------


def chair_signs(bloc: Bloc, term: ChairTerm | None) -> DraftDefaults:
    """The year's chair issues it and signs on behalf of the bloc (“TM. KHỐI THI ĐUA”)."""
    cum = bloc.kind == Bloc.Kind.CUM
    chair = term.chair if term else None
    return DraftDefaults(
        issuer=chair,
        sign_mode="TM. CỤM THI ĐUA" if cum else "TM. KHỐI THI ĐUA",
        signer_position="CỤM TRƯỞNG" if cum else "TRƯỞNG KHỐI",
        signer_name=(chair.head_name.strip() if chair is not None else ""),
    )


# Gathering -----------------------------------------------------------------------------------


def org(organization: Organization | None) -> Data:
    if organization is None:
        return {}
    return {
        "id": organization.pk,
        "name": organization.name,
        "short_name": organization.short_name or organization.name,
    }


def members(bloc: Bloc, year: int) -> list[Data]:
    return [org(o) for o in members_in(bloc, year)]


def pledge_of(draft: ReportDraft, *, with_items: bool = True) -> Pledge | None:
    """The pledge of the draft's bloc and year, with its launch meeting (and contents)."""
    queryset = Pledge.objects.filter(bloc_id=draft.bloc_id, year=draft.year)
    queryset = queryset.select_related("launch_meeting")
    if with_items:
        queryset = queryset.prefetch_related("items")
    return queryset.first()


def pledge_data(pledge: Pledge | None) -> Data:
    if pledge is None:
        return {}
    launch = pledge.launch_meeting
    return {
        "title": pledge.title,
        "status": pledge.status,
        "items": [item.text for item in pledge.items.all()],
        "signed_on": short_date(launch.starts_at) if launch else "",
        "signed_at_place": launch.place if launch else "",
    }


def legal_basis(pledge: Pledge | None) -> list[str]:
    return legal_basis_lines(pledge.legal_basis if pledge else "")


def cutoff(draft: ReportDraft, *, month: int = 12, day: int = 31) -> date:
    """The last day a review report speaks of: its date, else the end of its period (or
    today, while the period runs)."""
    if draft.issue_date is not None:
        return draft.issue_date
    return min(timezone.localdate(), date(draft.year, month, day))


def meetings(bloc: Bloc, year: int, *, until: date, held_only: bool = False) -> list[Data]:
    """The year's meetings in order, each `held` only if it was held by `until` (a planned
    meeting, or one after the report's date, is never counted as held); `held_only` leaves
    the others out. A cancelled meeting is neither: reports leave it out."""
    found = bloc.meetings.filter(year=year).exclude(status=Meeting.Status.CANCELLED)
    found = found.order_by("starts_at")
    out = []
    for m in found:
        day = timezone.localtime(m.starts_at).date()
        held = m.status != Meeting.Status.PLANNED and day <= until
        if held_only and not held:
            continue
        out.append(
            {
                "title": m.title,
                "kind": m.kind,
                "date": short_date(m.starts_at),
                "place": m.place,
                "held": held,
            }
        )
    return out


def held_and_planned(meetings: list[Data]) -> Data:
    """The meetings a report counts as held, and the others (planned)."""
    return {
        "held": [m for m in meetings if m["held"]],
        "planned": [m for m in meetings if not m["held"]],
    }


def ballots(pledge: Pledge, *, meeting: Meeting | None = None) -> list[Data]:
    """The ballots of `pledge` (all of them, or one meeting's), 2 queries."""
    from pledges.services.ballots import ballots_with_outcomes, vote_base

    where = {} if meeting is None else {"meeting": meeting}
    out = []
    for ballot, outcomes in ballots_with_outcomes(pledge, **where):
        base = vote_base(ballot, pledge.vote_base)
        out.append(
            {
                "title": ballot.title,
                "purpose": ballot.purpose,
                "meeting": ballot.meeting.title if ballot.meeting else "",
                "date": short_date(ballot.meeting.starts_at) if ballot.meeting else "",
                "members_total": ballot.members_total,
                "present": ballot.present,
                "issued": ballot.issued,
                "returned": ballot.returned,
                "valid": ballot.valid,
                "invalid": ballot.invalid,
                "tellers": lines(ballot.tellers),
                "base": base,
                "base_label": VOTE_BASE_LABELS.get(pledge.vote_base, ""),
                "threshold": dec(pledge.vote_threshold),
                "strict": pledge.vote_threshold_strict,
                "candidates": [
                    {
                        "name": o.organization.name,
                        "votes": o.votes,
                        "ratio": dec(o.ratio),
                        "passed": o.passed,
                        "leading": o.leading,
                        "tie_at_cutoff": o.tie_at_cutoff,
                    }
                    for o in outcomes
                ],
            }
        )
    return out


# Presenting ----------------------------------------------------------------------------------


def present_ballots(data: Data) -> list[Data]:
    return [
        {
            **b,
            "threshold_vn": vn_number(b["threshold"]),
            "candidates": [{**c, "ratio_vn": vn_number(c["ratio"])} for c in b["candidates"]],
        }
        for b in data.get("ballots", [])
    ]


# A list longer than this is printed in two columns (a page saved for a bloc of 30).
MEMBERS_IN_ONE_COLUMN = 10


def member_columns(data: Data) -> list[Data]:
    """The members in two columns, as rows of a borderless table read left to right, top to
    bottom: [{"left": (1, name), "right": (2, name)}, ...]; [] when the list is short enough
    for one column. Row by row, the numbers follow on across a page break (read down each
    column, a list that breaks would go 1-10 and 16-25, then 11-15 and 26-30).

    A table, not CSS `columns`: WeasyPrint balances columns by laying the list out again
    and again, three times the CPU of the same lines in a table (0.20 against 0.07 s for 30
    members)."""
    numbered = list(enumerate((m["name"] for m in data.get("members", [])), start=1))
    if len(numbered) <= MEMBERS_IN_ONE_COLUMN:
        return []
    return [
        {"left": numbered[i], "right": numbered[i + 1] if i + 1 < len(numbered) else None}
        for i in range(0, len(numbered), 2)
    ]


def evaluation_parts(data: Data) -> list[Data]:
    """The general assessment's parts that have text, each with its title and lines."""
    sections = data.get("sections", {})
    return [
        {"name": n, "title": EVALUATION_TITLES[n], "lines": sections[n]}
        for n in EVALUATION
        if sections.get(n)
    ]


def part_numbers(data: Data, *, recommendations: bool) -> list[str]:
    """The parts of a review report in order: I. situation, II. results, [III. evaluation],
    directions, [recommendations]; a part without text is left out and the rest renumbered."""
    sections = data.get("sections", {})
    parts = ["situation", "results"]
    if any(sections.get(n) for n in EVALUATION):
        parts.append("evaluation")
    parts.append("directions")
    if recommendations:
        parts.append("recommendations")
    return parts
