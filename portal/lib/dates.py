"""Dates as the portal counts them: in its time zone (Asia/Ho_Chi_Minh), not the server's."""

from __future__ import annotations

from django.utils import timezone


def current_year() -> int:
    """The calendar year in the portal's time zone: a bloc's year turns at local midnight."""
    return timezone.localdate().year
