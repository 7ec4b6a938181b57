"""Issuing documents as a records office (văn thư) does: number, date, content, then read-only.

A draft is built as often as the secretariat likes, without a number ("Số:      /BC-…", no
date, marked "DỰ THẢO"). Issuing it (`document_issue`) is one explicit step that, in one
transaction:

- gives it its number from the registry its issuer keeps (`Organization.numbering`):
  the portal's own series (drawn now, per issuer and year, no gaps), the organization's own
  registry (typed by the secretariat; the database refuses a number and symbol that the
  registry already holds for that year, even for two issues at once), or the bloc's series
  (drawn from a sequence keyed by the bloc);
- fixes its date (today by default, never in the future) and its symbol, written with the
  style profile it has now (stored: a profile switched later does not change it);
- fixes its content: the data gathered now, its digest and the database's fingerprint are
  stored, and the issued PDF is built from that very data (a reprint renders it again);
- makes it read-only: no edit, no rebuild (`services.check_not_issued`).

Changing an issued document is a replacement (`document_replace`, Decree 30, Art. 18.3): a
new draft that names the one it replaces ("Văn bản này thay thế văn bản số … ngày …"); when
it is issued, the old one becomes "replaced". Both stay downloadable.

A signed scan (PDF) can then be put on the issued document (`scan_upload`): it is what
members download; the generated PDF stays with the secretariat.

Why the numbering mode lives on the organization and not on the style profile: a profile is
a layout shared by many issuers (every issuer that is not a Youth Union uses the one Decree
30 profile), while a registry belongs to one organization's records office (Art. 15-16).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, Organization
from portal.lib.history import stamp
from portal.lib.types import Actor
from portal.lib.uploads import validate_upload

from . import services
from .kinds.registry import all_kinds
from .models import Report, ReportDraft
from .rules import check_may_issue

Numbering = Organization.Numbering

NOT_A_DRAFT = _("Document No. %(symbol)s has been issued already.")
ISSUE_DATE_MISSING = _("Enter the issue date.")
ISSUE_DATE_IN_FUTURE = _("The issue date cannot be in the future (today is %(today)s).")
NUMBER_REQUIRED = _(
    "%(organization)s numbers its documents in its own registry: type the number the "
    "registry gave this document."
)
NUMBER_NOT_TYPED_HERE = _(
    "The number is drawn from the registry of %(registry)s when the document is issued; "
    "it is not typed."
)
NUMBER_TAKEN = _(
    "No. %(symbol)s is already used in %(year)s by another document of %(registry)s. "
    "Check the registry and type the number it gave this document."
)
REPLACE_NOT_ISSUED = _("Only an issued document can be replaced.")
ALREADY_REPLACED = _("This document has already been replaced by No. %(symbol)s.")
ANOTHER_DRAFT_OPEN = _("Another draft of this document is being written; finish or issue it first.")
SCAN_NOT_ISSUED = _("A signed scan can only be added to an issued document.")
SCAN_CONFIRM_REPLACE = _(
    "This document already has a signed scan: tick the box to confirm that the new file "
    "replaces it."
)

PDF_ONLY = {".pdf": "application/pdf"}
# A drawn number that someone typed earlier (the issuer kept its own registry then) is
# skipped: the next one is drawn. This many at most, then the registry is inconsistent.
MAX_SKIPS = 1000


@dataclass(frozen=True)
class NumberPlan:
    """How a document will be numbered when it is issued, for the confirmation page."""

    mode: str  # an Organization.Numbering value
    registry: str  # whose registry: the issuer's or the bloc's name
    typed: bool  # the secretariat types the number
    example: str  # the symbol with the number left blank, as it will be written


def _registry_name(draft: ReportDraft, mode: str) -> str:
    return str(draft.bloc) if mode == Numbering.BLOC else str(draft.issuer)


def number_plan(draft: ReportDraft) -> NumberPlan:
    services_issuer_checks(draft)
    assert draft.issuer is not None  # checked above
    mode = draft.issuer.numbering
    example = draft.style.number_pattern.format(
        number="…", type=draft.type_code, issuer=draft.issuer.abbreviation.strip()
    )
    return NumberPlan(
        mode=mode,
        registry=_registry_name(draft, mode),
        typed=mode == Numbering.REGISTRY,
        example=example,
    )


def services_issuer_checks(draft: ReportDraft) -> None:
    """The issuer and its abbreviation, which the symbol needs."""
    if draft.issuer is None:
        raise ValidationError(services.NO_ISSUER, code="no_issuer")
    if not draft.issuer.abbreviation.strip():
        raise ValidationError(
            services.ISSUER_WITHOUT_ABBREVIATION % {"organization": draft.issuer},
            code="no_abbreviation",
        )


def check_issue_date(value: date | None, *, today: date) -> date:
    if value is None:
        raise ValidationError({"issued_on": ISSUE_DATE_MISSING}, code="no_date")
    if value > today:
        raise ValidationError(
            {"issued_on": ISSUE_DATE_IN_FUTURE % {"today": f"{today:%d/%m/%Y}"}},
            code="future_date",
        )
    return value


def default_issue_date(draft: ReportDraft, *, today: date | None = None) -> date:
    """Today, or the day the draft bears when it is not in the future (minutes are dated the
    day of their meeting, a pledge the day it was signed)."""
    today = today or timezone.localdate()
    planned = draft.issue_date
    return planned if planned is not None and planned <= today else today


def _symbol(draft: ReportDraft, number: int) -> str:
    assert draft.issuer is not None
    return draft.style.format_symbol(
        number=number, type_code=draft.type_code, issuer=draft.issuer.abbreviation.strip()
    )


def _registry(draft: ReportDraft, mode: str, year: int) -> QuerySet[ReportDraft]:
    """The issued documents of the same registry and year (where a symbol must be unique)."""
    issued = ReportDraft.objects.exclude(status=ReportDraft.Status.DRAFT).filter(number_year=year)
    if mode == Numbering.BLOC:
        return issued.filter(series_bloc=draft.bloc)
    return issued.filter(issuer=draft.issuer, series_bloc__isnull=True)


def _number(draft: ReportDraft, mode: str, year: int, typed: int | None) -> int:
    if mode == Numbering.REGISTRY:
        if typed is None or typed < 1:
            raise ValidationError(
                {"number": NUMBER_REQUIRED % {"organization": draft.issuer}}, code="no_number"
            )
        return typed
    if typed is not None:
        raise ValidationError(
            {"number": NUMBER_NOT_TYPED_HERE % {"registry": _registry_name(draft, mode)}},
            code="number_not_typed",
        )
    bloc: Bloc | None = draft.bloc if mode == Numbering.BLOC else None
    used = _registry(draft, mode, year)
    for _attempt in range(MAX_SKIPS):
        number = services.allocate_number(issuer=draft.issuer, bloc=bloc, year=year)
        if not used.filter(symbol=_symbol(draft, number)).exists():
            return number
    raise ValidationError(NUMBER_TAKEN, code="registry_full")  # pragma: no cover


def _taken(draft: ReportDraft, mode: str, year: int, symbol: str) -> ValidationError:
    message = NUMBER_TAKEN % {
        "symbol": symbol,
        "year": year,
        "registry": _registry_name(draft, mode),
    }
    return ValidationError({"number": message}, code="number_taken")


@transaction.atomic
def document_issue(
    *,
    draft: ReportDraft,
    actor: Actor = None,
    issued_on: date | None = None,
    number: int | None = None,
    today: date | None = None,
    build_now: bool = False,
) -> Report:
    """Issue the draft: number, date, content, read-only (see the module docstring).

    Returns the issued build (queued for the worker, or built here with `build_now`)."""
    check_may_issue(actor, draft)
    today = today or timezone.localdate()
    draft = (
        ReportDraft.objects.select_for_update(of=("self",))
        .select_related("bloc", "issuer", "style", "meeting", "replaces")
        .get(pk=draft.pk)
    )
    if draft.is_issued:
        raise ValidationError(NOT_A_DRAFT % {"symbol": draft.symbol}, code="issued")
    services_issuer_checks(draft)
    services.check_signed_and_placed(draft)  # never issued without its signer or place
    assert draft.issuer is not None
    issued_on = check_issue_date(issued_on, today=today)
    mode = draft.issuer.numbering
    year = issued_on.year
    given = _number(draft, mode, year, number)
    symbol = _symbol(draft, given)
    if mode == Numbering.REGISTRY and _registry(draft, mode, year).filter(symbol=symbol).exists():
        raise _taken(draft, mode, year, symbol)

    draft.status = ReportDraft.Status.ISSUED
    draft.number, draft.number_year, draft.symbol = given, year, symbol
    draft.issue_date = issued_on
    draft.numbering = mode
    draft.series_bloc = draft.bloc if mode == Numbering.BLOC else None
    draft.issued_at = timezone.now()
    draft.issued_by = actor
    from . import documents

    report = Report(draft=draft, requested_by=actor, issued=True)
    data = services.gather(report)
    report.data, report.input_digest = data, services.input_digest(data)
    draft.issued_digest = report.input_digest
    draft.issued_fingerprint = documents.data_fingerprint()
    stamp(draft, actor, f"Ban hành: số {symbol} ngày {issued_on:%d/%m/%Y}")
    try:
        # A savepoint: the unique constraint answers for an issue that ran at the same time.
        with transaction.atomic():
            draft.save()
    except IntegrityError as exc:
        raise _taken(draft, mode, year, symbol) from exc
    report.save()

    old = draft.replaces
    if old is not None and old.status == ReportDraft.Status.ISSUED:
        old.status = ReportDraft.Status.REPLACED
        stamp(old, actor, f"Bị thay thế bởi văn bản số {symbol} ngày {issued_on:%d/%m/%Y}")
        old.save(update_fields=["status", "updated_at"])

    if build_now:
        claimed = services.report_claim(report_id=report.pk)
        if claimed is not None:
            services.report_store(report=claimed)
        report.refresh_from_db()
    else:
        services._send_after_commit(report.pk)
    return report


# Fields a replacement starts with: the whole draft as it was issued, but no number or date.
# What a replacement takes over from the document it replaces: these fields, and every
# narrative field that a kind's sections name (read from the registry, so that a section
# added to a kind is never left behind: "Ưu điểm" once was).
COPIED_FIELDS = (
    "bloc", "year", "kind", "meeting", "subject", "issuer", "parent_body", "issuer_title", "style",
    "place", "signer_name", "signer_position", "sign_mode", "recipients",
)  # fmt: skip


def copied_fields() -> tuple[str, ...]:
    sections = {name for kind in all_kinds() for name in kind.section_fields}
    return COPIED_FIELDS + tuple(sorted(sections - set(COPIED_FIELDS)))


@transaction.atomic
def document_replace(*, draft: ReportDraft, actor: Actor = None) -> ReportDraft:
    """A new draft that replaces the issued document (or the one already started)."""
    check_may_issue(actor, draft)
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status == ReportDraft.Status.DRAFT:
        raise ValidationError(REPLACE_NOT_ISSUED, code="not_issued")
    started = ReportDraft.objects.filter(replaces=draft).first()
    if started is not None:
        if started.status == ReportDraft.Status.DRAFT:
            return started
        raise ValidationError(ALREADY_REPLACED % {"symbol": started.symbol}, code="replaced")
    open_drafts = ReportDraft.objects.filter(
        bloc=draft.bloc,
        year=draft.year,
        kind=draft.kind,
        meeting=draft.meeting,
        subject=draft.subject,
        status=ReportDraft.Status.DRAFT,
    )
    if open_drafts.exists():
        raise ValidationError(ANOTHER_DRAFT_OPEN, code="draft_open")
    new = ReportDraft(
        **{name: getattr(draft, name) for name in copied_fields()},
        replaces=draft,
        updated_by=actor,
    )
    new.full_clean()
    stamp(new, actor, f"Thay thế văn bản số {draft.symbol}")
    new.save()
    return new


@transaction.atomic
def scan_upload(
    *, draft: ReportDraft, uploaded: UploadedFile, actor: Actor = None, replace: bool = False
) -> ReportDraft:
    """Put the signed scan (a PDF) on an issued document; an existing scan is replaced only
    when `replace` confirms it."""
    check_may_issue(actor, draft)
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    if not draft.is_issued:
        raise ValidationError(SCAN_NOT_ISSUED, code="not_issued")
    if draft.scan and not replace:
        raise ValidationError({"replace": SCAN_CONFIRM_REPLACE}, code="confirm_replace")
    try:
        validate_upload(uploaded, PDF_ONLY)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}, code=exc.code) from exc
    # An earlier scan stays in the storage: the history row names it (a signed file is kept).
    old = draft.scan.name if draft.scan else ""
    draft.scan.save("scan.pdf", uploaded, save=False)
    draft.scan_name = (uploaded.name or "scan.pdf")[:255]
    draft.scan_size = uploaded.size
    draft.scan_uploaded_at = timezone.now()
    draft.scan_uploaded_by = actor
    reason = "Thay bản quét có chữ ký" if old else "Tải lên bản quét có chữ ký"
    stamp(draft, actor, reason)
    draft.save()
    return draft


def issued_report(draft: ReportDraft) -> Report | None:
    """The issued build of a document (None for a draft)."""
    if not draft.is_issued:
        return None
    return draft.reports.filter(issued=True).first()


def member_download(draft: ReportDraft) -> tuple[str, Report | None]:
    """What members download of an issued document: ("scan", None) when there is a signed
    scan, ("pdf", report) for the issued PDF when it is ready, ("", None) otherwise."""
    if draft.scan:
        return "scan", None
    report = issued_report(draft)
    if report is not None and report.status == Report.Status.READY:
        return "pdf", report
    return "", None
