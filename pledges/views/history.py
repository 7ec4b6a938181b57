"""The "Lịch sử" page of a bloc's year, read-only (pledges/selectors/history.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from blocs.rules import get_bloc_or_404
from portal.lib.http import year_param

from ..selectors import history


@require_GET
def bloc_history(request: HttpRequest, pk: int) -> HttpResponse:
    year = year_param(request, ahead=1)
    bloc, access = get_bloc_or_404(request, pk, year=year)
    if not access.can_read_history:
        raise PermissionDenied
    page = history.history_page(bloc, year, request.GET.get("page"))
    context = {
        "bloc": bloc,
        "year": year,
        "page_obj": page,
        "entries": history.entries_of(page),
    }
    return render(request, "pledges/bloc_history.html", context)
