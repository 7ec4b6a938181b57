"""Writes with rules for meetings: the record (people, attendance, agenda), its status
(held, approved, reopened), the decisions taken there (elections, membership changes) and
its attachments. Each write asks the policy for the meeting's year (`check_year_writer`).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.events import emit
from portal.lib.history import stamp
from portal.lib.types import Actor
from portal.lib.uploads import DOCUMENT_TYPES, IMAGE_TYPES, validate_upload

from ..models import (
    AgendaItem,
    Attendance,
    Bloc,
    ChairTerm,
    Meeting,
    MeetingAttachment,
    MeetingDecision,
    MeetingPerson,
    Membership,
    Organization,
)
from ..rules import check_year_writer, may_admit_new_member
from ..selectors import members_in
from .memberships import (
    chair_term_create,
    chair_term_update,
    membership_create,
    membership_end,
)

MEETING_LOCKED = _(
    "The minutes of this meeting are approved and read-only. Reopen them with a reason first."
)
MEETING_ENDS_BEFORE_START = _("The end must be after the start.")
MEETING_OUTSIDE_YEAR = _(
    "A meeting of kind “%(kind)s” for %(year)s must start between %(first)s and %(last)s."
)
ATTENDANCE_NOT_MEMBER = _("%(organization)s is not a member of the %(kind_word)s in %(year)s.")
ATTENDANCE_TWICE = _("%(organization)s is listed twice.")
APPROVE_NOT_HELD = _("Only a meeting that has been held can have its minutes approved.")
APPROVE_INCOMPLETE = _(
    "The minutes cannot be approved yet: the record lacks %(missing)s. Complete it first."
)
MISSING_PRESIDING = _("the presiding person (chair of the meeting)")
MISSING_SECRETARY = _("the secretary (minute-taker)")
MISSING_END = _("the end time")
DECISION_NEEDS_TEXT = _("Write the decision.")
DECISION_KIND_NOT_HERE = _(
    "Elections and membership changes are recorded with their own forms, which apply them."
)
HOLD_IN_FUTURE = _("A meeting that has not started yet cannot be marked as held.")
REOPEN_NOT_APPROVED = _("Only approved minutes can be reopened.")
REOPEN_NEEDS_REASON = _("Give the reason for reopening the approved minutes.")
MEETING_CANCELLED = _("This meeting is cancelled; it can no longer be changed.")
CANCEL_NOT_PLANNED = _("Only a meeting that has not been held can be cancelled.")
CANCEL_NEEDS_REASON = _("Give the reason for cancelling the meeting.")
ELECTION_TERM_EXISTS = _(
    "%(bloc)s already has a %(chair_word)s for %(year)s (%(chair)s). Confirm to replace it."
)
ELECTION_NEEDS_CHAIR = _("Choose the organization elected as %(chair_word)s.")
JOIN_ALREADY_MEMBER = _("%(organization)s is already a member in %(year)s.")
LEAVE_NOT_MEMBER = _(
    "%(organization)s is not a member in %(year)s, so it cannot leave the %(kind_word)s then."
)
JOIN_NEW_ORGANIZATION = _(
    "%(organization)s has never been a member of this bloc: adding a new member organization "
    "is an admin action (ask the portal's administrator)."
)
REJOIN_TOO_EARLY = _(
    "%(organization)s was a member from %(first)s to %(last)s; it can rejoin the %(kind_word)s "
    "from %(next)s at the earliest."
)
LEAVE_SAME_YEAR_IT_JOINED = _(
    "%(organization)s joined in %(year)s; it can leave the %(kind_word)s from %(next)s at the "
    "earliest."
)


def _check_unlocked(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError(MEETING_CANCELLED, code="cancelled")
    if meeting.is_locked:
        raise ValidationError(MEETING_LOCKED, code="locked")


def meeting_year_window(kind: str, year: int) -> tuple[date, date]:
    """When a meeting of `kind` for emulation year `year` may start.

    A year-end review of year N is held from late N to the first quarter of N+1
    (Lê Chân reviewed 2020 on 07/01/2021); a launch of N may come in December of N-1.
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    if kind == Meeting.Kind.YEAR_END:
        last = date(year + 1, 3, 31)
    elif kind == Meeting.Kind.LAUNCH:
        first = date(year - 1, 12, 1)
    return first, last


def check_meeting_times(
    kind: str, year: int, starts_at: datetime, ends_at: datetime | None
) -> None:
    errors: dict[str, object] = {}
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = MEETING_ENDS_BEFORE_START
    first, last = meeting_year_window(kind, year)
    start_day = timezone.localtime(starts_at).date()
    if not first <= start_day <= last:
        errors["starts_at"] = MEETING_OUTSIDE_YEAR % {
            "kind": Meeting.Kind(kind).label,
            "year": year,
            "first": first.strftime("%d/%m/%Y"),
            "last": last.strftime("%d/%m/%Y"),
        }
    if errors:
        raise ValidationError(errors, code="invalid_times")


MEETING_FIELDS = ("year", "kind", "title", "starts_at", "ends_at", "place", "host")


@transaction.atomic
def meeting_create(*, bloc: Bloc, actor: Actor = None, **fields: Any) -> Meeting:
    """Create a planned meeting; `fields` are MEETING_FIELDS."""
    check_year_writer(actor, bloc, fields["year"])
    check_meeting_times(fields["kind"], fields["year"], fields["starts_at"], fields.get("ends_at"))
    meeting = Meeting(bloc=bloc, **{k: fields.get(k) for k in MEETING_FIELDS})
    meeting.full_clean()
    stamp(meeting, actor)
    meeting.save()
    emit("blocs.meeting_scheduled", meeting=meeting, actor=actor)
    return meeting


# A change of these reaches the invited: the calendar copy is replaced (SEQUENCE grows).
INVITATION_FIELDS = ("title", "starts_at", "ends_at", "place")


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor: Actor = None, **fields: Any) -> Meeting:
    """Change the meeting's own fields (MEETING_FIELDS, minutes, conclusions)."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    if "year" in fields:
        check_year_writer(actor, meeting.bloc, fields["year"])
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_unlocked(meeting)
    before = {name: getattr(meeting, name) for name in INVITATION_FIELDS}
    for name, value in fields.items():
        if name not in (*MEETING_FIELDS, "minutes", "conclusions"):
            raise TypeError(f"meeting_update() got an unexpected field {name!r}")
        setattr(meeting, name, value)
    check_meeting_times(meeting.kind, meeting.year, meeting.starts_at, meeting.ends_at)
    meeting.full_clean()
    changed = [n for n in INVITATION_FIELDS if getattr(meeting, n) != before[n]]
    if changed:
        meeting.sequence += 1
    stamp(meeting, actor)
    meeting.save()
    if changed:
        emit("blocs.meeting_changed", meeting=meeting, changed=changed, actor=actor)
    return meeting


def _sync_rows(
    model: type[models.Model], meeting: Meeting, rows: list[dict], key: str, actor: Actor
) -> None:
    """Make the meeting's `model` rows equal `rows`, matched on `key`; history keeps each change."""
    existing = {getattr(obj, key): obj for obj in model._default_manager.filter(meeting=meeting)}
    seen = set()
    for data in rows:
        ident = data.get(key)
        obj = existing.get(ident) if ident is not None else None
        obj = obj or model(meeting=meeting)
        changed = obj.pk is None
        for name, value in data.items():
            if name != "id" and getattr(obj, name, None) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            obj.full_clean(exclude=["meeting"])
            stamp(obj, actor)
            obj.save()
        seen.add(getattr(obj, key))
    for ident, obj in existing.items():
        if ident not in seen:
            stamp(obj, actor)
            obj.delete()


@transaction.atomic
def meeting_save_attendance(*, meeting: Meeting, rows: list[dict], actor: Actor = None) -> None:
    """Record attendance; every organization must be a member in the meeting's year."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_unlocked(meeting)
    member_ids = {o.pk for o in members_in(meeting.bloc, meeting.year)}
    seen = set()
    for row in rows:
        org = row["organization"]
        params = {"organization": org, "year": meeting.year, "kind_word": meeting.bloc.kind_word}
        if org.pk not in member_ids:
            raise ValidationError(ATTENDANCE_NOT_MEMBER % params, code="not_member")
        if org.pk in seen:
            raise ValidationError(ATTENDANCE_TWICE % params, code="duplicate")
        seen.add(org.pk)
    keyed = [{**row, "organization_id": row["organization"].pk} for row in rows]
    for row in keyed:
        # A reason belongs to an absence: a member marked present keeps none.
        if row.get("status", Attendance.Status.PRESENT) == Attendance.Status.PRESENT:
            row["absence_reason"] = ""
        elif "absence_reason" in row:
            row["absence_reason"] = (row["absence_reason"] or "").strip()
    for row in keyed:
        del row["organization"]
    _sync_rows(Attendance, meeting, keyed, "organization_id", actor)


@transaction.atomic
def meeting_mark_all_present(*, meeting: Meeting, actor: Actor = None) -> int:
    """Record every member of the meeting's year as present (the usual case, in one step);
    what was recorded of each representative stays. Returns how many members changed
    (newly recorded, or recorded absent before)."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    recorded = {a.organization_id: a for a in Attendance.objects.filter(meeting=meeting)}
    rows = []
    changed = 0
    for organization in members_in(meeting.bloc, meeting.year):
        found = recorded.get(organization.pk)
        if found is None or found.status != Attendance.Status.PRESENT:
            changed += 1
        rows.append({"organization": organization, "status": Attendance.Status.PRESENT})
    # every recorded row keeps its other fields: _sync_rows sets only what a row names
    meeting_save_attendance(meeting=meeting, rows=rows, actor=actor)
    return changed


@transaction.atomic
def meeting_save_people(*, meeting: Meeting, rows: list[dict], actor: Actor = None) -> None:
    """Rows: role, name, position, organization, order, and `id` for existing people."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_unlocked(meeting)
    _sync_rows(MeetingPerson, meeting, rows, "id", actor)


@transaction.atomic
def meeting_save_agenda(*, meeting: Meeting, rows: list[dict], actor: Actor = None) -> None:
    """Rows: order, title, presenter, outcome, and `id` for existing items."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_unlocked(meeting)
    _sync_rows(AgendaItem, meeting, rows, "id", actor)


@transaction.atomic
def meeting_save_record(
    *,
    meeting: Meeting,
    people: list[dict],
    attendance: list[dict],
    agenda: list[dict],
    actor: Actor = None,
) -> None:
    """Save people, attendance and agenda together: one refusal keeps all three unchanged."""
    meeting_save_people(meeting=meeting, rows=people, actor=actor)
    meeting_save_attendance(meeting=meeting, rows=attendance, actor=actor)
    meeting_save_agenda(meeting=meeting, rows=agenda, actor=actor)


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor: Actor = None) -> Meeting:
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_unlocked(meeting)
    if meeting.starts_at > timezone.now():
        raise ValidationError(HOLD_IN_FUTURE, code="future")
    meeting.status = Meeting.Status.HELD
    stamp(meeting, actor)
    meeting.save()
    emit("blocs.meeting_held", meeting=meeting, actor=actor)
    return meeting


def approval_missing(meeting: Meeting) -> list[object]:
    """What approved minutes need and the record lacks: the presiding person(s), the
    secretary and the end time (else the approved record prints "…" and "… giờ …")."""
    roles = set(meeting.people.values_list("role", flat=True))
    missing: list[object] = []
    if MeetingPerson.Role.PRESIDING not in roles:
        missing.append(MISSING_PRESIDING)
    if MeetingPerson.Role.SECRETARY not in roles:
        missing.append(MISSING_SECRETARY)
    if meeting.ends_at is None:
        missing.append(MISSING_END)
    return missing


@transaction.atomic
def meeting_approve(*, meeting: Meeting, actor: Actor = None) -> Meeting:
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(APPROVE_NOT_HELD, code="not_held")
    missing = approval_missing(meeting)
    if missing:
        raise ValidationError(
            APPROVE_INCOMPLETE % {"missing": ", ".join(str(m) for m in missing)},
            code="incomplete",
        )
    meeting.status = Meeting.Status.APPROVED
    meeting.approved_at = timezone.now()
    meeting.approved_by = actor
    stamp(meeting, actor)
    meeting.save()
    emit("blocs.minutes_approved", meeting=meeting, actor=actor)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, actor: Actor = None) -> Meeting:
    """Call a planned meeting off: it stays in the lists as cancelled, its calendar entry
    becomes CANCELLED with a higher SEQUENCE, and the members are told why."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(CANCEL_NOT_PLANNED, code="not_planned")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": CANCEL_NEEDS_REASON}, code="no_reason")
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason
    meeting.sequence += 1
    stamp(meeting, actor, reason)
    meeting.save()
    emit("blocs.meeting_cancelled", meeting=meeting, reason=reason, actor=actor)
    return meeting


@transaction.atomic
def meeting_reopen(*, meeting: Meeting, reason: str, actor: Actor = None) -> Meeting:
    """Approved minutes become editable again; the reason stays in the history."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.APPROVED:
        raise ValidationError(REOPEN_NOT_APPROVED, code="not_approved")
    if not (reason or "").strip():
        raise ValidationError({"reason": REOPEN_NEEDS_REASON}, code="no_reason")
    meeting.status = Meeting.Status.HELD
    meeting.approved_at = None
    meeting.approved_by = None
    stamp(meeting, actor, reason)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_elect_chair(
    *,
    meeting: Meeting,
    chair: Organization | None,
    deputy: Organization | None,
    replace: bool = False,
    actor: Actor = None,
) -> ChairTerm:
    """Record the election of next year's chair and deputy and apply it to the chair terms.

    An existing term for that year is replaced only when `replace` is given,
    after the user has seen what it replaces.
    """
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_unlocked(meeting)
    if chair is None:
        raise ValidationError(
            {"chair": ELECTION_NEEDS_CHAIR % {"chair_word": meeting.bloc.chair_word}},
            code="no_chair",
        )
    year = meeting.year + 1
    term = ChairTerm.objects.filter(bloc=meeting.bloc, year=year).select_related("chair").first()
    if term is not None and not replace:
        raise ValidationError(
            ELECTION_TERM_EXISTS
            % {
                "bloc": meeting.bloc,
                "year": year,
                "chair": term.chair,
                "chair_word": meeting.bloc.chair_word,
            },
            code="term_exists",
        )
    note = _("Elected at “%(meeting)s”.") % {"meeting": meeting}
    if term is None:
        term = chair_term_create(
            bloc=meeting.bloc,
            year=year,
            chair=chair,
            deputy=deputy,
            method=ChairTerm.Method.ELECTION,
            note=note,
            actor=actor,
        )
    else:
        term = chair_term_update(
            term=term,
            chair=chair,
            deputy=deputy,
            method=ChairTerm.Method.ELECTION,
            note=note,
            actor=actor,
        )
    term.elected_at = meeting
    term.save(update_fields=["elected_at"])
    # Kept as data: the minutes write the sentence in Vietnamese whatever the recorder's
    # language (an English session used to store "Elected for 2025: chair …").
    MeetingDecision.objects.create(
        meeting=meeting,
        kind=MeetingDecision.Kind.ELECTION,
        year=year,
        organization=chair,
        deputy=deputy,
        chair_term=term,
        decided_by=actor,
    )
    emit("blocs.chair_elected", term=term, meeting=meeting, actor=actor)
    return term


@transaction.atomic
def meeting_change_membership(
    *,
    meeting: Meeting,
    organization: Organization,
    joins: bool,
    from_year: int,
    actor: Actor = None,
) -> Membership:
    """An organization joins the bloc from `from_year`, or leaves it from `from_year` on."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_unlocked(meeting)
    bloc = meeting.bloc
    params = {
        "organization": organization,
        "year": from_year,
        "next": from_year + 1,
        "kind_word": bloc.kind_word,
    }
    current = (
        Membership.objects.filter(bloc=bloc, organization=organization).active_in(from_year).first()
    )
    if joins:
        if current is not None:
            raise ValidationError(JOIN_ALREADY_MEMBER % params, code="already_member")
        earlier = list(Membership.objects.filter(bloc=bloc, organization=organization))
        # A rejoin starts after the earlier membership ended (the new one is open-ended, so
        # starting inside or before it would make the two overlap).
        clash = max(
            (m for m in earlier if m.last_year is not None and m.last_year >= from_year),
            key=lambda m: m.last_year or 0,
            default=None,
        )
        if clash is not None:
            raise ValidationError(
                REJOIN_TOO_EARLY
                % {
                    **params,
                    "first": clash.first_year,
                    "last": clash.last_year,
                    "next": (clash.last_year or 0) + 1,
                },
                code="rejoin_overlaps",
            )
        if not earlier and not may_admit_new_member(actor, bloc):
            raise ValidationError(JOIN_NEW_ORGANIZATION % params, code="new_organization")
        last_order = (
            Membership.objects.filter(bloc=bloc)
            .order_by("-rotation_order")
            .values_list("rotation_order", flat=True)
            .first()
        )
        membership = membership_create(
            bloc=bloc,
            organization=organization,
            first_year=from_year,
            rotation_order=(last_order or 0) + 1,
            actor=actor,
        )
        kind = MeetingDecision.Kind.JOIN
    else:
        if current is None:
            raise ValidationError(LEAVE_NOT_MEMBER % params, code="not_member")
        if current.first_year >= from_year:
            raise ValidationError(
                LEAVE_SAME_YEAR_IT_JOINED
                % {**params, "year": current.first_year, "next": current.first_year + 1},
                code="too_early",
            )
        membership = membership_end(membership=current, last_year=from_year - 1, actor=actor)
        kind = MeetingDecision.Kind.LEAVE
    MeetingDecision.objects.create(
        meeting=meeting,
        kind=kind,
        year=from_year,
        organization=organization,
        membership=membership,
        decided_by=actor,
    )
    return membership


@transaction.atomic
def meeting_record_decision(
    *, meeting: Meeting, kind: str, year: int | None = None, text: str = "", actor: Actor = None
) -> MeetingDecision:
    """Record a decision that changes nothing else: the adoption of the pledge, the approval
    of the ranking (of `year`, the meeting's by default) or a free-text decision (`text`)."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    meeting = Meeting.objects.select_for_update().select_related("bloc").get(pk=meeting.pk)
    _check_unlocked(meeting)
    text = " ".join((text or "").split())
    if kind not in (
        MeetingDecision.Kind.PLEDGE,
        MeetingDecision.Kind.RANKING,
        MeetingDecision.Kind.OTHER,
    ):
        raise ValidationError({"kind": DECISION_KIND_NOT_HERE}, code="bad_kind")
    if kind == MeetingDecision.Kind.OTHER:
        if not text:
            raise ValidationError({"text": DECISION_NEEDS_TEXT}, code="no_text")
        year = None
    else:
        year = year or meeting.year
        text = ""
    decision = MeetingDecision(
        meeting=meeting, kind=kind, year=year, summary=text, decided_by=actor
    )
    decision.full_clean(exclude=["meeting", "decided_by"])
    stamp(decision, actor)
    decision.save()
    return decision


ATTACHMENT_LOCKED = _(
    "The minutes are approved: only signed scans can still be attached. Reopen them to add "
    "other files."
)


@transaction.atomic
def attachment_add(
    *, meeting: Meeting, kind: str, title: str, uploaded: UploadedFile, actor: Actor = None
) -> MeetingAttachment:
    """Attach a checked file. Signed scans may follow approval: they are made after it."""
    check_year_writer(actor, meeting.bloc, meeting.year)
    if meeting.is_locked and kind != MeetingAttachment.Kind.SIGNED_SCAN:
        raise ValidationError(ATTACHMENT_LOCKED, code="locked")
    allowed = IMAGE_TYPES if kind == MeetingAttachment.Kind.PHOTO else DOCUMENT_TYPES
    try:
        content_type = validate_upload(uploaded, allowed)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}, code=exc.code) from exc
    name = Path(uploaded.name or "").name
    attachment = MeetingAttachment(
        meeting=meeting,
        kind=kind,
        title=title or name,
        original_name=name[:255],
        content_type=content_type,
        size=uploaded.size or 0,
        uploaded_by=actor,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    stamp(attachment, actor)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: MeetingAttachment, actor: Actor = None) -> None:
    check_year_writer(actor, attachment.meeting.bloc, attachment.meeting.year)
    _check_unlocked(attachment.meeting)
    # Remove the file only once the row is gone for good.
    name, storage = attachment.file.name, attachment.file.storage
    stamp(attachment, actor)  # the history's deletion row names who deleted it
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
