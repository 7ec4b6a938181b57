"""The dashboard: the user's organization, blocs and what needs their attention."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from blocs import selectors
from blocs.models import current_year
from pledges.selectors import next_year_preparations, pledge_tasks


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    year = current_year()
    dashboard = selectors.dashboard(request.user, year)
    organization_id = dashboard.official.organization_id if dashboard.official else None
    tasks = pledge_tasks(
        organization_id=organization_id,
        bloc_ids=[card.bloc.pk for card in dashboard.cards],
        secretariat_bloc_ids={card.bloc.pk for card in dashboard.cards if card.is_secretariat},
        year=year,
        today=timezone.localdate(),
    )
    # The incoming chair: the user's organization chairs next year (blocs/rules.py makes its
    # officials next year's secretariat), so the dashboard lists what to prepare for it.
    incoming = [
        card.next_term
        for card in dashboard.cards
        if card.next_term is not None and card.next_term.chair_id == organization_id
    ]
    context = {
        "dashboard": dashboard,
        "tasks": tasks,
        "preparations": next_year_preparations(incoming),
    }
    return render(request, "portal/home.html", context)
