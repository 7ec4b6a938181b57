"""Request helpers shared by the views of every app."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseNotAllowed
from django.views.decorators.http import require_http_methods

from .dates import current_year

# A page with a form: GET shows it, POST saves it; anything else is 405.
GET_POST = require_http_methods(["GET", "POST"])

# How far ahead a ?year= may point: far enough to prepare the coming years.
YEARS_AHEAD = 10


def year_param(request: HttpRequest, *, ahead: int = YEARS_AHEAD) -> int:
    """?year=, when it is a year the portal can hold; this year otherwise."""
    year = request.GET.get("year", "")
    if year.isdigit() and settings.PORTAL_FIRST_YEAR <= int(year) <= current_year() + ahead:
        return int(year)
    return current_year()


def post_only(request: HttpRequest) -> HttpResponseNotAllowed | None:
    """405 for anything but POST; asked after the access check, so that the access matrix
    tells outsiders (404) and members (403) apart before the method matters."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person behind the request, for the login throttling (django-axes'
    AXES_CLIENT_IP_CALLABLE).

    With no trusted proxy (TRUSTED_PROXY_COUNT=0) it is the connection's own address: a
    client can write any X-Forwarded-For, so the header is never read. Behind N trusted
    proxies, each appends the address it received the request from (nginx's
    `$proxy_add_x_forwarded_for`), so the client is the N-th address from the right; what
    the client wrote itself sits further left and is ignored. A request that did not pass
    through all of them (too few addresses, or one that is not an address) counts as the
    connection's."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < proxies:
        return remote
    candidate = chain[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def report_count(request: HttpRequest, do: Callable[[], int], said: Callable[[int], str]) -> None:
    """Run a bulk service that answers how many rows it changed, for a view that redirects
    afterwards either way: its refusal (a ValidationError) becomes one error message, and its
    count the success message `said(count)` (an ngettext in the caller, so that the words
    stay where makemessages finds them)."""
    try:
        count = do()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, said(count))
