"""Writes with rules for documents: drafts, numbers, and the build pipeline of a report.

The pipeline (design.md, "How a request flows"):

1. `report_request` (the secretariat presses "Build"): gathers the data of the draft (no
   number is given: a draft prints "Số:      /BC-…" and no date; numbers are given when the
   document is issued, reports/issuing.py) and computes its digest. Unchanged inputs
   return the ready report that already has them; otherwise a queued `Report` is created
   with that data and `build_report` is sent to the `reports` queue once the transaction
   has committed.
2. `report_build` (in the worker): `report_claim` takes the row with one conditional UPDATE
   (queued, or running but abandoned by a dead or retried run) and counts the attempt in
   the database; then it renders the data gathered with the request (stored on the row:
   the data is gathered once per build) → HTML → PDF, and `report_mark_ready` stores it.
   Marking ready is fenced by the attempt number, so a run that lost its claim can never
   overwrite the winner's PDF: a report ends with exactly one PDF.
3. Failures: `report_mark_failed` keeps a readable reason; earlier reports and their PDFs
   are never touched. `report_retry` puts a failed (or stuck) report back in the queue.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, ChairTerm, Meeting, Organization
from portal.lib.events import emit
from portal.lib.history import stamp
from portal.lib.types import Actor, StrOrPromise

from . import lease
from .kinds import DocumentKind, get_kind
from .models import DocumentStyle, NumberSequence, Report, ReportDraft
from .rules import check_draft_writer, check_may_open

logger = logging.getLogger(__name__)

MINUTES_NEED_MEETING = _("Minutes belong to a meeting: choose the meeting they record.")
MEETING_ONLY_FOR_MINUTES = _("Only minutes belong to a meeting.")
MEETING_OF_ANOTHER_BLOC = _("That meeting belongs to another bloc or year.")
SUBJECT_NEEDED = _("An achievement report is about one proposed unit: choose the unit.")
SUBJECT_NOT_FOR_KIND = _("Only an achievement report is about one unit.")
ISSUED_BY_ITS_UNIT = _("An achievement report is issued by the unit it reports on.")
SUBJECT_NOT_PROPOSED = _(
    "%(organization)s is not proposed for a commendation by this bloc in %(year)s."
)
NO_ISSUER = _(
    "Choose the issuing organization first: its abbreviation goes into the document number."
)
ISSUER_WITHOUT_ABBREVIATION = _(
    "%(organization)s has no symbol abbreviation, so no document number can be given. "
    "An administrator must set it on the organization first."
)
DOCUMENT_READ_ONLY = _(
    "Document No. %(symbol)s has been issued and is read-only: to change it, replace it with "
    "a new document."
)
NO_SIGNER = _(
    "Write who signs the document (family name first) before building it: a document is "
    "never issued without its signer's name."
)
NO_PLACE = _("Write the place of the date line (e.g. “Hải Phòng”) before building the document.")
RETRY_NOT_ALLOWED = _("Only a failed or stuck build can be tried again.")
BUILD_FAILED = _("The document could not be built: %(error)s")
BUILD_TOO_SLOW = _(
    "Building the document took too long (more than %(seconds)s seconds) and was stopped. "
    "Try again; if it happens again, tell the administrator."
)
BUILD_GAVE_UP = _(
    "The document could not be built after %(attempts)s attempts. Last problem: %(error)s"
)
BUILD_WORKER_LOST = _("the worker building it stopped (restarted or out of memory)")
BUILD_TEMPORARY_PROBLEM = _("A temporary problem occurred; trying again: %(error)s")

# What the secretariat writes on a draft: the header, its kind's sections, the signer block.
HEADER_FIELDS = ("issuer", "parent_body", "issuer_title", "style", "place", "issue_date")
SIGNER_FIELDS = ("signer_name", "signer_position", "sign_mode", "recipients")


def draft_fields(kind: DocumentKind) -> tuple[str, ...]:
    """The fields `draft_update` may change on a draft of that kind, in the editor's order."""
    return (*HEADER_FIELDS, *kind.section_fields, *SIGNER_FIELDS)


def _text(message: StrOrPromise, **params: object) -> str:
    """A message as stored in the database: in the portal's language, not the worker's."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(str(message))
    return text % params if params else text


def max_attempts() -> int:
    return max(1, int(getattr(settings, "REPORT_MAX_ATTEMPTS", 3)))


def stale_after() -> timedelta:
    """How long a build may run at most: past the hard time limit its worker is gone."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def abandoned(now: datetime) -> Q:
    """Running rows whose lease has expired: their worker is gone (see reports/lease.py).
    A row without a heartbeat (claimed before leases existed) counts from its start."""
    expired = now - lease.lease()
    return Q(status=Report.Status.RUNNING) & (
        Q(heartbeat_at__lt=expired) | Q(heartbeat_at__isnull=True, started_at__lt=expired)
    )


# Drafts ------------------------------------------------------------------------------------


# The two profiles the migration 0002 seeds; recreated here if every style was deleted.
SEED_STYLES = (
    {"code": "nd30", "name": "Nghị định 30/2020/NĐ-CP", "header": "nd30", "is_default": True},
    {
        "code": "youth",
        "name": "Đoàn TNCS Hồ Chí Minh",
        "header": "youth",
        "number_pattern": "{number}-{type}/{issuer}",
        "is_default": False,
    },
)


def issues_in_own_name(issuer: Organization | None, issuer_title: str) -> bool:
    """Whether the header names the issuing organization itself (not the bloc it chairs)."""
    if issuer is None:
        return False
    title = " ".join((issuer_title or "").split()).upper()
    return bool(title) and title == " ".join(issuer.name.split()).upper()


def default_style(issuer: Organization | None, *, in_own_name: bool = True) -> DocumentStyle:
    """The profile of a document: Decree 30 (the default), or the Youth Union's when a Youth
    Union body issues in its own name. A bloc's document is the bloc's, over its chair, so
    it keeps the Decree 30 header (national title and motto) whoever chairs the bloc."""
    styles = DocumentStyle.objects.all()
    if not styles.exists():
        for seed in SEED_STYLES:
            DocumentStyle.objects.get_or_create(code=seed["code"], defaults=seed)
    if in_own_name and issuer is not None and issuer.kind == Organization.Kind.YOUTH:
        youth = styles.filter(header=DocumentStyle.Header.YOUTH).first()
        if youth is not None:
            return youth
    found = styles.filter(is_default=True).first() or styles.first()
    assert found is not None  # seeded above when there were none
    return found


def default_recipients(bloc: Bloc) -> str:
    members = "Khối" if bloc.kind == Bloc.Kind.KHOI else "Cụm"
    lines = []
    # Those the report is sent to, to be informed (“để b/c”), then the members.
    if bloc.organizing_body is not None:
        lines.append(f"- {bloc.organizing_body.name} (để b/c);")
    if bloc.locality:
        lines.append(f"- Hội đồng Thi đua - Khen thưởng {bloc.locality} (để b/c);")
    lines.append(f"- Các đơn vị thành viên {members};")
    lines.append("- Lưu: VT.")
    return "\n".join(lines)


def draft_defaults(
    *, bloc: Bloc, year: int, kind: str, subject: Organization | None = None
) -> dict:
    """What a new draft starts with: in the bloc's name and place, issued and signed as
    its kind says (the chair of the year, in most kinds; the unit itself for a kind about
    one unit)."""
    document_kind = get_kind(kind)
    if document_kind.subject_defaults is not None and subject is not None:
        signer = document_kind.subject_defaults(bloc, subject)
    else:
        term = ChairTerm.objects.filter(bloc=bloc, year=year).select_related("chair").first()
        signer = document_kind.defaults(bloc, term)
    issuer_title = signer.issuer_title or bloc.name.upper()
    parent_body = signer.parent_body
    if parent_body is None:
        parent_body = bloc.organizing_body.name.upper() if bloc.organizing_body else ""
    return {
        "issuer": signer.issuer,
        "parent_body": parent_body,
        "issuer_title": issuer_title,
        "style": default_style(
            signer.issuer, in_own_name=issues_in_own_name(signer.issuer, issuer_title)
        ),
        "place": default_place(bloc, signer.issuer),
        "recipients": (
            default_recipients(bloc) if signer.recipients is None else signer.recipients
        ),
        "sign_mode": signer.sign_mode,
        "signer_position": signer.signer_position,
        "signer_name": signer.signer_name,
    }


def default_place(bloc: Bloc, issuer: Organization | None) -> str:
    """The place of the date line: the bloc's locality, else the issuer's."""
    return (bloc.locality or (issuer.locality if issuer is not None else "")).strip()


def proposed_in(bloc: Bloc, year: int, organization: Organization) -> bool:
    """Whether the bloc proposes `organization` for a commendation in `year`."""
    from pledges.models import Proposal

    return Proposal.objects.filter(
        pledge__bloc=bloc, pledge__year=year, organization=organization
    ).exists()


def check_signed_and_placed(draft: ReportDraft) -> None:
    """A document is built only with a signer's name and a place for its date line."""
    errors: dict[str, StrOrPromise] = {}
    if draft.document_kind.needs_signer and not (draft.signer_name or "").strip():
        errors["signer_name"] = NO_SIGNER
    if not (draft.place or "").strip():
        errors["place"] = NO_PLACE
    if errors:
        raise ValidationError(errors, code="incomplete")


@transaction.atomic
def draft_get_or_create(
    *,
    bloc: Bloc,
    year: int,
    kind: str,
    meeting: Meeting | None = None,
    subject: Organization | None = None,
    actor: Actor = None,
) -> ReportDraft:
    """The bloc's document of that kind and year (of that meeting, for minutes; of that
    proposed unit, for its achievement report)."""
    check_may_open(actor, bloc, year, subject)
    document_kind = get_kind(kind)
    kind = document_kind.code
    if document_kind.has_subject and subject is None:
        raise ValidationError({"subject": SUBJECT_NEEDED}, code="needs_subject")
    if not document_kind.has_subject and subject is not None:
        raise ValidationError({"subject": SUBJECT_NOT_FOR_KIND}, code="subject_not_for_kind")
    if subject is not None and not proposed_in(bloc, year, subject):
        raise ValidationError(
            {"subject": SUBJECT_NOT_PROPOSED % {"organization": subject, "year": year}},
            code="subject_not_proposed",
        )
    if document_kind.needs_meeting and meeting is None:
        raise ValidationError({"meeting": MINUTES_NEED_MEETING}, code="needs_meeting")
    if not document_kind.needs_meeting and meeting is not None:
        raise ValidationError({"meeting": MEETING_ONLY_FOR_MINUTES}, code="meeting_not_minutes")
    if meeting is not None and (meeting.bloc_id != bloc.pk or meeting.year != year):
        raise ValidationError({"meeting": MEETING_OF_ANOTHER_BLOC}, code="meeting_elsewhere")
    # The one being written; else the one in force (issued, not replaced).
    same = ReportDraft.objects.filter(
        bloc=bloc, year=year, kind=kind, meeting=meeting, subject=subject
    )
    found = (
        same.filter(status=ReportDraft.Status.DRAFT).first()
        or same.filter(status=ReportDraft.Status.ISSUED).order_by("-issued_at", "-pk").first()
    )
    if found is not None:
        return found
    draft = ReportDraft(
        bloc=bloc, year=year, kind=kind, meeting=meeting, subject=subject, updated_by=actor,
        **draft_defaults(bloc=bloc, year=year, kind=kind, subject=subject),
    )  # fmt: skip
    # Minutes are dated the day of their meeting and a pledge the day it was signed, not the
    # day someone prints them (the number then belongs to that year too).
    draft.issue_date = document_kind.document_day(bloc, year, meeting)
    draft.full_clean()
    stamp(draft, actor)
    draft.save()
    return draft


@transaction.atomic
def draft_update(*, draft: ReportDraft, actor: Actor = None, **fields: Any) -> ReportDraft:
    """Save the header, narrative, signature and recipients of a draft."""
    check_draft_writer(actor, draft)
    unknown = set(fields) - set(draft_fields(get_kind(draft.kind)))
    if unknown:
        raise TypeError(f"draft_update() got unexpected fields: {sorted(unknown)}")
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    check_not_issued(draft)
    issuer = fields.get("issuer", draft.issuer)
    if draft.subject_id is not None and getattr(issuer, "pk", None) != draft.subject_id:
        # A unit's own report is numbered in that unit's registry, never another's.
        raise ValidationError({"issuer": ISSUED_BY_ITS_UNIT}, code="issuer_not_subject")
    for name, value in fields.items():
        setattr(draft, name, value.strip() if isinstance(value, str) else value)
    draft.updated_by = actor
    draft.full_clean()
    stamp(draft, actor)
    draft.save()
    return draft


def check_not_issued(draft: ReportDraft) -> None:
    """An issued document is read-only: no edit, no rebuild (Decree 30, Art. 18.3)."""
    if draft.is_issued:
        raise ValidationError(DOCUMENT_READ_ONLY % {"symbol": draft.symbol}, code="issued")


def draft_preview_copy(draft: ReportDraft, **fields: Any) -> ReportDraft:
    """An unsaved copy of the draft with the given (not yet saved) fields, for the preview."""
    copy = ReportDraft.objects.select_related("bloc", "issuer", "style", "meeting").get(pk=draft.pk)
    allowed = draft_fields(get_kind(copy.kind))
    for name, value in fields.items():
        if name in allowed:
            setattr(copy, name, value)
    return copy


# Numbers -----------------------------------------------------------------------------------


def allocate_number(
    *, issuer: Organization | None = None, year: int, bloc: Bloc | None = None
) -> int:
    """The next number of the issuer's (or the bloc's own) series for the year. The UPDATE
    locks the row until commit, so two concurrent allocations queue up and never get the
    same number; drawn at issue only, so the series has no gaps."""
    owner: dict[str, Any] = {"bloc": bloc} if bloc is not None else {"issuer": issuer}
    sequence, _created = NumberSequence.objects.get_or_create(year=year, type_code="", **owner)
    NumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return sequence.last


# Requests ----------------------------------------------------------------------------------


def _template_version() -> str:
    from . import documents

    return str(getattr(documents, "TEMPLATE_VERSION", ""))


def input_digest(data: dict) -> str:
    """SHA-256 of what a PDF is made of: the gathered data and the template version."""
    payload = {"data": data, "template": _template_version()}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def gather(report: Report) -> dict:
    from . import documents

    return documents.gather(report)


def _enqueue(report_id: int) -> bool:
    """Send the build message; False if the broker is unreachable. Never raises: the row is
    saved and queued, and the periodic sweep sends it again once the broker is back, so a
    press of "Build" answers at once with "queued" instead of an error page."""
    from .tasks import build_report

    try:
        # retry=False: no reconnect loop inside the web request; the sweep is the retry.
        build_report.apply_async((report_id,), retry=False)
    except Exception as exc:  # kombu raises OperationalError, socket errors, timeouts
        logger.warning("report %s: not sent, the broker is unreachable (%s)", report_id, exc)
        return False
    return True


def _send_after_commit(report_id: int) -> None:
    # A named function, not functools.partial: Django logs a robust callback's failure by its
    # __qualname__, which a partial lacks (that AttributeError turned a broker outage into a 500).
    def send() -> None:
        _enqueue(report_id)

    transaction.on_commit(send, robust=True)


def _new_request(draft: ReportDraft, actor: Actor) -> tuple[Report, bool]:
    """(report, created): the pending or unchanged ready report of the draft, or a new
    queued one (saved). An issued document is never rebuilt (its issued version is)."""
    # Locking the draft serializes requests for it: two clicks never queue two builds.
    draft = (
        ReportDraft.objects.select_for_update(of=("self",))
        .select_related("bloc", "issuer", "style", "meeting")
        .get(pk=draft.pk)
    )
    check_not_issued(draft)
    check_signed_and_placed(draft)
    in_progress = draft.reports.filter(status__in=[Report.Status.QUEUED, Report.Status.RUNNING])
    pending = in_progress.first()
    if pending is not None:
        return pending, False
    report = Report(draft=draft, requested_by=actor)
    data = gather(report)
    digest = input_digest(data)
    existing = draft.reports.filter(status=Report.Status.READY, input_digest=digest).first()
    if existing is not None:
        return existing, False
    # The worker renders this very data: it is gathered once per build.
    report.data, report.input_digest = data, digest
    report.save()
    return report, True


@transaction.atomic
def report_request(*, draft: ReportDraft, actor: Actor = None) -> Report:
    """Ask for a PDF of the draft: the existing one if nothing changed, else a queued build."""
    check_draft_writer(actor, draft)
    report, created = _new_request(draft, actor)
    if created:
        _send_after_commit(report.pk)
    return report


@transaction.atomic
def report_build_now(*, draft: ReportDraft, actor: Actor = None) -> Report:
    """Build the PDF in this process, without the queue (demo data, scripts): the same
    request, claim and store as a worker's build, so the same rules hold."""
    check_draft_writer(actor, draft)
    report, created = _new_request(draft, actor)
    if created:
        claimed = report_claim(report_id=report.pk)
        if claimed is not None:  # None: another process claimed it first
            report_store(report=claimed)
        report.refresh_from_db()
    return report


def is_stuck(report: Report, *, now: datetime | None = None) -> bool:
    """Queued or running for longer than any build may take: its task was lost."""
    now = now or timezone.now()
    if report.status == Report.Status.RUNNING:
        since = report.heartbeat_at or report.started_at
        return since is not None and since < now - lease.lease()
    queued = report.status == Report.Status.QUEUED
    return queued and report.requested_at is not None and report.requested_at < now - stale_after()


@transaction.atomic
def report_retry(*, report: Report, actor: Actor = None) -> Report:
    """Put a failed (or stuck) build back in the queue with a fresh count of attempts."""
    check_draft_writer(actor, report.draft)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not (report.status == Report.Status.FAILED or is_stuck(report)):
        raise ValidationError(RETRY_NOT_ALLOWED, code="not_failed")
    report.status = Report.Status.QUEUED
    report.attempts = 0
    report.error = ""
    report.started_at = report.finished_at = None
    report.requested_by = actor or report.requested_by
    report.save(
        update_fields=["status", "attempts", "error", "started_at", "finished_at", "requested_by"]
    )
    _send_after_commit(report.pk)
    return report


def requeue_after() -> timedelta:
    """How long a queued report may wait before its message is presumed lost."""
    return timedelta(seconds=int(getattr(settings, "REPORT_REQUEUE_AFTER", 120)))


def reports_requeue_lost(*, now: datetime | None = None) -> list[int]:
    """Send the build task again for reports whose message may be lost (a broker restarted
    without persistence, a worker killed and never replaced): queued for longer than
    REPORT_REQUEUE_AFTER, or running with an expired lease (its worker died). A duplicate
    message is harmless: only one run can claim the row (`report_claim`). Each id is sent on
    its own, so one that cannot be sent does not stop the others. Returns the report ids."""
    now = now or timezone.now()
    lost = Report.objects.filter(
        Q(status=Report.Status.QUEUED, requested_at__lt=now - requeue_after()) | abandoned(now)
    )
    ids = list(lost.values_list("pk", flat=True))
    for report_id in ids:
        _send_after_commit(report_id)
    if ids:
        logger.warning("re-sent the build of reports %s (message presumed lost)", ids)
    return ids


# The worker's side -------------------------------------------------------------------------


def report_claim(
    *, report_id: int, previous_run_over: bool = False, now: datetime | None = None
) -> Report | None:
    """Take the report for this run with one conditional UPDATE, or None if it is not ours.

    Claimable: queued; or running when its previous run is known to be over (the message was
    redelivered after its worker died, or this is a retry of it) or its lease has expired.
    Each claim counts an attempt; past REPORT_MAX_ATTEMPTS the report fails instead.
    """
    now = now or timezone.now()
    running = Q(status=Report.Status.RUNNING) if previous_run_over else abandoned(now)
    claimable = Report.objects.filter(Q(status=Report.Status.QUEUED) | running, pk=report_id)
    claimed = claimable.filter(attempts__lt=max_attempts()).update(
        status=Report.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
    )
    if claimed:
        return Report.objects.select_related("draft__bloc", "draft__issuer", "draft__style").get(
            pk=report_id
        )
    # Out of attempts (a build that keeps crashing its worker): fail it with the last reason.
    for report in claimable.filter(attempts__gte=max_attempts()):
        last = report.error or _text(BUILD_WORKER_LOST)
        error = _text(BUILD_GAVE_UP, attempts=report.attempts, error=last)
        _finish_failed(report.pk, error=error, now=now)
    return None


def _finish_failed(
    report_id: int, *, error: str, now: datetime | None = None, attempt: int | None = None
) -> bool:
    active = Report.objects.filter(
        pk=report_id, status__in=[Report.Status.QUEUED, Report.Status.RUNNING]
    )
    if attempt is not None:
        active = active.filter(attempts=attempt)
    failed = bool(
        active.update(status=Report.Status.FAILED, error=error, finished_at=now or timezone.now())
    )
    if failed:
        # Whatever recorded the failure (the task, the claim giving up on a build that kept
        # losing its worker, a sweep): the one who asked is told. The task's own end-of-run
        # announcement reads the same row, and the notice's key makes the two one notice.
        emit("reports.build_over", report_id=report_id)
    return failed


def report_mark_ready(
    *,
    report: Report,
    pdf: bytes,
    page_count: int,
    digest: str,
    xlsx: bytes | None = None,
    docx: bytes | None = None,
) -> bool:
    """Store the PDF (and the DOCX, the score table) and mark the report ready, if this run
    still holds the claim."""
    report.pdf.save(f"{report.draft.kind}.pdf", ContentFile(pdf), save=False)
    if xlsx:
        report.xlsx.save(f"{report.draft.kind}.xlsx", ContentFile(xlsx), save=False)
    if docx:
        report.docx.save(f"{report.draft.kind}.docx", ContentFile(docx), save=False)
    try:
        won = Report.objects.filter(
            pk=report.pk, status=Report.Status.RUNNING, attempts=report.attempts
        ).update(
            status=Report.Status.READY,
            pdf=report.pdf.name,
            xlsx=report.xlsx.name or "",
            docx=report.docx.name or "",
            page_count=page_count,
            size=len(pdf),
            input_digest=digest,
            error="",
            finished_at=timezone.now(),
        )
    except Exception:
        # The database went away between writing the files and recording them: no row
        # points at them, so they go now (and the sweep catches any a crash leaves behind).
        _discard_files(report)
        raise
    if not won:  # another run took the report over: leave its file as the only one
        _discard_files(report)
        logger.warning("report %s: claim lost, the PDF of this run was discarded", report.pk)
        return False
    report.refresh_from_db()
    return True


def _discard_files(report: Report) -> None:
    for field in report_file_fields():
        file = getattr(report, field.name)
        if file:
            file.delete(save=False)


def report_file_fields() -> list[models.FileField]:
    return [f for f in Report._meta.get_fields() if isinstance(f, models.FileField)]


def referenced_files() -> set[str]:
    """Every file name a row of the reports app points at (all its models' file fields)."""
    names: set[str] = set()
    for model in apps.get_app_config("reports").get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                values = model._base_manager.exclude(**{field.name: ""}).values_list(
                    field.name, flat=True
                )
                names.update(name for name in values.iterator() if name)
    return names


def reports_sweep_orphans(*, older_than: timedelta | None = None) -> list[str]:
    """Delete files under MEDIA_ROOT/reports/ that no row points at (a worker or database
    that died between writing a file and recording it), so that backups of the media
    folder hold only documents. Files younger than `older_than` (REPORT_ORPHAN_AGE) are
    left alone: they may belong to a build that is about to record them."""
    age = older_than if older_than is not None else timedelta(seconds=settings.REPORT_ORPHAN_AGE)
    cutoff = timezone.now() - age
    referenced = referenced_files()
    removed = []
    for name in _stored_names("reports"):
        if name in referenced:
            continue
        try:
            if default_storage.get_modified_time(name) >= cutoff:
                continue
            default_storage.delete(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        removed.append(name)
    if removed:
        logger.warning("removed %s orphan document file(s) under reports/", len(removed))
    return removed


def _stored_names(top: str) -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(top)
    except FileNotFoundError:
        return
    for file in files:
        yield f"{top}/{file}"
    for folder in folders:
        yield from _stored_names(f"{top}/{folder}")


def report_mark_failed(*, report_id: int, error: str, attempt: int | None = None) -> bool:
    """Fail the report with a readable reason (earlier reports and PDFs stay as they are)."""
    return _finish_failed(report_id, error=error, attempt=attempt)


def report_note_problem(*, report: Report, error: str) -> bool:
    """A transient problem: note it and say whether another attempt is allowed.

    Out of attempts, the report fails now with the reason (the task then stops retrying)."""
    if report.attempts >= max_attempts():
        message = _text(BUILD_GAVE_UP, attempts=report.attempts, error=error)
        report_mark_failed(report_id=report.pk, error=message, attempt=report.attempts)
        return False
    Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).update(
        error=_text(BUILD_TEMPORARY_PROBLEM, error=error)
    )
    return True


class Rendered(NamedTuple):
    data: dict
    pdf: bytes
    page_count: int
    xlsx: bytes | None
    docx: bytes | None


def render(report: Report) -> Rendered:
    """Render the data gathered when the build was requested (gathered now for a row that
    has none) as HTML, then PDF and DOCX (from the same HTML), and the score table when its
    kind has one."""
    from . import documents, docx_builder, rendering, xlsx

    data = report.data
    if data is None or data.get("schema") != documents.SCHEMA:  # none, or an older shape
        data = documents.gather(report)
    html = documents.render_html(report, data)
    rendered = rendering.html_to_pdf(html)
    table = None
    kind = get_kind(data["kind"])
    if kind.has_spreadsheet:
        table = kind.spreadsheet(data) if kind.spreadsheet else xlsx.score_table_xlsx(data)
    docx = docx_builder.html_to_docx(html, title=" ".join(data.get("summary", [])))
    return Rendered(data, rendered.pdf, rendered.page_count, table, docx)


def report_store(*, report: Report) -> bool:
    """Build the claimed report's files and mark it ready (False: the claim was lost)."""
    built = render(report)
    return report_mark_ready(
        report=report,
        pdf=built.pdf,
        page_count=built.page_count,
        digest=input_digest(built.data),
        xlsx=built.xlsx,
        docx=built.docx,
    )


def report_failure_text(message: StrOrPromise, **params: object) -> str:
    return _text(message, **params)
