"""The one helper that renders an outgoing e-mail from its template family:
`emails/<name>-subject.txt`, `emails/<name>-body.txt` and `emails/<name>-body.html`
(as healthchecks' hc/lib/emails.py does). Render it inside `translation.override` for the
reader's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def make_message(
    name: str,
    context: dict[str, Any],
    *,
    to: list[str],
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    rendered = render_to_string(f"emails/{name}-subject.txt", context)
    subject = " ".join(rendered.split())  # one line: a header cannot hold a newline
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, to, headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    return message
