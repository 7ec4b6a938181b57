"""Writes with rules for the evidence of self-scoring sheets, and the one save of a sheet
with its files (the self-scoring page's "Save" and "Submit…").

The actor is asked for through the policy (`pledges.rules`, PermissionDenied): whoever
writes the self sheet changes its evidence; once the sheet is submitted, only the
secretariat does (not as the member's own official). `actor: Actor = None` is the system itself,
whose `as_secretariat` says which it acts as.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from blocs.models import Organization
from portal.lib.history import stamp
from portal.lib.types import Actor
from portal.lib.uploads import DOCUMENT_TYPES, validate_upload

from .. import rules
from ..models import Criterion, Evidence, Pledge, Score, ScoreSheet
from .scoring import _check_scoring, _lock_sheet, _submitted_day, sheet_for, sheet_save_grid

__all__ = [
    "EVIDENCE_LOCKED",
    "EVIDENCE_NEEDS_POINTS",
    "EVIDENCE_QUOTA",
    "SheetSaved",
    "evidence_add",
    "evidence_delete",
    "sheet_save_with_evidence",
]

EVIDENCE_LOCKED = _(
    "The sheet was submitted on %(date)s; only the secretariat can change its evidence now."
)
EVIDENCE_NEEDS_POINTS = _("%(code)s: enter its points before attaching evidence (“%(name)s”).")
EVIDENCE_QUOTA = _(
    "This score already has %(count)s evidence files, the most one score may hold "
    "(%(limit)s): delete one before adding “%(name)s”."
)


def _check_evidence_writable(sheet: ScoreSheet, actor: Actor, as_secretariat: bool) -> None:
    """The actor may change the sheet's evidence (PermissionDenied otherwise); once the
    sheet is submitted, only as the secretariat (the policy says who that is; for the
    system, `actor: Actor = None`, the caller's `as_secretariat`)."""
    if actor is not None:
        found = rules.PledgeAccess(actor, sheet.pledge)
        if not found.may_change_evidence(sheet):
            raise PermissionDenied
        as_secretariat = found.edits_as_secretariat(sheet.organization)
    _check_scoring(sheet.pledge)
    if sheet.is_submitted and not as_secretariat:
        raise ValidationError(
            EVIDENCE_LOCKED % {"date": _submitted_day(sheet)}, code="sheet_submitted"
        )


@transaction.atomic
def evidence_add(
    *, score: Score, uploaded: UploadedFile, actor: Actor = None, as_secretariat: bool = False
) -> Evidence:
    """Attach a checked file (size limit, content sniffing) to a score of an unsubmitted
    sheet; the secretariat (not as the member's own official) also after that."""
    sheet = _lock_sheet(score.sheet)
    _check_evidence_writable(sheet, actor, as_secretariat)
    # The sheet's row is locked: two uploads at once cannot both pass the quota.
    count = Evidence.objects.filter(score=score).count()
    limit = settings.PORTAL_EVIDENCE_MAX_FILES
    if count >= limit:
        names = {"count": count, "limit": limit, "name": Path(uploaded.name or "").name}
        raise ValidationError({"file": [EVIDENCE_QUOTA % names]}, code="evidence_quota")
    try:
        content_type = validate_upload(uploaded, DOCUMENT_TYPES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}, code=exc.code) from exc
    # Past validate_upload the file has a name with a known extension and a size above 0.
    evidence = Evidence(
        score=score,
        original_name=Path(uploaded.name or "").name[:255],
        content_type=content_type,
        size=uploaded.size or 0,
        uploaded_by=actor,
    )
    evidence.file.save(uploaded.name or "", uploaded, save=False)
    stamp(evidence, actor)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(
    *, evidence: Evidence, actor: Actor = None, as_secretariat: bool = False
) -> None:
    sheet = _lock_sheet(evidence.score.sheet)
    _check_evidence_writable(sheet, actor, as_secretariat)
    # Remove the file only once the row is gone for good.
    name, storage = evidence.file.name, evidence.file.storage
    stamp(evidence, actor)  # the history's deletion row names who deleted it
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# The sheet with its files, in one step -----------------------------------------------------


@dataclass(frozen=True)
class SheetSaved:
    """What `sheet_save_with_evidence` did: the sheet (created if it was missing) and one
    message per refused file (empty when every file was stored)."""

    sheet: ScoreSheet
    refused: tuple[str, ...] = ()


@transaction.atomic
def sheet_save_with_evidence(
    *,
    pledge: Pledge,
    organization: Organization,
    round: str,
    scorer: Organization | None = None,
    rows: list[dict[str, Any]],
    files: Sequence[tuple[Criterion, UploadedFile]] = (),
    reason: str = "",
    actor: Actor = None,
) -> SheetSaved:
    """Save a sheet's rows and attach its uploaded files, in one transaction.

    The rows are all or nothing (`sheet_save_grid`: a ValidationError keyed by criterion
    code, and nothing is written, files included). A file is then checked on its own: one
    that is refused (not a real document, too large, or for a criterion left without
    points) does not undo the scores nor the other files; its message comes back in
    `SheetSaved.refused` ("A2: …"), as the page has always said "the scores are saved, but
    some files were refused"."""
    sheet = sheet_for(
        pledge=pledge, organization=organization, round=round, scorer=scorer, actor=actor
    )
    sheet_save_grid(sheet=sheet, rows=rows, reason=reason, actor=actor)
    if not files:
        return SheetSaved(sheet)
    scores = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
    refused: list[str] = []
    for criterion, upload in files:
        score = scores.get(criterion.pk)
        if score is None:
            names = {"code": criterion.code, "name": upload.name}
            refused.append(str(EVIDENCE_NEEDS_POINTS % names))
            continue
        try:
            evidence_add(score=score, uploaded=upload, actor=actor)
        except ValidationError as exc:
            refused.append(f"{criterion.code}: {' '.join(exc.messages)}")
    return SheetSaved(sheet, tuple(refused))
