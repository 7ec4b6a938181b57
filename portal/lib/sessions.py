"""Idle and absolute session timeouts.

Django alone keeps a session for SESSION_COOKIE_AGE after its last save, however long the
browser sat unused. This middleware ends a logged-in session
- after settings.SESSION_IDLE_TIMEOUT seconds without a request (idle), and
- settings.SESSION_COOKIE_AGE seconds after the login, whatever the activity (absolute).
The person is logged out, told why on the login page, and comes back to the page asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

LOGIN_AT = "_portal_login_at"
SEEN_AT = "_portal_seen_at"
# The last-seen time is saved at most this often, so that a busy page does not write its
# session row on every request.
SEEN_RESOLUTION = 60

IDLE_MESSAGE = gettext_noop(
    "You were logged out after a period without activity. Please log in again."
)
ABSOLUTE_MESSAGE = gettext_noop("Your session has reached its maximum length. Please log in again.")


def start_clock(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """On login (the user_logged_in signal): both clocks start now, whatever the session held
    before (a login again in the same browser restarts the absolute age too)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT)
        if login_at is None or seen_at is None:
            # A session from before this middleware, or a login that sent no signal.
            session[LOGIN_AT] = now if login_at is None else login_at
            session[SEEN_AT] = now
            return
        if now - login_at >= settings.SESSION_COOKIE_AGE:
            self._end(request, _(ABSOLUTE_MESSAGE))
        elif now - seen_at >= settings.SESSION_IDLE_TIMEOUT:
            self._end(request, _(IDLE_MESSAGE))
        elif now - seen_at >= SEEN_RESOLUTION:
            session[SEEN_AT] = now

    def _end(self, request: HttpRequest, message: str) -> None:
        logout(request)  # flushes the session; LoginRequiredMiddleware then asks for a login
        messages.info(request, message)
