from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def bell(request: HttpRequest) -> dict:
    """`unread_notices`: the signed-in person's unread count, one query, asked only when a
    template reads it (the navbar's bell, on every page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notices": 0}

    def count() -> int:
        from .services import unread_count

        return unread_count(user)

    return {"unread_notices": SimpleLazyObject(count)}
