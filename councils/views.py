"""The council's pages. Who sees what is the policy's (`blocs.rules.may_read_council`,
`pledges.rules.may_decide_for_council`): someone not on the body's council that year gets a
404 for its page; on a proposal, whoever reads its bloc but does not decide for the council
gets a 403. The writes are the services' (`pledges.services.council`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blocs.models import Organization, current_year
from blocs.rules import council_bodies, may_read_council
from pledges import rules as pledge_rules
from pledges import services
from pledges.models import Pledge, Proposal, ProposalHold
from portal.lib.forms import add_service_errors
from portal.lib.http import GET_POST

from .forms import DecisionForm, HoldForm, LiftForm
from .selectors import council_page, filtered, pledge_years
from .xlsx import council_xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def council_list(request: HttpRequest) -> HttpResponse:
    """The bodies whose council the user sits on, each with the years its blocs have a
    pledge for, newest first, and this year (2 queries)."""
    bodies = list(council_bodies(request.user))
    years = pledge_years([body.pk for body in bodies])
    this_year = current_year()
    rows = [(body, sorted({this_year, *years.get(body.pk, ())}, reverse=True)) for body in bodies]
    return render(request, "councils/council_list.html", {"rows": rows})


def _body_or_404(request: HttpRequest, body: int, year: int) -> Organization:
    if not may_read_council(request.user, body, year):
        raise Http404
    bodies = Organization.objects.filter(pk=body, organized_blocs__isnull=False).distinct()
    return get_object_or_404(bodies)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
def council_detail(request: HttpRequest, body: int, year: int) -> HttpResponse:
    organization = _body_or_404(request, body, year)
    page = council_page(organization, year)
    bloc, title = _int(request.GET.get("bloc")), _int(request.GET.get("title"))
    status = request.GET.get("status", "")
    context = {
        "page": page,
        "body": organization,
        "year": year,
        "rows": filtered(page, bloc=bloc, status=status, title=title),
        "chosen": {"bloc": bloc, "status": status, "title": title},
        "statuses": _status_choices(),
        "years": range(year - 2, year + 2),
    }
    return render(request, "councils/council_detail.html", context)


def _status_choices() -> list[tuple[str, str]]:
    from pledges.models import CouncilDecision

    decisions = CouncilDecision.Status.choices
    return [("undecided", _("Not decided")), *decisions, ("hold", _("Under a hold"))]


@require_GET
def council_xlsx(request: HttpRequest, body: int, year: int) -> HttpResponse:
    organization = _body_or_404(request, body, year)
    response = HttpResponse(council_xlsx_bytes(council_page(organization, year)), content_type=XLSX)
    filename = f"hoi-dong-thi-dua-{organization.pk}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _proposal_or_404(request: HttpRequest, pk: int) -> Proposal:
    """A proposal of a year the user reads (404 otherwise), which the user decides on for
    the council (403 otherwise)."""
    visible = Pledge.objects.visible_to(request.user)
    proposal = get_object_or_404(
        Proposal.objects.filter(pledge__in=visible).select_related(
            "pledge__bloc", "organization", "title"
        ),
        pk=pk,
    )
    if not pledge_rules.may_decide_for_council(request.user, proposal.pledge):
        raise PermissionDenied
    return proposal


def _back(proposal: Proposal) -> str:
    pledge = proposal.pledge
    url = reverse("councils:detail", args=[pledge.bloc.organizing_body_id, pledge.year])
    return f"{url}#proposal-{proposal.pk}"


def _form_page(request, template: str, form, done: str, save, proposal: Proposal, **extra):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(_back(proposal))
    context = {
        "form": form,
        "proposal": proposal,
        "back": _back(proposal),
        "own": pledge_rules.decides_own_proposal(request.user, proposal.organization_id),
        **extra,
    }
    return render(request, template, context)


@GET_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(request, pk)
    initial = {"status": request.GET.get("status", "")}
    form = DecisionForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        "councils/decide.html",
        form,
        _("The council's decision has been recorded."),
        lambda data: services.council_decide(
            proposal=proposal, status=data["status"], reason=data["reason"], actor=request.user
        ),
        proposal,
    )


@GET_POST
def hold(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(request, pk)
    form = HoldForm(request.POST or None)
    return _form_page(
        request,
        "councils/hold.html",
        form,
        _("The proposal is on hold."),
        lambda data: services.council_hold(
            proposal=proposal, reason=data["reason"], text=data["text"], actor=request.user
        ),
        proposal,
    )


@GET_POST
def lift(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Pledge.objects.visible_to(request.user)
    found = get_object_or_404(
        ProposalHold.objects.filter(proposal__pledge__in=visible).select_related("proposal"),
        pk=pk,
    )
    proposal = _proposal_or_404(request, found.proposal_id)
    form = LiftForm(request.POST or None)
    return _form_page(
        request,
        "councils/lift.html",
        form,
        _("The hold has been lifted."),
        lambda data: services.council_lift_hold(
            hold=found, reason=data["lift_reason"], actor=request.user
        ),
        proposal,
        hold=found,
    )
