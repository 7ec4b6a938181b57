"""The dashboard: the user's organization, blocs and what needs their attention."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from blocs import selectors
from blocs.models import current_year


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    dashboard = selectors.dashboard(request.user, current_year())
    return render(request, "portal/home.html", {"dashboard": dashboard})
