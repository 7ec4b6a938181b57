"""Request helpers shared by the views of every app."""

from __future__ import annotations

from django.conf import settings
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
