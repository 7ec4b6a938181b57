from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import official_of


def official(request: HttpRequest) -> dict:
    """`current_official`: the signed-in person's official record with its organization
    (`official_of`, kept for the request), read only when a template asks (the navbar's
    name and organization, on every page); None for anyone without one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_official": None}
    return {"current_official": SimpleLazyObject(lambda: official_of(user))}
