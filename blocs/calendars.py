"""iCalendar (RFC 5545) files of meetings: the downloads of the meeting pages, the personal
feeds people subscribe to, and the invitations e-mailed with a notice (METHOD REQUEST or
CANCEL, SEQUENCE from the meeting so a calendar replaces its copy)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta

from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from portal.lib.text import single_line

from .models import Meeting

PRODID = "-//Emulation bloc portal//vi"
ICS_TYPE = "text/calendar; charset=utf-8"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@emulation-portal"


def meeting_event(
    meeting: Meeting, url: str, *, alarm: bool = False, cancelled: bool = False
) -> Event:
    """One VEVENT; `url` is the absolute address of the meeting's page. `alarm` adds a
    reminder the day before. A cancelled meeting stays in every calendar as CANCELLED (a
    subscribed calendar then strikes it out instead of keeping the old entry)."""
    cancelled = cancelled or meeting.is_cancelled
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    ends_at = meeting.ends_at or meeting.starts_at + timedelta(hours=2)
    event.add("dtend", ends_at.astimezone(UTC))
    # One-line properties on one line whatever is stored (rows older than the form's check,
    # the admin, imports): a control character must never break the calendar file.
    event.add("summary", single_line(meeting.title))
    event.add("location", single_line(meeting.place))
    event.add("description", f"{single_line(meeting.bloc.name)}\n{meeting.get_kind_display()}")
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if alarm and not cancelled:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", single_line(meeting.title))
        reminder.add("trigger", timedelta(days=-1))
        event.add_component(reminder)
    return event


def invitation_method(meeting: Meeting) -> str:
    """The iTIP method of the invitation e-mailed for the meeting as it stands now."""
    return "CANCEL" if meeting.is_cancelled else "REQUEST"


def meetings_calendar(
    meetings: Iterable[tuple[Meeting, str]],
    name: str,
    *,
    method: str | None = None,
    alarm: bool = False,
) -> bytes:
    """The calendar of (meeting, absolute url) pairs. `method`: "REQUEST" or "CANCEL" for an
    invitation sent by e-mail (iTIP); none for a download or a feed."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", single_line(name))
    if method:
        calendar.add("method", method)
    for meeting, url in meetings:
        calendar.add_component(
            meeting_event(meeting, url, alarm=alarm, cancelled=method == "CANCEL")
        )
    return calendar.to_ical()
