"""Results pages: ballots, proposals, the score table and ranking, xlsx, charts.

Access is the policy's (`pledges.rules`): every member of the bloc reads them (404 for
outsiders); recording and deleting ballots and proposals is the secretariat's (403 for
members), never in a closed year. The pages read everything in a fixed number of queries
(`pledges.selectors.results_pages`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blocs.models import Organization
from portal.lib.http import GET_POST
from portal.lib.spreadsheets import xlsx_response

from .. import rules, selectors, services
from ..charts import chart_group_points, chart_rank_history
from ..forms import scoring as f
from ..models import Ballot, Pledge, Proposal
from ..ranking import compute_results, rank_series
from ..selectors.results_pages import ballots_of, proposal_groups, results_page
from ..selectors.score_table import score_table
from ..xlsx import proposals_xlsx as proposals_xlsx_file
from ..xlsx import score_table_xlsx, table_title
from ._access import add_after_post, closed_notice, delete_after_confirm, member_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Ballots ----------------------------------------------------------------------------------


@GET_POST
def ballots(request: HttpRequest, pk: int) -> HttpResponse:
    """Members read the ballots and their outcomes; the secretariat records them."""
    pledge, found = rules.get_pledge_or_404(request, pk, need=_need(request))
    members = selectors.members_of(pledge)
    form, candidates = _ballot_forms(request, pledge, members)
    if request.method == "POST":
        response = add_after_post(
            request,
            notice=closed_notice(pledge),
            forms=[form, candidates],
            save=lambda: services.ballot_record(
                pledge=pledge,
                actor=request.user,
                candidates=f.candidate_rows(candidates),
                **form.cleaned_data,
            ),
            done=_("The ballot has been recorded."),
            back=reverse("pledges:ballots", args=[pledge.pk]),
        )
        if response is not None:
            return response
    _name_candidates(candidates, members)
    context = {"pledge": pledge, "ballots": ballots_of(pledge), "form": form}
    context |= {"candidates": candidates, **_roles(pledge, found)}
    return render(request, "pledges/ballots.html", context)


def _need(request: HttpRequest) -> rules.PledgeNeed:
    """Reading for everyone; a post is the secretariat's."""
    return "manage" if request.method == "POST" else "read"


def _roles(pledge: Pledge, found: rules.PledgeAccess) -> dict:
    return {
        "access": found,
        "secretariat": found.secretariat,
        "can_write": found.can_manage,
        "notice": closed_notice(pledge),
    }


def _ballot_forms(request: HttpRequest, pledge: Pledge, members: list[Organization]):
    """The ballot form (the review meeting by default) and one vote row per member."""
    initial: dict = {"members_total": len(members), "purpose": Ballot.Purpose.LEADING}
    if pledge.review_meeting_id:
        initial["meeting"] = pledge.review_meeting_id
        # Present is the review's attendance; the service checks it against the meeting.
        found = services.attended(pledge.review_meeting_id)
        if found is not None:
            initial["present"] = initial["issued"] = found[0]
    form = f.BallotForm(request.POST or None, pledge=pledge, initial=initial)
    candidates = f.CandidateFormSet(
        request.POST or None,
        prefix="candidates",
        initial=[{"organization": org} for org in members],
        form_kwargs={"members": members},
    )
    return form, candidates


def _name_candidates(candidates, members: list[Organization]) -> None:
    """Each vote row gets its organization, for the row's label in the template."""
    names = {org.pk: org for org in members}
    for row in candidates:
        org = row.initial.get("organization")
        row.org = names.get(getattr(org, "pk", org))


def _get_for_secretariat(request: HttpRequest, objects, pk: int):
    """A ballot or proposal of a pledge the user may read (404 otherwise), with the user's
    access, for the secretariat of its year only (403 for the other members)."""
    visible = rules.visible_pledges(request.user)
    found = get_object_or_404(objects.filter(pledge__in=visible), pk=pk)
    access = rules.PledgeAccess(request.user, found.pledge, readable=True)
    if not access.secretariat:
        raise PermissionDenied
    return found, access


def _delete_from_results(request: HttpRequest, access, *, page: str, **confirm):
    """Ask, then delete; back to the results page (`page`) it was listed on."""
    pledge = access.pledge
    back = reverse(page, args=[pledge.pk])
    return delete_after_confirm(
        request, pledge, back=back, active="results", access=access, **confirm
    )


@GET_POST
def ballot_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ballot, access = _get_for_secretariat(
        request, Ballot.objects.select_related("pledge__bloc"), pk
    )
    text = _(
        "Delete the ballot “%(title)s” and its votes? Proposals that cite it keep their place "
        "without the ballot."
    ) % {"title": ballot.title}
    return _delete_from_results(
        request,
        access,
        page="pledges:ballots",
        delete=lambda: services.ballot_delete(ballot=ballot, actor=request.user),
        done=_("The ballot has been deleted."),
        title=_("Delete ballot"),
        text=text,
    )


# Proposals --------------------------------------------------------------------------------


@GET_POST
def proposals(request: HttpRequest, pk: int) -> HttpResponse:
    """Members read the proposals and quota usage; the secretariat adds them."""
    pledge, found = rules.get_pledge_or_404(request, pk, need=_need(request))
    members = selectors.members_of(pledge)
    form = f.ProposalForm(request.POST or None, pledge=pledge, members=members)
    if request.method == "POST":
        response = add_after_post(
            request,
            notice=closed_notice(pledge),
            forms=[form],
            save=lambda: services.proposal_add(
                pledge=pledge, actor=request.user, **form.cleaned_data
            ),
            done=_("The proposal has been added."),
            back=reverse("pledges:proposals", args=[pledge.pk]),
        )
        if response is not None:
            return response
    context = {"pledge": pledge, "groups": proposal_groups(pledge, members), "form": form}
    context |= _roles(pledge, found)
    return render(request, "pledges/proposals.html", context)


@GET_POST
def proposal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    related = Proposal.objects.select_related("pledge__bloc", "organization", "title")
    proposal, access = _get_for_secretariat(request, related, pk)
    text = _("Delete the proposal of %(organization)s for %(title)s?") % {
        "organization": proposal.organization,
        "title": proposal.title,
    }
    return _delete_from_results(
        request,
        access,
        page="pledges:proposals",
        delete=lambda: services.proposal_delete(proposal=proposal, actor=request.user),
        done=_("The proposal has been deleted."),
        title=_("Delete proposal"),
        text=text,
    )


# Results ----------------------------------------------------------------------------------


@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    pledge, found = rules.get_pledge_or_404(request, pk)
    page = results_page(pledge, found)
    context = {
        "pledge": pledge,
        "results": page.results,
        "rows": page.rows,
        "tie_notes": page.tie_notes,
        "ballots": page.ballots,
        "groups": page.groups,
        "own": page.own,
        "access": found,
        "secretariat": found.secretariat,
        "any_scored": page.any_scored,
    }
    return render(request, "pledges/results.html", context)


@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    pledge, _found = rules.get_pledge_or_404(request, pk)
    table = score_table(pledge)
    content = score_table_xlsx(table, title=table_title(pledge.year), subtitle=pledge.bloc.name)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"ket-qua-thi-dua-{pledge.year}-khoi-{pledge.bloc_id}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def proposals_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    pledge, _found = rules.get_pledge_or_404(request, pk)
    groups = proposal_groups(pledge, selectors.members_of(pledge))
    content = proposals_xlsx_file(pledge, groups)
    return xlsx_response(content, f"de-nghi-khen-thuong-{pledge.year}-khoi-{pledge.bloc_id}.xlsx")


def _svg(content: str) -> HttpResponse:
    response = HttpResponse(content, content_type="image/svg+xml; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def chart_groups(request: HttpRequest, pk: int) -> HttpResponse:
    pledge, _found = rules.get_pledge_or_404(request, pk)
    computed = compute_results(pledge)
    computed.members = [m for m in computed.members if m.scored]
    return _svg(chart_group_points(computed, empty_text=_("No scores yet.")))


@require_GET
def chart_rank(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    pledge, _found = rules.get_pledge_or_404(request, pk)
    organization = member_of(pledge, org)
    series = rank_series(pledge.bloc, organization)
    return _svg(chart_rank_history(series, organization, empty_text=_("Not ranked yet.")))
