"""Writes with rules for the end of a sheet's drafting: submitting it, and the
secretariat sending a submitted self-scoring back to its member.

The actor is asked for through the policy like every scoring write (`scoring.py`): a
sheet is submitted by whoever writes it, and sent back by the secretariat only
(PermissionDenied; `actor: Actor = None` is the system itself).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Organization
from portal.lib.events import emit
from portal.lib.history import stamp
from portal.lib.types import Actor

from .. import rules
from ..models import Evidence, Pledge, ScoreSheet
from .scoring import (
    _check_scoring,
    _day,
    _leaves,
    _lock_sheet,
    _reference,
    _submitted_day,
    check_sheet_writer,
    sheet_for,
)

__all__ = [
    "DEADLINE_PASSED",
    "EVIDENCE_MISSING",
    "NOT_SCORED",
    "RETURN_AFTER_DEADLINE",
    "RETURN_NEEDS_REASON",
    "RETURN_NOT_SUBMITTED",
    "RETURN_VERIFIED",
    "SHEET_ALREADY_SUBMITTED",
    "REMINDER_BAD_STEP",
    "REMINDER_NOBODY",
    "REMINDER_NOT_NOW",
    "REMINDER_STEPS",
    "VERIFY_ALL_NOT_SELF_VERIFIED",
    "reminder_candidates",
    "reminder_fits",
    "reminders_send",
    "sheets_verify_all",
    "verifiable_members",
    "sheet_return",
    "sheet_submit",
]

SHEET_ALREADY_SUBMITTED = _("This sheet was already submitted on %(date)s.")
NOT_SCORED = _("Not every criterion is scored yet: %(codes)s.")
EVIDENCE_MISSING = _("Evidence is required for %(codes)s; upload it before submitting.")
DEADLINE_PASSED = _("The self-scoring deadline was %(date)s; the sheet can no longer be submitted.")
RETURN_NOT_SUBMITTED = _(
    "The self-scoring of %(organization)s is not submitted: there is nothing to send back."
)
RETURN_VERIFIED = _(
    "The verification of %(organization)s was submitted on %(date)s: its self-scoring can "
    "no longer be sent back."
)
RETURN_AFTER_DEADLINE = _(
    "The self-scoring deadline was %(date)s: %(organization)s could not submit again. Move "
    "the deadline in the pledge's rules first."
)
RETURN_NEEDS_REASON = _("Say what %(organization)s should correct: the member reads it.")


@transaction.atomic
def sheet_submit(
    *, sheet: ScoreSheet, actor: Actor = None, today: date | None = None
) -> ScoreSheet:
    """Submit a sheet: every leaf scored (on a verification sheet, a criterion left alone
    keeps the submitted self-score), evidence where required (self sheets), and a self
    sheet no later than the pledge's scoring deadline (inclusive)."""
    sheet = _lock_sheet(sheet)
    check_sheet_writer(actor, sheet)
    pledge = sheet.pledge
    _check_scoring(pledge)
    if sheet.is_submitted:
        raise ValidationError(
            SHEET_ALREADY_SUBMITTED % {"date": _submitted_day(sheet)}, code="already_submitted"
        )
    is_self = sheet.round == ScoreSheet.Round.SELF
    today = today or timezone.localdate()
    if is_self and pledge.scoring_deadline and today > pledge.scoring_deadline:
        raise ValidationError(
            DEADLINE_PASSED % {"date": _day(pledge.scoring_deadline)}, code="deadline_passed"
        )
    leaves = sorted(_leaves(pledge).values(), key=lambda c: c.code)
    scored = set(sheet.scores.values_list("criterion_id", flat=True))
    if sheet.round == ScoreSheet.Round.VERIFIED:
        # Verification re-scores what it disputes; the rest stands as self-scored.
        scored |= set(_reference(sheet))
    missing = [c.code for c in leaves if c.pk not in scored]
    if missing:
        raise ValidationError(NOT_SCORED % {"codes": ", ".join(missing)}, code="not_scored")
    if is_self:
        with_evidence = set(
            Evidence.objects.filter(score__sheet=sheet).values_list(
                "score__criterion_id", flat=True
            )
        )
        no_evidence = [c.code for c in leaves if c.evidence_required and c.pk not in with_evidence]
        if no_evidence:
            raise ValidationError(
                EVIDENCE_MISSING % {"codes": ", ".join(no_evidence)}, code="evidence_missing"
            )
    sheet.status = ScoreSheet.Status.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.submitted_by = actor
    stamp(sheet, actor)
    sheet.save()
    if sheet.round == ScoreSheet.Round.VERIFIED:
        emit("pledges.sheet_verified", sheet=sheet, actor=actor)
    return sheet


@transaction.atomic
def sheet_return(
    *, sheet: ScoreSheet, reason: str, actor: Actor = None, today: date | None = None
) -> ScoreSheet:
    """The secretariat sends a submitted self-scoring sheet back to its member as a draft,
    saying what to correct (a member cannot take back what it submitted). Not once the
    member's verification is submitted (it was made from these scores), nor after the
    self-scoring deadline (the member could not submit again). Scores and evidence stay;
    the reason is shown on the sheet and kept in the history."""
    sheet = _lock_sheet(sheet)
    pledge = sheet.pledge
    rules.check_manages(actor, pledge)
    _check_scoring(pledge)
    names = {"organization": sheet.organization}
    if sheet.round != ScoreSheet.Round.SELF or not sheet.is_submitted:
        raise ValidationError(RETURN_NOT_SUBMITTED % names, code="not_submitted")
    verified = ScoreSheet.objects.filter(
        pledge=pledge,
        organization=sheet.organization_id,
        round=ScoreSheet.Round.VERIFIED,
        status=ScoreSheet.Status.SUBMITTED,
    ).first()
    if verified is not None:
        day = _submitted_day(verified)
        raise ValidationError(RETURN_VERIFIED % {**names, "date": day}, code="verified")
    today = today or timezone.localdate()
    if pledge.scoring_deadline and today > pledge.scoring_deadline:
        day = _day(pledge.scoring_deadline)
        raise ValidationError(RETURN_AFTER_DEADLINE % {**names, "date": day}, code="deadline")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": RETURN_NEEDS_REASON % names}, code="no_reason")
    sheet.status = ScoreSheet.Status.DRAFT
    sheet.submitted_at = sheet.submitted_by = None
    sheet.returned_at = timezone.now()
    sheet.return_reason = reason
    stamp(sheet, actor, reason)
    sheet.save()
    emit("pledges.sheet_returned", sheet=sheet, reason=reason, actor=actor)
    return sheet


VERIFY_ALL_NOT_SELF_VERIFIED = _(
    "Accepting the self-scores as verified is for years scored by the members and verified "
    "by the secretariat; this year is cross-scored."
)


def verifiable_members(pledge: Pledge) -> list[Organization]:
    """The members whose self-scores are submitted and not yet verified (their verification
    sheet missing or a draft), in the bloc's order (2 queries)."""
    submitted = ScoreSheet.objects.filter(
        pledge=pledge, round=ScoreSheet.Round.SELF, status=ScoreSheet.Status.SUBMITTED
    ).select_related("organization")
    verified = set(
        ScoreSheet.objects.filter(
            pledge=pledge, round=ScoreSheet.Round.VERIFIED, status=ScoreSheet.Status.SUBMITTED
        ).values_list("organization_id", flat=True)
    )
    return [s.organization for s in submitted if s.organization_id not in verified]


@transaction.atomic
def sheets_verify_all(*, pledge: Pledge, actor: Actor = None, today: date | None = None) -> int:
    """The secretariat accepts every submitted, not yet verified self-scoring as it is: each
    member's verification sheet is submitted through `sheet_submit` (a criterion the
    secretariat did not re-score keeps the submitted self-score; one it did re-score keeps
    the verified value). All or nothing: the first refusal undoes the others. Returns how
    many members were verified."""
    rules.check_manages(actor, pledge)
    _check_scoring(pledge)
    if pledge.is_cross_scored:
        raise ValidationError(VERIFY_ALL_NOT_SELF_VERIFIED, code="cross_scored")
    members = verifiable_members(pledge)
    for organization in members:
        sheet = sheet_for(
            pledge=pledge, organization=organization, round=ScoreSheet.Round.VERIFIED, actor=actor
        )
        sheet_submit(sheet=sheet, actor=actor, today=today)
    return len(members)


# Reminders of the secretariat (issue 12) ----------------------------------------------------

REMINDER_STEPS = ("sign", "register", "self_score")
REMINDER_BAD_STEP = _("Choose what to remind the members of.")
REMINDER_NOBODY = _("Choose at least one member that has not done it yet.")
REMINDER_NOT_NOW = _("This reminder does not fit the year's stage now.")


def reminder_candidates(pledge: Pledge, step: str) -> list[Organization]:
    """The members that have not done `step` yet (signed the pledge, submitted their
    registration or their self-scoring), in the bloc's order (2 queries)."""
    from blocs.selectors import members_in

    from ..models import PledgeSignature, Registration

    done: QuerySet
    if step == "sign":
        done = PledgeSignature.objects.filter(pledge=pledge)
    elif step == "register":
        done = Registration.objects.filter(pledge=pledge, submitted_at__isnull=False)
    else:
        done = ScoreSheet.objects.filter(
            pledge=pledge, round=ScoreSheet.Round.SELF, status=ScoreSheet.Status.SUBMITTED
        )
    finished = set(done.values_list("organization_id", flat=True))
    return [org for org in members_in(pledge.bloc, pledge.year) if org.pk not in finished]


def reminder_fits(pledge: Pledge, step: str) -> bool:
    if step == "sign":
        return pledge.status == Pledge.Status.OPEN
    if step == "register":
        return pledge.status in (Pledge.Status.OPEN, Pledge.Status.SIGNED, Pledge.Status.SCORING)
    return pledge.status == Pledge.Status.SCORING


@transaction.atomic
def reminders_send(
    *, pledge: Pledge, step: str, organization_ids: list[int], actor: Actor = None
) -> int:
    """The secretariat reminds several members at once of a step they have not done; the
    notifications app tells their officials (event "pledges.reminder_sent"). Only members
    that have not done it are reminded; returns how many organizations."""
    rules.check_manages(actor, pledge)
    if step not in REMINDER_STEPS:
        raise ValidationError(REMINDER_BAD_STEP, code="bad_step")
    if not reminder_fits(pledge, step):
        raise ValidationError(REMINDER_NOT_NOW, code="not_now")
    wanted = {int(pk) for pk in organization_ids}
    organizations = [org for org in reminder_candidates(pledge, step) if org.pk in wanted]
    if not organizations:
        raise ValidationError(REMINDER_NOBODY, code="nobody")
    emit(
        "pledges.reminder_sent",
        pledge=pledge,
        step=step,
        organizations=organizations,
        sent_at=timezone.now(),
        actor=actor,
    )
    return len(organizations)
