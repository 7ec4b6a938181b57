"""What each announced event tells whom. The recipients come from the access policy
(`blocs.rules`: the members of a bloc in a year, its secretariat, an organization's
officials); the person who caused the event is not told about it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from blocs import rules as bloc_rules
from blocs.models import ChairTerm, Meeting
from pledges.models import CouncilDecision, Pledge, Proposal, ScoreSheet
from portal.lib import events
from portal.lib.types import Actor
from reports.models import Report

from .kinds import Kind
from .services import day, notify


def _ids(people) -> list[int]:
    return list(people.values_list("pk", flat=True))


def pledge_opened(*, pledge: Pledge, actor: Actor = None, **_: Any) -> None:
    notify(
        recipients=_ids(bloc_rules.members_of(pledge.bloc, pledge.year)),
        kind=Kind.PLEDGE_OPENED,
        event_key=f"pledge-opened:{pledge.pk}",
        url=pledge.get_absolute_url(),
        params={"pledge": pledge.title, "bloc": pledge.bloc.name},
        exclude=actor,
    )


def sheet_returned(*, sheet: ScoreSheet, reason: str, actor: Actor = None, **_: Any) -> None:
    pledge = sheet.pledge
    notify(
        recipients=_ids(bloc_rules.officials_of([sheet.organization_id])),
        kind=Kind.SHEET_RETURNED,
        # Each sending back is its own event (a sheet may go back twice).
        event_key=f"sheet-returned:{sheet.pk}:{sheet.returned_at.isoformat()}",
        url=reverse("pledges:self_score", args=[pledge.pk]),
        params={"organization": str(sheet.organization), "pledge": pledge.title},
        detail=reason,
        exclude=actor,
    )


def sheet_verified(*, sheet: ScoreSheet, actor: Actor = None, **_: Any) -> None:
    pledge = sheet.pledge
    notify(
        recipients=_ids(bloc_rules.officials_of([sheet.organization_id])),
        kind=Kind.SHEET_VERIFIED,
        event_key=f"sheet-verified:{sheet.pk}:{sheet.submitted_at.isoformat()}",
        url=reverse("pledges:results", args=[pledge.pk]),
        params={"organization": str(sheet.organization), "pledge": pledge.title},
        exclude=actor,
    )


def proposal_added(*, proposal: Proposal, actor: Actor = None, **_: Any) -> None:
    pledge = proposal.pledge
    notify(
        recipients=_ids(bloc_rules.officials_of([proposal.organization_id])),
        kind=Kind.PROPOSAL_ADDED,
        event_key=f"proposal:{proposal.pk}",
        url=reverse("pledges:proposals", args=[pledge.pk]),
        params={
            "organization": str(proposal.organization),
            "title": str(proposal.title),
            "pledge": pledge.title,
        },
        exclude=actor,
    )


def council_decided(*, decision: CouncilDecision, actor: Actor = None, **_: Any) -> None:
    """The bloc's secretariat learns the council's decision (and its reason) on a proposal."""
    proposal = decision.proposal
    pledge = proposal.pledge
    notify(
        recipients=_ids(bloc_rules.secretariat_of(pledge.bloc, pledge.year)),
        kind=Kind.COUNCIL_DECIDED,
        # Each decision is its own event (the council may change it).
        event_key=f"council-decided:{decision.pk}:{decision.decided_at.isoformat()}",
        url=reverse("pledges:proposals", args=[pledge.pk]),
        params={
            "organization": str(proposal.organization),
            "title": str(proposal.title),
            "status": str(decision.get_status_display()).lower(),
        },
        detail=decision.reason,
        exclude=actor,
    )


def _meeting_params(meeting: Meeting) -> dict[str, Any]:
    return {
        "meeting": meeting.title,
        "meeting_id": meeting.pk,
        "bloc": meeting.bloc.name,
        "date": f"{timezone.localtime(meeting.starts_at):%H:%M} {day(meeting.starts_at)}",
        "place": meeting.place,
    }


def _meeting_notice(meeting: Meeting, kind: str, key: str, actor: Actor) -> None:
    notify(
        recipients=_ids(bloc_rules.members_of(meeting.bloc, meeting.year)),
        kind=kind,
        event_key=key,
        url=meeting.get_absolute_url(),
        params=_meeting_params(meeting),
        exclude=actor,
    )


def meeting_scheduled(*, meeting: Meeting, actor: Actor = None, **_: Any) -> None:
    _meeting_notice(meeting, Kind.MEETING_SCHEDULED, f"meeting:{meeting.pk}:0", actor)


def meeting_changed(*, meeting: Meeting, actor: Actor = None, **_: Any) -> None:
    key = f"meeting:{meeting.pk}:{meeting.sequence}"
    _meeting_notice(meeting, Kind.MEETING_CHANGED, key, actor)


def meeting_cancelled(*, meeting: Meeting, reason: str, actor: Actor = None, **_: Any) -> None:
    notify(
        recipients=_ids(bloc_rules.members_of(meeting.bloc, meeting.year)),
        kind=Kind.MEETING_CANCELLED,
        event_key=f"meeting:{meeting.pk}:{meeting.sequence}",
        url=meeting.get_absolute_url(),
        params=_meeting_params(meeting),
        detail=reason,
        exclude=actor,
    )


def meeting_held(*, meeting: Meeting, actor: Actor = None, **_: Any) -> None:
    _meeting_notice(meeting, Kind.MEETING_HELD, f"meeting-held:{meeting.pk}", actor)


def minutes_approved(*, meeting: Meeting, actor: Actor = None, **_: Any) -> None:
    key = f"minutes-approved:{meeting.pk}:{meeting.approved_at.isoformat()}"
    _meeting_notice(meeting, Kind.MINUTES_APPROVED, key, actor)


def chair_elected(*, term: ChairTerm, actor: Actor = None, **_: Any) -> None:
    notify(
        recipients=_ids(bloc_rules.officials_of([term.chair_id])),
        kind=Kind.CHAIR_ELECTED,
        event_key=f"chair-elected:{term.bloc_id}:{term.year}:{term.chair_id}",
        url=term.bloc.get_absolute_url(),
        params={"organization": str(term.chair), "bloc": term.bloc.name, "year": term.year},
        exclude=actor,
    )


def report_build_over(*, report_id: int | None, **_: Any) -> None:
    report = Report.objects.filter(pk=report_id).select_related("draft__bloc").first()
    if report is None or report.requested_by_id is None:
        return
    if report.status == Report.Status.READY:
        kind, url = Kind.REPORT_READY, report.get_absolute_url()
    elif report.status == Report.Status.FAILED:
        kind, url = Kind.REPORT_FAILED, report.draft.get_absolute_url()
    else:
        return  # still queued or running: a retry comes
    # A failure is keyed by when it was recorded: two announcements of one failure are one
    # notice, while a retried build that fails again is a new one.
    key = f"report:{report.pk}:{report.status}"
    if kind == Kind.REPORT_FAILED and report.finished_at is not None:
        key += f":{report.finished_at.isoformat()}"
    notify(
        recipients=[report.requested_by_id],
        kind=kind,
        event_key=key,
        url=url,
        params={"document": str(report.draft)},
        detail=report.error if kind == Kind.REPORT_FAILED else "",
    )


def reminder_sent(
    *, pledge: Pledge, step: str, organizations: list, sent_at, actor: Actor = None, **_: Any
) -> None:
    """The secretariat reminds members of a step they have not done: each organization's
    officials get it (one event per organization and sending)."""
    pages = {"sign": "pledges:pledge_sign", "register": "pledges:registration"}
    url = reverse(pages.get(step, "pledges:self_score"), args=[pledge.pk])
    for organization in organizations:
        notify(
            recipients=_ids(bloc_rules.officials_of([organization.pk])),
            kind=Kind.REMINDER,
            event_key=f"reminder:{pledge.pk}:{step}:{organization.pk}:{sent_at.isoformat()}",
            url=url,
            params={
                "bloc": pledge.bloc.name,
                "organization": str(organization),
                "pledge": pledge.title,
                "step": step,
            },
            exclude=actor,
        )


LISTENERS = {
    "pledges.reminder_sent": reminder_sent,
    "pledges.pledge_opened": pledge_opened,
    "pledges.sheet_returned": sheet_returned,
    "pledges.sheet_verified": sheet_verified,
    "pledges.proposal_added": proposal_added,
    "pledges.council_decided": council_decided,
    "blocs.meeting_scheduled": meeting_scheduled,
    "blocs.meeting_changed": meeting_changed,
    "blocs.meeting_cancelled": meeting_cancelled,
    "blocs.meeting_held": meeting_held,
    "blocs.minutes_approved": minutes_approved,
    "blocs.chair_elected": chair_elected,
    "reports.build_over": report_build_over,
}


def register() -> None:
    for name, listener in LISTENERS.items():
        events.listen(name, listener)
