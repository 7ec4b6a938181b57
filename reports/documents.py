"""The content of the official documents: gather the data, then lay it out as HTML.

`gather(report)` (or `gather_for_draft(draft)`, for an unsaved draft) reads everything one
document shows into plain, JSON-serialisable data, in a fixed number of queries whatever
the number of members: the header, signer block, recipients and narrative sections from
the draft, and the facts its kind gathers from the database (reports/kinds/). The data is
what a build is made of: it is gathered once, when the build is requested, its digest
decides whether a PDF must be built at all, and the worker renders the very same data
(stored on the Report). So it holds facts only: numbers as decimal strings ("95.50"),
dates already written the Vietnamese way.

The live preview (`gather_for_preview`) keeps the facts of a draft in Django's cache while
the database has not changed, so typing re-reads only the draft's own fields.

`render_html(report, data)` turns that data into the document (its kind's template),
formatting numbers the Vietnamese way (95,50) and numbering the sections.

The documents follow Nghị định 30/2020/NĐ-CP (or the Youth Union's header when the draft's
style says so). Their fixed wording ("BÁO CÁO", "Nơi nhận", the section titles) is written
in Vietnamese on purpose: they are Vietnamese official documents whatever the language of
the person who builds them, so those words are not translated.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string

from blocs.models import Bloc, ChairTerm, Organization

from .formats import (  # the formats, also for those who write like the documents
    BLANK_NUMBER,
    legal_basis_lines,
    place_date_line,
    recipient_lines,
    short_date,
    vn_date,
    vn_number,
)
from .kinds import Data, DocumentKind, get_kind
from .kinds.common import org

if TYPE_CHECKING:
    from .models import DocumentStyle, Report, ReportDraft

__all__ = [
    "SCHEMA",
    "TEMPLATE_VERSION",
    "data_fingerprint",
    "gather",
    "gather_for_draft",
    "gather_for_preview",
    "legal_basis_lines",
    "place_date_line",
    "recipient_lines",
    "render_html",
    "vn_date",
    "vn_number",
]

# 2: the facts of a kind only (no empty narrative in minutes and pledges), the chart drawn
# while gathering. 3: the narrative sections as typed (the small markup of
# portal/lib/markup.py), not as a list of lines.
SCHEMA = 3
# The preview's facts are dropped after this long even if the fingerprint did not change
# (a write that bypassed the models, such as a queryset update).
PREVIEW_CACHE_SECONDS = 120

_TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "reports" / "pdf"
_CSS_FILE = Path(settings.BASE_DIR) / "static" / "reports" / "pdf.css"
# The DOCX layout and the narrative's markup are code, not templates: a change of either
# is a new build too.
_CODE_FILES = [
    Path(settings.BASE_DIR) / "reports" / "docx_builder.py",
    Path(settings.BASE_DIR) / "portal" / "lib" / "markup.py",
]


def _template_version() -> str:
    """Changes whenever a PDF template, the stylesheet, the DOCX layout or the markup
    changes (part of the build digest)."""
    digest = hashlib.sha256()
    files = sorted(_TEMPLATE_DIR.rglob("*.html")) + [_CSS_FILE, *_CODE_FILES]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{SCHEMA}-{digest.hexdigest()[:16]}"


TEMPLATE_VERSION = _template_version()


# Gathering ---------------------------------------------------------------------------------


def gather(report: Report) -> Data:
    """The data of a report's document (see the module docstring)."""
    return gather_for_draft(report.draft)


def gather_for_draft(draft: ReportDraft, *, facts: Data | None = None) -> Data:
    """The data of a draft's document; the draft may be unsaved. `facts`: what its kind
    gathered already (the preview's cache), instead of reading them again."""
    kind = get_kind(draft.kind)
    data = _frame(draft, kind)
    data.update(kind.gather(draft) if facts is None else facts)
    data.update(kind.signing(data))
    data["summary"] = kind.summary(data)
    return data


def gather_for_preview(draft: ReportDraft) -> Data:
    """The data of a draft for the live preview: its kind's facts come from the cache while
    nothing they are read from has changed (`data_fingerprint`)."""
    kind = get_kind(draft.kind)
    key = ":".join(
        str(part)
        for part in (
            "reports.facts",
            SCHEMA,
            kind.code,
            draft.bloc_id,
            draft.year,
            draft.meeting_id,
            draft.subject_id,
            draft.issue_date,  # the review reports speak of what happened by their date
            data_fingerprint(),
        )
    )
    facts = cache.get(key)
    if facts is None:
        facts = kind.gather(draft)
        cache.set(key, facts, PREVIEW_CACHE_SECONDS)
    return gather_for_draft(draft, facts=facts)


@functools.cache
def _history_tables() -> tuple[str, ...]:
    """The history tables of the models the documents read (blocs and pledges)."""
    tables = []
    for label in ("blocs", "pledges"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.pk is not None and model._meta.pk.name == "history_id":
                tables.append(model._meta.db_table)
    return tuple(sorted(tables))


def data_fingerprint() -> str:
    """A cheap fingerprint of what the documents are gathered from, in one query.

    Every model of blocs and pledges keeps its history (simple_history), and every save or
    delete through the models adds a history row: the highest history id and date of each
    history table change whenever anything a document shows may have changed."""
    quote = connection.ops.quote_name
    maxima = [
        f"(SELECT MAX({column}) FROM {quote(table)})"  # noqa: S608 -- names from the models
        for table in _history_tables()
        for column in ("history_id", "history_date")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(maxima))
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:32]


def _style(draft: ReportDraft) -> DocumentStyle:
    if draft.style_id is not None:
        return draft.style
    from .models import DocumentStyle

    return (
        DocumentStyle.objects.filter(is_default=True).first()
        or DocumentStyle.objects.first()
        or DocumentStyle()
    )


def _number_line(
    draft: ReportDraft, kind: DocumentKind, style: DocumentStyle, issuer: Organization | None
) -> str:
    if draft.symbol:
        return f"Số: {draft.symbol}"
    abbreviation = (issuer.abbreviation.strip() if issuer is not None else "") or "\u2026"
    pattern = style.number_pattern or "{number}/{type}-{issuer}"
    try:
        blank = pattern.format(number=BLANK_NUMBER, type=kind.type_code, issuer=abbreviation)
    except (KeyError, IndexError, ValueError):
        blank = f"{BLANK_NUMBER}/{kind.type_code}-{abbreviation}"
    return f"Số: {blank}"


def _frame(draft: ReportDraft, kind: DocumentKind) -> Data:
    """What every document takes from its draft: the header, the signer block, the
    recipients, its kind's narrative sections, and the chair of the year and the next."""
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
    # A draft (never issued) has no number and no date yet, and says it is a draft.
    issued = draft.is_issued
    return {
        "schema": SCHEMA,
        "kind": kind.code,
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
            "number": _number_line(draft, kind, style, issuer),
            "symbol": draft.symbol or "",
            "place_date": place_date_line(
                draft.place or bloc.locality, draft.issue_date if issued else None
            ),
            "issue_date": short_date(draft.issue_date) if issued else "",
            "draft": not issued,
        },
        "replaces": _replaces(draft),
        "doc_type": kind.doc_type,
        "addressees": _addressees(kind, bloc),
        "signer": {
            "mode": (draft.sign_mode or "").strip().upper(),
            "position": (draft.signer_position or "").strip().upper(),
            "name": (draft.signer_name or "").strip(),
        },
        "recipients": recipient_lines(draft.recipients),
        "sections": {
            name: (getattr(draft, name, "") or "").strip() for name in kind.section_fields
        },
        "chair": _term(terms.get(year)),
        "next_chair": _term(terms.get(year + 1)),
    }


def _addressees(kind: DocumentKind, bloc: Bloc) -> list[str]:
    if not kind.sent_to_superior:
        return []
    return kind.addressed_to(bloc) if kind.addressed_to is not None else addressees(bloc)


def addressees(bloc: Bloc) -> list[str]:
    """Whom a report sent to a superior is addressed to (“Kính gửi:”, ND 30 Phụ lục I
    II.9.b): the bloc's organizing body, else the emulation council of its locality."""
    if bloc.organizing_body_id is not None:
        return [bloc.organizing_body.name]
    if bloc.locality:
        return [f"Hội đồng Thi đua - Khen thưởng {bloc.locality}"]
    return []


def _replaces(draft: ReportDraft) -> Data:
    """The issued document this one replaces, as the replacement cites it."""
    old = draft.replaces if draft.replaces_id else None
    if old is None:
        return {}
    symbol, day = old.symbol, short_date(old.issue_date)
    return {
        "symbol": symbol,
        "date": day,
        "text": f"Văn bản này thay thế văn bản số {symbol} ngày {day}.",
    }


def _term(term: ChairTerm | None) -> Data:
    if term is None:
        return {}
    return {"chair": org(term.chair), "deputy": org(term.deputy), "method": term.method}


# Rendering ---------------------------------------------------------------------------------


def render_html(report: Report | None, data: Data) -> str:
    """The document as HTML (a PDF source and the live preview). `report` may be None."""
    kind = get_kind(data["kind"])
    context = {"d": data, "v": kind.present(data), "font_family": data.get("font_family")}
    return render_to_string(kind.template, context)


def preload_templates() -> None:
    """Compile every kind's template now (the cached template loader keeps them): what a
    worker process does when it starts, instead of on its first build."""
    from django.template.loader import get_template

    from .kinds import all_kinds

    for kind in all_kinds():
        get_template(kind.template)
