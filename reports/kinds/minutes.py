"""The minutes of a meeting (biên bản): attendance, agenda, ballots and decisions, all from
the meeting's record. One draft per meeting; it prints no narrative of its own."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils import timezone
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
from blocs.selectors import members_in
from pledges.models import Pledge

from ..formats import lines, short_date, vn_time
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
    decisions = MeetingDecision.objects.select_related(
        "chair_term__chair", "chair_term__deputy", "membership__organization"
    )
    meeting = (
        Meeting.objects.select_related("host")
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
    return {
        "meeting": {
            "title": meeting.title,
            "kind": meeting.kind,
            "starts": vn_time(meeting.starts_at),
            "ends": vn_time(meeting.ends_at),
            "date": short_date(meeting.starts_at),
            "place": meeting.place,
            "host": meeting.host.name if meeting.host else "",
            "status": meeting.status,
        },
        "presiding": [_person(p) for p in people if p.role == MeetingPerson.Role.PRESIDING],
        "secretaries": [_person(p) for p in people if p.role == MeetingPerson.Role.SECRETARY],
        "guests": [_person(p) for p in people if p.role == MeetingPerson.Role.GUEST],
        "attendance": rows,
        "present": sum(1 for r in rows if r["present"]),
        "members_total": len(members),
        "agenda": [
            {"title": a.title, "presenter": a.presenter, "outcome": lines(a.outcome)}
            for a in meeting.agenda.all()
        ],
        "minutes_text": lines(meeting.minutes),
        "conclusions": lines(meeting.conclusions),
        "ballots": common.ballots(pledge, meeting=meeting) if pledge else [],
        "decisions": [_decision(d) for d in meeting.decisions.all()],
    }


def _person(p: MeetingPerson) -> Data:
    return {"name": p.name, "position": p.position, "organization": p.organization}


def _attendance_row(organization: Organization, a: Attendance | None) -> Data:
    status = a.status if a else ""
    return {
        "name": organization.name,
        "status": status,
        "status_label": ATTENDANCE_LABELS.get(status, "Chưa ghi nhận"),
        "present": status == Attendance.Status.PRESENT,
        "representative": a.representative if a else "",
        "position": a.representative_position if a else "",
    }


def _decision(d: MeetingDecision) -> Data:
    out: Data = {"kind": d.kind, "summary": d.summary}
    term = d.chair_term if d.chair_term_id else None
    if term is not None:
        out["term"] = {
            "year": term.year,
            "chair": term.chair.name,
            "deputy": term.deputy.name if term.deputy else "",
        }
    return out


def signing(data: Data) -> Data:
    """The presiding person signs (the draft's signer when one is typed), with the secretary."""
    presiding, secretaries = data["presiding"], data["secretaries"]
    return {
        "sign_presiding": data["signer"]["name"] or (presiding[0]["name"] if presiding else ""),
        "sign_secretary": secretaries[0]["name"] if secretaries else "",
    }


def summary(data: Data) -> list[str]:
    return [data["meeting"]["title"]]


def present(data: Data) -> Data:
    return {"ballots": common.present_ballots(data)}


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
