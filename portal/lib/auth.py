"""Login throttling: django-axes' backend, for every login that comes with a request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a login while the account or the address is locked out (django-axes).

    Every login form of the portal and of the admin passes the request. A call without one
    (Django's test client `login()`, a shell) has no address to count and is not a login
    attempt from the web: it is left to the next backend instead of raising, which is what
    axes' own backend does.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
