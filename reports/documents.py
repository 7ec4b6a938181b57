"""The content of the official documents: gather the data, then lay it out as HTML.

`gather(report)` (or `gather_for_draft(draft)`, for the live preview of an unsaved draft)
reads everything one document shows into plain, JSON-serialisable data, in a fixed number
of queries whatever the number of members. The data is what a build is made of (its
digest decides whether a PDF must be rebuilt), so it holds facts only: numbers as decimal
strings ("95.50"), dates already written the Vietnamese way.

`render_html(report, data)` turns that data into the document (templates/reports/pdf/),
formatting numbers the Vietnamese way (95,50) and numbering the sections.

The documents follow Nghị định 30/2020/NĐ-CP (or the Youth Union's header when the draft's
style says so). Their fixed wording ("BÁO CÁO", "Nơi nhận", the section titles) is written
in Vietnamese on purpose: they are Vietnamese official documents whatever the language of
the person who builds them, so those words are not translated.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from blocs.models import Attendance, Bloc, ChairTerm, Meeting, MeetingDecision, MeetingPerson
from blocs.selectors import members_in

SCHEMA = 1
KINDS = ("year_end", "mid_year", "minutes", "pledge")
DOC_TYPES = {
    "year_end": "BÁO CÁO",
    "mid_year": "BÁO CÁO",
    "minutes": "BIÊN BẢN",
    "pledge": "GIAO ƯỚC THI ĐUA",
}
TYPE_CODES = {"year_end": "BC", "mid_year": "BC", "minutes": "BB", "pledge": "GƯ"}
NARRATIVE = (
    "situation",
    "results",
    "shortcomings",
    "causes",
    "lessons",
    "directions",
    "recommendations",
)
# Charts above this many members would be taller than a page: the table says it all.
CHART_MAX_MEMBERS = 20
SIGNATURES_PER_ROW = 3
BLANK_NUMBER = "\u00a0" * 7
_GAP = "\u00a0" * 5
BLANK_DATE = f"ngày{_GAP} tháng{_GAP} năm{_GAP}\u00a0\u00a0"

ATTENDANCE_LABELS = {
    Attendance.Status.PRESENT: "Có mặt",
    Attendance.Status.EXCUSED: "Vắng có lý do",
    Attendance.Status.ABSENT: "Vắng không lý do",
}
VOTE_BASE_LABELS = {
    "members": "tổng số đơn vị thành viên",
    "present": "số đơn vị có mặt",
    "valid": "số phiếu hợp lệ",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")

_TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "reports" / "pdf"
_CSS_FILE = Path(settings.BASE_DIR) / "static" / "reports" / "pdf.css"


def _template_version() -> str:
    """Changes whenever a PDF template or the stylesheet changes (part of the build digest)."""
    digest = hashlib.sha256()
    files = sorted(_TEMPLATE_DIR.rglob("*.html")) + [_CSS_FILE]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{SCHEMA}-{digest.hexdigest()[:16]}"


TEMPLATE_VERSION = _template_version()


# Vietnamese formats ------------------------------------------------------------------------


def vn_date(value: date | None) -> str:
    """“ngày 05 tháng 01 năm 2026”: leading zero for days 1–9 and months 1–2 (Nghị định 30)."""
    if value is None:
        return BLANK_DATE
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def place_date_line(place: str, value: date | None) -> str:
    """“Hải Phòng, ngày 29 tháng 12 năm 2020”."""
    place = (place or "").strip() or "\u00a0" * 10
    return f"{place}, {vn_date(value)}"


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value:%d/%m/%Y}"


def vn_time(value: datetime | None) -> str:
    """“8 giờ 30, ngày 29 tháng 12 năm 2020”."""
    if value is None:
        return "\u2026 giờ \u2026, ngày \u2026 tháng \u2026 năm \u2026"
    value = timezone.localtime(value)
    return f"{value.hour} giờ {value.minute:02d}, {vn_date(value.date())}"


def vn_number(value, places: int = 2) -> str:
    """95.5 -> “95,50”; 1234.5 -> “1.234,50” (comma decimals, dot thousands)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(number):,.{places}f}".replace(",", "\x00").replace(".", ",")
    return ("-" if number < 0 else "") + text.replace("\x00", ".")


def _dec(value) -> str:
    """A Decimal as a plain string for the data (“95.50”)."""
    return str(Decimal(value if value is not None else 0).quantize(Decimal("0.01")))


def _lines(text: str) -> list[str]:
    """Non-empty lines: every line break of a narrative is a paragraph."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def legal_basis_lines(text: str) -> list[str]:
    """Each “Căn cứ …” line ends with “;”, the last with “.” (Nghị định 30)."""
    lines = [line.rstrip(" ;.,") for line in _lines(text)]
    return [line + (";" if i < len(lines) - 1 else ".") for i, line in enumerate(lines)]


def recipient_lines(text: str) -> list[str]:
    """“- X;” per line, the last “- Lưu: VT….” ending with a full stop."""
    lines = [line.lstrip("-–•+ ").rstrip(" ;.,") for line in _lines(text)]
    lines = [line for line in lines if line]
    if not any(line.lower().startswith("lưu") for line in lines):
        lines.append("Lưu: VT")
    else:  # the archive line goes last
        lines = [x for x in lines if not x.lower().startswith("lưu")] + [
            x for x in lines if x.lower().startswith("lưu")
        ]
    return [f"- {line}" + (";" if i < len(lines) - 1 else ".") for i, line in enumerate(lines)]


def _org(org) -> dict:
    if org is None:
        return {}
    return {"id": org.pk, "name": org.name, "short_name": org.short_name or org.name}


# Gathering ---------------------------------------------------------------------------------


def gather(report) -> dict:
    """The data of a report's document (see the module docstring)."""
    return gather_for_draft(report.draft)


def _style(draft):
    if draft.style_id is not None:
        return draft.style
    from .models import DocumentStyle

    return (
        DocumentStyle.objects.filter(is_default=True).first()
        or DocumentStyle.objects.first()
        or DocumentStyle()
    )


def _number_line(draft, style, issuer) -> str:
    if draft.symbol:
        return f"Số: {draft.symbol}"
    abbreviation = (issuer.abbreviation.strip() if issuer is not None else "") or "\u2026"
    pattern = style.number_pattern or "{number}/{type}-{issuer}"
    try:
        blank = pattern.format(
            number=BLANK_NUMBER, type=TYPE_CODES[draft.kind], issuer=abbreviation
        )
    except (KeyError, IndexError, ValueError):
        blank = f"{BLANK_NUMBER}/{TYPE_CODES[draft.kind]}-{abbreviation}"
    return f"Số: {blank}"


def gather_for_draft(draft) -> dict:
    """The data of a draft's document; the draft may be unsaved (the live preview)."""
    kind = str(draft.kind)
    if kind not in KINDS:
        raise ValueError(f"unknown document kind: {kind}")
    bloc: Bloc = draft.bloc
    year = draft.year
    style = _style(draft)
    terms = {
        t.year: t
        for t in ChairTerm.objects.filter(bloc=bloc, year__in=[year, year + 1]).select_related(
            "chair", "deputy"
        )
    }
    issuer = draft.issuer if draft.issuer_id else None
    if issuer is None and year in terms:
        issuer = terms[year].chair
    youth = style.header == "youth"
    data = {
        "schema": SCHEMA,
        "kind": kind,
        "year": year,
        "font_family": settings.REPORT_FONT_FAMILY,
        "bloc": {
            "name": bloc.name,
            "is_cluster": bloc.kind == Bloc.Kind.CUM,
            "unit": "Cụm" if bloc.kind == Bloc.Kind.CUM else "Khối",
            "locality": bloc.locality,
        },
        "header": {
            "style": "youth" if youth else "nd30",
            "motto_line1": style.motto_line1,
            "motto_line2": style.motto_line2,
            "youth_title": style.youth_title,
            "parent_body": (draft.parent_body or "").strip().upper(),
            "issuer": ((draft.issuer_title or "").strip() or bloc.name).upper(),
            "number": _number_line(draft, style, issuer),
            "symbol": draft.symbol or "",
            "place_date": place_date_line(draft.place or bloc.locality, draft.issue_date),
            "issue_date": short_date(draft.issue_date),
        },
        "doc_type": DOC_TYPES[kind],
        "signer": {
            "mode": (draft.sign_mode or "").strip().upper(),
            "position": (draft.signer_position or "").strip().upper(),
            "name": (draft.signer_name or "").strip(),
        },
        "recipients": recipient_lines(draft.recipients),
        "sections": {name: _lines(getattr(draft, name, "")) for name in NARRATIVE},
        "chair": _term(terms.get(year)),
        "next_chair": _term(terms.get(year + 1)),
    }
    data.update(GATHERERS[kind](draft, bloc, year))
    data["summary"] = _summary(kind, data, bloc, year)
    return data


def _term(term: ChairTerm | None) -> dict:
    if term is None:
        return {}
    return {"chair": _org(term.chair), "deputy": _org(term.deputy), "method": term.method}


def _summary(kind: str, data: dict, bloc: Bloc, year: int) -> list[str]:
    if kind == "year_end":
        return [
            f"Tổng kết công tác thi đua, khen thưởng năm {year}",
            f"và phương hướng, nhiệm vụ năm {year + 1} của {bloc.name}",
        ]
    if kind == "mid_year":
        return [
            f"Sơ kết công tác thi đua 6 tháng đầu năm {year}",
            f"và phương hướng, nhiệm vụ 6 tháng cuối năm {year} của {bloc.name}",
        ]
    if kind == "minutes":
        return [data["meeting"]["title"]]
    title = (data.get("pledge") or {}).get("title", "")
    if title and not title.lower().startswith("giao ước"):
        return [title]
    return [f"{bloc.name} năm {year}"]


def _pledge(bloc: Bloc, year: int, *, with_items: bool = True):
    from pledges.models import Pledge

    queryset = Pledge.objects.filter(bloc=bloc, year=year).select_related("launch_meeting")
    if with_items:
        queryset = queryset.prefetch_related("items")
    return queryset.first()


def _pledge_data(pledge) -> dict:
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


def _meetings(bloc: Bloc, year: int, *, held_only: bool = False) -> list[dict]:
    meetings = bloc.meetings.filter(year=year).order_by("starts_at")
    if held_only:
        meetings = meetings.exclude(status=Meeting.Status.PLANNED)
    return [
        {
            "title": m.title,
            "kind": m.kind,
            "date": short_date(m.starts_at),
            "place": m.place,
            "held": m.status != Meeting.Status.PLANNED,
        }
        for m in meetings
    ]


def _results(pledge) -> dict:
    from pledges.ranking import compute_results

    results = compute_results(pledge)
    groups = results.groups
    rows = []
    for m in results.members:
        rows.append(
            {
                "rank": m.rank,
                "tied": m.tied,
                "scored": m.scored,
                "name": m.organization.name,
                "short_name": m.organization.short_name or m.organization.name,
                "group_points": [_dec(m.group_points.get(g.pk)) for g in groups],
                "base": _dec(m.base_points),
                "bonus": _dec(m.bonus),
                "penalty": _dec(m.penalty),
                "total": _dec(m.total),
                "classification": m.classification,
            }
        )
    scored = [m for m in results.members if m.scored]
    group_data = []
    for i, g in enumerate(groups):
        values = [Decimal(r["group_points"][i]) for r in rows if r["scored"]]
        group_data.append(
            {
                "id": g.pk,
                "code": g.code,
                "text": g.text,
                "max": _dec(g.max_points),
                "average": _dec(sum(values) / len(values)) if values else "",
                "highest": _dec(max(values)) if values else "",
                "lowest": _dec(min(values)) if values else "",
            }
        )
    counts: dict[str, int] = {}
    for m in scored:
        if m.classification:
            counts[m.classification] = counts.get(m.classification, 0) + 1
    return {
        "groups": group_data,
        "rows": rows,
        "max_total": _dec(sum((g.max_points for g in groups), Decimal(0))),
        "scored": len(scored),
        "classifications": [{"name": k, "count": v} for k, v in counts.items()],
    }


def _ballot_data(pledge, **where) -> list[dict]:
    """The ballots of `pledge` matching `where` (all of them, or one meeting's), 2 queries."""
    from pledges.services.ballots import ballots_with_outcomes, vote_base

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
                "tellers": _lines(ballot.tellers),
                "base": base,
                "base_label": VOTE_BASE_LABELS.get(pledge.vote_base, ""),
                "threshold": _dec(pledge.vote_threshold),
                "strict": pledge.vote_threshold_strict,
                "candidates": [
                    {
                        "name": o.organization.name,
                        "votes": o.votes,
                        "ratio": _dec(o.ratio),
                        "passed": o.passed,
                        "leading": o.leading,
                        "tie_at_cutoff": o.tie_at_cutoff,
                    }
                    for o in outcomes
                ],
            }
        )
    return out


def _proposals(pledge) -> list[dict]:
    proposals = pledge.proposals.select_related("organization", "title").order_by(
        "title__order", "title__name", "organization__name"
    )
    return [
        {
            "name": p.organization.name,
            "title": p.title.name,
            "awarded_by": p.title.awarded_by,
            "achievements": p.achievements,
        }
        for p in proposals
    ]


def _year_end(draft, bloc: Bloc, year: int) -> dict:
    pledge = _pledge(bloc, year)
    data = {
        "members": [_org(o) for o in members_in(bloc, year)],
        "meetings": _meetings(bloc, year),
        "pledge": _pledge_data(pledge),
        "legal_basis": legal_basis_lines(pledge.legal_basis if pledge else ""),
        "results": {},
        "ballots": [],
        "proposals": [],
    }
    if pledge is not None:
        data["results"] = _results(pledge)
        data["ballots"] = _ballot_data(pledge)
        data["proposals"] = _proposals(pledge)
    return data


def _mid_year(draft, bloc: Bloc, year: int) -> dict:
    pledge = _pledge(bloc, year)
    return {
        "members": [_org(o) for o in members_in(bloc, year)],
        "meetings": _meetings(bloc, year, held_only=True),
        "pledge": _pledge_data(pledge),
        "legal_basis": legal_basis_lines(pledge.legal_basis if pledge else ""),
    }


def _person(p: MeetingPerson) -> dict:
    return {"name": p.name, "position": p.position, "organization": p.organization}


def _minutes(draft, bloc: Bloc, year: int) -> dict:
    from pledges.models import Pledge

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
    members = members_in(bloc, meeting.year)
    attendance = {a.organization_id: a for a in meeting.attendance.all()}
    rows = []
    for org in members:  # every member of that year, in rotation order
        a = attendance.pop(org.pk, None)
        rows.append(_attendance_row(org, a))
    for a in attendance.values():  # recorded but no longer a member: still in the record
        rows.append(_attendance_row(a.organization, a))
    pledge = Pledge.objects.filter(bloc=bloc, year=meeting.year).first()
    presiding = [p for p in people if p.role == MeetingPerson.Role.PRESIDING]
    secretaries = [p for p in people if p.role == MeetingPerson.Role.SECRETARY]
    return {
        "sign_presiding": (draft.signer_name or "").strip()
        or (presiding[0].name if presiding else ""),
        "sign_secretary": secretaries[0].name if secretaries else "",
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
        "presiding": [_person(p) for p in presiding],
        "secretaries": [_person(p) for p in secretaries],
        "guests": [_person(p) for p in people if p.role == MeetingPerson.Role.GUEST],
        "attendance": rows,
        "present": sum(1 for r in rows if r["present"]),
        "members_total": len(members),
        "agenda": [
            {"title": a.title, "presenter": a.presenter, "outcome": _lines(a.outcome)}
            for a in meeting.agenda.all()
        ],
        "minutes_text": _lines(meeting.minutes),
        "conclusions": _lines(meeting.conclusions),
        "ballots": _ballot_data(pledge, meeting=meeting) if pledge else [],
        "decisions": [_decision(d) for d in meeting.decisions.all()],
    }


def _attendance_row(org, a: Attendance | None) -> dict:
    status = a.status if a else ""
    return {
        "name": org.name,
        "status": status,
        "status_label": ATTENDANCE_LABELS.get(status, "Chưa ghi nhận"),
        "present": status == Attendance.Status.PRESENT,
        "representative": a.representative if a else "",
        "position": a.representative_position if a else "",
    }


def _decision(d: MeetingDecision) -> dict:
    out = {"kind": d.kind, "summary": d.summary}
    if d.chair_term_id:
        out["term"] = {
            "year": d.chair_term.year,
            "chair": d.chair_term.chair.name,
            "deputy": d.chair_term.deputy.name if d.chair_term.deputy else "",
        }
    return out


def _pledge_doc(draft, bloc: Bloc, year: int) -> dict:
    from pledges.models import Criterion

    pledge = _pledge(bloc, year)
    members = members_in(bloc, year)
    data = {
        "members": [_org(o) for o in members],
        "pledge": _pledge_data(pledge),
        "legal_basis": legal_basis_lines(pledge.legal_basis if pledge else ""),
        "criteria": [],
        "signatures": [],
    }
    if pledge is None:
        data["signatures"] = [_signature_cell(o, None) for o in members]
        return data
    criteria = list(Criterion.objects.filter(pledge=pledge).order_by("order", "code"))
    data["criteria"] = _criteria_rows(criteria)
    signed = {s.organization_id: s for s in pledge.signatures.all()}
    data["signatures"] = [_signature_cell(o, signed.get(o.pk)) for o in members]
    return data


def _criteria_rows(criteria) -> list[dict]:
    children: dict = {}
    for c in criteria:
        children.setdefault(c.parent_id, []).append(c)
    rows = []

    def walk(parent_id, depth):
        for c in children.get(parent_id, []):
            rows.append(
                {
                    "code": c.code,
                    "text": c.text,
                    "max": _dec(c.max_points),
                    "bonus_cap": _dec(c.bonus_cap) if c.bonus_cap else "",
                    "depth": depth,
                }
            )
            walk(c.pk, depth + 1)

    walk(None, 0)
    return rows


def _signature_cell(org, signature) -> dict:
    return {
        "name": org.name,
        "signer": signature.signer_name if signature else "",
        "position": signature.signer_position if signature else "",
        "signed_on": short_date(signature.signed_at) if signature else "",
    }


GATHERERS = {
    "year_end": _year_end,
    "mid_year": _mid_year,
    "minutes": _minutes,
    "pledge": _pledge_doc,
}


# Rendering ---------------------------------------------------------------------------------


def _roman(numbers: list[str]) -> dict[str, str]:
    return {name: ROMAN[i] for i, name in enumerate(numbers)}


def _chart(data: dict) -> str:
    """The group-points chart as a data: URL, or "" when it would not help."""
    results = data.get("results") or {}
    rows = [r for r in results.get("rows", []) if r["scored"]]
    groups = results.get("groups", [])
    if not rows or not groups or len(rows) > CHART_MAX_MEMBERS:
        return ""
    chart = {
        "groups": [{"id": g["id"], "code": g["code"], "text": g["text"]} for g in groups],
        "members": [
            {
                "organization": {"name": r["name"], "short_name": r["short_name"]},
                "group_points": {
                    g["id"]: Decimal(v) for g, v in zip(groups, r["group_points"], strict=True)
                },
                "total": Decimal(r["total"]),
            }
            for r in rows
        ],
    }
    return _chart_url(json.dumps(chart, sort_keys=True, default=str))


@functools.lru_cache(maxsize=16)
def _chart_url(chart_json: str) -> str:
    """Drawn once per distinct data: the live preview re-renders the same chart often."""
    from pledges.charts import chart_group_points

    chart = json.loads(chart_json)
    for member in chart["members"]:
        member["group_points"] = {int(k): Decimal(v) for k, v in member["group_points"].items()}
        member["total"] = Decimal(member["total"])
    svg = chart_group_points(chart)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _present(data: dict) -> dict:
    """What the templates show besides the data: formatted numbers, section numbers."""
    view: dict = {}
    results = data.get("results") or {}
    if results:
        view["groups"] = [
            {
                **g,
                "max_vn": vn_number(g["max"]),
                "average_vn": vn_number(g["average"]),
                "highest_vn": vn_number(g["highest"]),
                "lowest_vn": vn_number(g["lowest"]),
            }
            for g in results["groups"]
        ]
        view["rows"] = [
            {
                **r,
                "group_points_vn": [vn_number(v) for v in r["group_points"]],
                "base_vn": vn_number(r["base"]),
                "bonus_vn": vn_number(r["bonus"]),
                "penalty_vn": vn_number(r["penalty"]),
                "total_vn": vn_number(r["total"]),
            }
            for r in results["rows"]
        ]
        view["max_total_vn"] = vn_number(results["max_total"])
        view["top"] = [r for r in view["rows"] if r["scored"] and r["rank"] == 1]
    view["ballots"] = [
        {
            **b,
            "threshold_vn": vn_number(b["threshold"]),
            "candidates": [{**c, "ratio_vn": vn_number(c["ratio"])} for c in b["candidates"]],
        }
        for b in data.get("ballots", [])
    ]
    view["criteria"] = [
        {**c, "max_vn": vn_number(c["max"]), "bonus_cap_vn": vn_number(c["bonus_cap"])}
        for c in data.get("criteria", [])
    ]
    signatures = data.get("signatures", [])
    per_row = SIGNATURES_PER_ROW
    view["signature_rows"] = [
        signatures[i : i + per_row] + [None] * (per_row - len(signatures[i : i + per_row]))
        for i in range(0, len(signatures), per_row)
    ]
    sections = data.get("sections", {})
    kind = data["kind"]
    if kind == "year_end":
        evaluation = [n for n in ("shortcomings", "causes", "lessons") if sections.get(n)]
        view["evaluation"] = evaluation
        parts = ["situation", "results"]
        if evaluation:
            parts.append("evaluation")
        parts.append("directions")
        if sections.get("recommendations") or data.get("proposals"):
            parts.append("recommendations")
        view["num"] = _roman(parts)
        appendices = ["scores"] if results.get("rows") else []
        if data.get("ballots"):
            appendices.append("ballots")
        if data.get("proposals"):
            appendices.append("proposals")
        view["appendix"] = {name: str(i) for i, name in enumerate(appendices, start=1)}
        view["chart"] = _chart(data)
    elif kind == "mid_year":
        parts = ["situation", "results"]
        if any(sections.get(n) for n in ("shortcomings", "causes", "lessons")):
            parts.append("evaluation")
        parts.append("directions")
        if sections.get("recommendations"):
            parts.append("recommendations")
        view["num"] = _roman(parts)
    return view


def render_html(report, data: dict) -> str:
    """The document as HTML (a PDF source and the live preview). `report` may be None."""
    kind = data["kind"]
    context = {"d": data, "v": _present(data), "font_family": data.get("font_family")}
    return render_to_string(f"reports/pdf/{kind}.html", context)
