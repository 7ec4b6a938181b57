"""The kinds of notice: what each says (in the reader's language, from the parameters kept
on the row) and how it reaches people by default."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.lib.types import StrOrPromise


class Kind(models.TextChoices):
    PLEDGE_OPENED = "pledge_opened", _("A pledge is open for signing")
    DEADLINE_SOON = "deadline_soon", _("A deadline is coming")
    DEADLINE_TOMORROW = "deadline_tomorrow", _("A deadline is tomorrow")
    DEADLINE_PASSED = "deadline_passed", _("A deadline has passed")
    SHEET_RETURNED = "sheet_returned", _("A score sheet is sent back")
    SHEET_VERIFIED = "sheet_verified", _("A score sheet is verified")
    MEETING_SCHEDULED = "meeting_scheduled", _("A meeting is scheduled")
    MEETING_CHANGED = "meeting_changed", _("A meeting is changed")
    MEETING_CANCELLED = "meeting_cancelled", _("A meeting is cancelled")
    MEETING_HELD = "meeting_held", _("A meeting is held")
    MINUTES_APPROVED = "minutes_approved", _("Minutes are approved")
    CHAIR_ELECTED = "chair_elected", _("Your organization is elected chair")
    PROPOSAL_ADDED = "proposal_added", _("Your organization is proposed for a commendation")
    COUNCIL_DECIDED = "council_decided", _("The council decided on a proposal of your bloc")
    REPORT_READY = "report_ready", _("A document you asked for is ready")
    REPORT_FAILED = "report_failed", _("A document you asked for failed")
    REMINDER = "reminder", _("The secretariat sends a reminder")


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("In the daily digest")
    OFF = "off", _("No e-mail (in the portal only)")


@dataclass(frozen=True)
class KindInfo:
    text: StrOrPromise  # a %-format over the notice's params
    default: str = Mode.DIGEST


KINDS: dict[str, KindInfo] = {
    Kind.PLEDGE_OPENED: KindInfo(_("The pledge “%(pledge)s” of %(bloc)s is open for signing.")),
    Kind.DEADLINE_SOON: KindInfo(
        _("%(deadline)s of “%(pledge)s” is on %(date)s, in %(days)s days.")
    ),
    Kind.DEADLINE_TOMORROW: KindInfo(
        _("%(deadline)s of “%(pledge)s” is tomorrow, %(date)s."), Mode.IMMEDIATE
    ),
    Kind.DEADLINE_PASSED: KindInfo(_("%(deadline)s of “%(pledge)s” passed on %(date)s.")),
    Kind.SHEET_RETURNED: KindInfo(
        _("The secretariat sent the self-scoring of %(organization)s for “%(pledge)s” back."),
        Mode.IMMEDIATE,
    ),
    Kind.SHEET_VERIFIED: KindInfo(
        _("The secretariat verified the scores of %(organization)s for “%(pledge)s”.")
    ),
    Kind.MEETING_SCHEDULED: KindInfo(
        _("%(bloc)s scheduled “%(meeting)s” on %(date)s at %(place)s.")
    ),
    Kind.MEETING_CHANGED: KindInfo(_("“%(meeting)s” of %(bloc)s changed: %(date)s at %(place)s.")),
    # At once: people may be about to travel to it.
    Kind.MEETING_CANCELLED: KindInfo(
        _("“%(meeting)s” of %(bloc)s on %(date)s is cancelled."), Mode.IMMEDIATE
    ),
    Kind.MEETING_HELD: KindInfo(_("“%(meeting)s” of %(bloc)s was held; its minutes follow.")),
    Kind.MINUTES_APPROVED: KindInfo(_("The minutes of “%(meeting)s” of %(bloc)s are approved.")),
    Kind.CHAIR_ELECTED: KindInfo(
        _(
            "%(organization)s was elected chair of %(bloc)s for %(year)s: prepare the year's "
            "pledge and its launch meeting."
        )
    ),
    Kind.PROPOSAL_ADDED: KindInfo(
        _("%(organization)s is proposed for “%(title)s” in “%(pledge)s”.")
    ),
    Kind.COUNCIL_DECIDED: KindInfo(
        _("The council decided on the proposal of %(organization)s for “%(title)s”: %(status)s."),
        Mode.IMMEDIATE,
    ),
    Kind.REPORT_READY: KindInfo(_("The document “%(document)s” is ready to download.")),
    Kind.REPORT_FAILED: KindInfo(_("The document “%(document)s” could not be built.")),
    Kind.REMINDER: KindInfo(
        _("The secretariat of %(bloc)s reminds %(organization)s to %(step)s of “%(pledge)s”."),
        Mode.IMMEDIATE,
    ),
}

# What a reminder of the secretariat asks (a notice keeps the step's code, said in the
# reader's language when shown).
REMINDER_STEPS = {
    "sign": _("sign the pledge"),
    "register": _("submit the registration"),
    "self_score": _("submit the self-scoring"),
}

DEADLINES = {
    "registration": _("The registration deadline"),
    "scoring": _("The self-scoring deadline"),
    "verification": _("The verification deadline"),
}


def default_mode(kind: str) -> str:
    return KINDS[kind].default
