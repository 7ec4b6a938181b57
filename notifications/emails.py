"""The e-mails: one notice that cannot wait, or a person's daily digest; in the person's
language, text and HTML from templates/emails/, with a one-click unsubscribe link that needs
no login (RFC 8058 headers) and, for a meeting, its invitation attached (.ics: METHOD
REQUEST, or CANCEL once it is called off)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from blocs.calendars import invitation_method, meetings_calendar
from blocs.models import Meeting
from portal.lib.emails import make_message

from .kinds import Kind, Mode
from .models import EmailDelivery, Notification, Subscriber
from .services import ALL_KINDS, unsubscribe_token

MEETING_KINDS = {Kind.MEETING_SCHEDULED, Kind.MEETING_CHANGED, Kind.MEETING_CANCELLED}


def person_name(user: Any) -> str:
    """Family name first, as Vietnamese names are written."""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def absolute(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


def language_of(user: Any) -> str:
    found = Subscriber.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return found or settings.LANGUAGE_CODE


def _invitations(notices: list[Notification]) -> list[tuple[str, bytes, str]]:
    """(file name, .ics, method) per meeting of the notices, as the meeting stands when the
    e-mail leaves: a digest holding both its scheduling and its cancellation carries the
    cancellation only (one attachment per meeting, the latest SEQUENCE)."""
    ids = {n.params.get("meeting_id") for n in notices if n.kind in MEETING_KINDS}
    meetings = Meeting.objects.filter(pk__in=[i for i in ids if i]).select_related("bloc")
    found = []
    for m in meetings:
        method = invitation_method(m)
        url = absolute(m.get_absolute_url())
        found.append(
            (f"meeting-{m.pk}.ics", meetings_calendar([(m, url)], m.title, method=method), method)
        )
    return found


def delivery_message(delivery: EmailDelivery) -> EmailMultiAlternatives | None:
    notices = list(delivery.notifications.exclude(email=Mode.OFF).order_by("-created_at", "-pk"))
    if not notices:
        return None
    user = delivery.recipient
    is_digest = delivery.kind == EmailDelivery.Kind.DIGEST
    token = unsubscribe_token(user.pk, ALL_KINDS if is_digest else notices[0].kind)
    unsubscribe_url = absolute(reverse("notifications:unsubscribe", args=[token]))
    with translation.override(language_of(user)):
        context = {
            "name": person_name(user),
            "notices": [
                {"text": n.text, "detail": n.detail, "url": absolute(n.url), "at": n.created_at}
                for n in notices
            ],
            "notice": None,
            "day": delivery.day,
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": absolute(reverse("notifications:preferences")),
            "portal_url": absolute("/"),
        }
        context["notice"] = context["notices"][0]
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        }
        name = "digest" if is_digest else "notice"
        message = make_message(name, context, to=[delivery.to or user.email], headers=headers)
    for filename, content, method in _invitations(notices):
        message.attach(filename, content, f'text/calendar; method={method}; charset="utf-8"')
    return message
