"""The minutes of a meeting (biên bản): attendance, agenda, ballots and decisions, all from
the meeting's record. One draft per meeting; it prints no narrative of its own."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from blocs.models import (
    Attendance,
    Bloc,
    ChairTerm,
    Meeting,
    MeetingDecision,
    MeetingPerson,
    Organization,
)
from blocs.models.meetings import deputy_word
from blocs.selectors import members_in
from pledges.models import Pledge, PledgeSignature
from portal.lib.text import without_stop

from ..formats import dec, lines, short_date, vn_number, vn_time
from . import common
from .registry import Data, DocumentKind, DraftDefaults

if TYPE_CHECKING:
    from reports.models import ReportDraft

ATTENDANCE_LABELS: dict[str, str] = {
    Attendance.Status.PRESENT: "Có mặt",
    Attendance.Status.EXCUSED: "Vắng có lý do",
    Attendance.Status.ABSENT: "Vắng không lý do",
}


def gather(draft: ReportDraft) -> Data:
    if draft.meeting_id is None:
        raise ValueError("minutes need a meeting")
    decisions = MeetingDecision.objects.select_related("organization", "deputy")
    meeting = (
        Meeting.objects.select_related("host", "bloc")
        .prefetch_related(
            "people",
            Prefetch("attendance", queryset=Attendance.objects.select_related("organization")),
            "agenda",
            Prefetch("decisions", queryset=decisions),
        )
        .get(pk=draft.meeting_id)
    )
    people = list(meeting.people.all())
    members = members_in(draft.bloc, meeting.year)
    attendance = {a.organization_id: a for a in meeting.attendance.all()}
    rows = []
    for organization in members:  # every member of that year, in rotation order
        rows.append(_attendance_row(organization, attendance.pop(organization.pk, None)))
    for a in attendance.values():  # recorded but no longer a member: still in the record
        rows.append(_attendance_row(a.organization, a))
    pledge = Pledge.objects.filter(bloc_id=draft.bloc_id, year=meeting.year).first()
    ballots = common.ballots(pledge, meeting=meeting) if pledge else []
    review = pledge if meeting.kind == Meeting.Kind.YEAR_END else None
    bloc = meeting.bloc
    # The sentences are written here, in Vietnamese, from the decisions' data: never in the
    # language of whoever recorded them.
    with translation.override("vi"):
        written = [_decision(d) for d in meeting.decisions.all()]
    return {
        "meeting": {
            "title": meeting.title,
            "kind": meeting.kind,
            "year": meeting.year,
            "starts": vn_time(meeting.starts_at),
            "ends": vn_time(meeting.ends_at),
            "date": short_date(meeting.starts_at),
            "place": without_stop(meeting.place),
            "host": without_stop(meeting.host.name) if meeting.host else "",
            "status": meeting.status,
        },
        "presiding": [_person(p) for p in people if p.role == MeetingPerson.Role.PRESIDING],
        "secretaries": [_person(p) for p in people if p.role == MeetingPerson.Role.SECRETARY],
        "guests": [_person(p) for p in people if p.role == MeetingPerson.Role.GUEST],
        "attendance": rows,
        "present": sum(1 for r in rows if r["present"]),
        "members_total": len(members),
        "agenda": [
            {
                "title": a.title,
                "presenter": without_stop(a.presenter),
                "outcome": lines(a.outcome),
            }
            for a in meeting.agenda.all()
        ],
        "minutes_text": lines(meeting.minutes),
        "conclusions": lines(meeting.conclusions),
        "ballots": ballots,
        "decisions": written,
        "words": {
            "kind": bloc.kind_word,
            "chair": bloc.chair_word,
            "deputy": deputy_word(bloc),
        },
        "signatures": _signatures(meeting),
        "ranking": _ranking(review, ballots) if review else None,
        "proposals": _proposals(review) if review else [],
    }


def _person(p: MeetingPerson) -> Data:
    """Phrases the minutes go on after: a final "." typed in any of them is dropped."""
    return {
        "name": without_stop(p.name),
        "position": without_stop(p.position),
        "organization": without_stop(p.organization),
    }


def _attendance_row(organization: Organization, a: Attendance | None) -> Data:
    status = a.status if a else ""
    return {
        "name": organization.name,
        "status": status,
        "status_label": ATTENDANCE_LABELS.get(status, "Chưa ghi nhận"),
        "present": status == Attendance.Status.PRESENT,
        "representative": without_stop(a.representative) if a else "",
        "position": without_stop(a.representative_position) if a else "",
        "absence_reason": without_stop(a.absence_reason) if a else "",
    }


def _decision(d: MeetingDecision) -> Data:
    """`summary` is the decision's sentence in the active language (Vietnamese here)."""
    out: Data = {"kind": d.kind, "summary": d.sentence(), "year": d.year}
    if d.kind == MeetingDecision.Kind.ELECTION and d.organization:
        out["term"] = {
            "year": d.year,
            "chair": d.organization.name,
            "deputy": d.deputy.name if d.deputy else "",
        }
    return out


def _signatures(meeting: Meeting) -> list[Data]:
    """The pledge signatures recorded at this meeting (a launch signs the year's pledge; a
    review may sign next year's), in signing order: 1 query."""
    found = (
        PledgeSignature.objects.filter(meeting=meeting)
        .select_related("organization", "pledge")
        .order_by("pledge__year", "signed_at", "organization__name")
    )
    return [
        {
            "pledge": s.pledge.title,
            "year": s.pledge.year,
            "organization": s.organization.name,
            "signer": s.signer_name,
            "position": s.signer_position,
        }
        for s in found
    ]


def _ranking(pledge: Pledge, ballots: list[Data]) -> Data:
    """The ranking the review approves (rank order; an unscored member has no rank) and the
    leading unit(s) its ballots chose."""
    from pledges.ranking import compute_results

    rows = [
        {
            "rank": m.rank if m.scored else None,
            "tied": m.tied,
            "name": m.organization.name,
            "total": dec(m.total) if m.scored else "",
            "classification": m.classification if m.scored else "",
        }
        for m in compute_results(pledge).members
    ]
    leading = [c["name"] for b in ballots for c in b["candidates"] if c["leading"]]
    return {"rows": rows, "leading": list(dict.fromkeys(leading))}


def _proposals(pledge: Pledge) -> list[Data]:
    """The commendations the review proposes, with the ballot each was voted in: 1 query."""
    found = pledge.proposals.select_related("organization", "title", "ballot").order_by(
        "title__order", "title__name", "organization__name"
    )
    return [
        {
            "name": p.organization.name,
            "title": p.title.name,
            "ballot": p.ballot.title if p.ballot else "",
        }
        for p in found
    ]


def signing(data: Data) -> Data:
    """Every presiding person signs (the draft's signer, when one is typed, in place of the
    first), beside the secretary. `sign_presiding` stays the first signer's name."""
    presiding, secretaries = data["presiding"], data["secretaries"]
    names = [p["name"] for p in presiding] or [""]
    if data["signer"]["name"]:
        names[0] = data["signer"]["name"]
    return {
        "sign_presiding": names[0],
        "sign_presiding_all": names,
        "sign_secretary": secretaries[0]["name"] if secretaries else "",
    }


def summary(data: Data) -> list[str]:
    return [data["meeting"]["title"]]


def present(data: Data) -> Data:
    ballots = common.present_ballots(data)
    for b in ballots:  # a teller typed with a final "." must not print "..".
        b["tellers"] = [without_stop(t) for t in b.get("tellers", [])]
    ranking = data.get("ranking")
    if ranking:
        rows = [
            {**r, "total_vn": vn_number(r["total"]) if r["total"] else ""} for r in ranking["rows"]
        ]
        ranking = {**ranking, "rows": rows, "tied": any(r["tied"] for r in rows)}
    names = data.get("sign_presiding_all") or [data.get("sign_presiding", "")]
    # "(theo kết quả bỏ phiếu kín …)": the ballot's title goes on mid-sentence, its first
    # letter lowered and nothing else (a "Khối" in it stays capital).
    proposals = [
        {**p, "ballot_phrase": p["ballot"][:1].lower() + p["ballot"][1:]}
        for p in data.get("proposals", [])
    ]
    return {
        "ballots": ballots,
        "ranking": ranking,
        "proposals": proposals,
        "sign_presiding": names,
        "sign_width": 100 // (len(names) + 1),
    }


def defaults(bloc: Bloc, term: ChairTerm | None) -> DraftDefaults:
    """Issued by the year's chair, signed by the presiding person."""
    return DraftDefaults(issuer=term.chair if term else None, signer_position="CHỦ TỌA")


def document_day(bloc: Bloc, year: int, meeting: Meeting | None) -> date | None:
    """Minutes are dated the day of their meeting, not the day someone prints them."""
    return timezone.localtime(meeting.starts_at).date() if meeting and meeting.starts_at else None


KIND = DocumentKind(
    code="minutes",
    label=_("Meeting minutes"),
    order=30,
    type_code="BB",
    doc_type="BIÊN BẢN",
    template="reports/pdf/minutes.html",
    needs_meeting=True,
    gather=gather,
    summary=summary,
    defaults=defaults,
    document_day=document_day,
    signing=signing,
    present=present,
)
