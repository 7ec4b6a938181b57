"""The dashboard: the user's organization, blocs and what needs their attention."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from blocs import selectors
from blocs.models import current_year
from pledges.selectors import pledge_tasks


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    year = current_year()
    dashboard = selectors.dashboard(request.user, year)
    tasks = pledge_tasks(
        organization_id=dashboard.official.organization_id if dashboard.official else None,
        bloc_ids=[card.bloc.pk for card in dashboard.cards],
        secretariat_bloc_ids={card.bloc.pk for card in dashboard.cards if card.is_secretariat},
        year=year,
        today=timezone.localdate(),
    )
    return render(request, "portal/home.html", {"dashboard": dashboard, "tasks": tasks})
