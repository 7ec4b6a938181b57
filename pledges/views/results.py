"""Results pages: ballots, proposals, the score table and ranking, xlsx, charts.

Access: every member of the bloc reads them (404 for outsiders); recording and deleting
ballots and proposals is the secretariat's (403 for members), never in a closed year.
The results page and its downloads read everything in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blocs.models import Organization
from portal.lib.http import GET_POST

from .. import selectors, services
from ..charts import chart_group_points, chart_rank_history
from ..forms import scoring as f
from ..models import Ballot, CommendationQuota, Pledge, Proposal
from ..ranking import compute_results, results_over_years
from ..xlsx import results_xlsx as build_xlsx
from ._access import (
    add_after_post,
    check_secretariat,
    closed_notice,
    delete_after_confirm,
    get_pledge_for_user,
    is_secretariat,
    member_of,
    official_org,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Ballots -------------------------------------------------------------------------------


@dataclass
class BallotView:
    ballot: Ballot
    outcomes: list = field(default_factory=list)
    base_label: str = ""


def base_label(pledge: Pledge, base: int) -> str:
    """What the ratio is of, named explicitly: "11 members", "9 members present"…"""
    labels = {
        Pledge.VoteBase.MEMBERS: _("%(n)s members"),
        Pledge.VoteBase.PRESENT: _("%(n)s members present"),
        Pledge.VoteBase.VALID: _("%(n)s valid ballots"),
    }
    return labels[pledge.vote_base] % {"n": base}


def ballots_of(pledge: Pledge) -> list[BallotView]:
    """The pledge's ballots with each candidate's outcome, in 2 queries."""
    return [
        BallotView(
            ballot, outcomes, base_label(pledge, services.vote_base(ballot, pledge.vote_base))
        )
        for ballot, outcomes in services.ballots_with_outcomes(pledge)
    ]


@GET_POST
def ballots(request: HttpRequest, pk: int) -> HttpResponse:
    """Members read the ballots and their outcomes; the secretariat records them."""
    pledge = get_pledge_for_user(request, pk)
    secretariat = is_secretariat(request, pledge)
    if request.method == "POST":
        check_secretariat(request, pledge)
    notice = closed_notice(pledge)
    members = selectors.members_of(pledge)
    form, candidates = _ballot_forms(request, pledge, members)
    if request.method == "POST":
        response = add_after_post(
            request,
            notice=notice,
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
    context = {
        "pledge": pledge,
        "ballots": ballots_of(pledge),
        "form": form,
        "candidates": candidates,
        "secretariat": secretariat,
        "can_write": secretariat and not notice,
        "notice": notice,
    }
    return render(request, "pledges/ballots.html", context)


def _ballot_forms(request: HttpRequest, pledge: Pledge, members: list[Organization]):
    """The ballot form (the review meeting by default) and one vote row per member."""
    initial = {"members_total": len(members), "purpose": Ballot.Purpose.LEADING}
    if pledge.review_meeting_id:
        initial["meeting"] = pledge.review_meeting_id
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
        row.org = names.get(_initial_org(row))


def _initial_org(row) -> int | None:
    org = row.initial.get("organization")
    return getattr(org, "pk", org)


def _get_for_secretariat(request: HttpRequest, objects, pk: int):
    """A ballot or proposal of a pledge the user may read (404 otherwise), for the
    secretariat of its year only (403 for the other members)."""
    visible = Pledge.objects.visible_to(request.user)
    found = get_object_or_404(objects.filter(pledge__in=visible), pk=pk)
    check_secretariat(request, found.pledge)
    return found


def _delete_from_results(request: HttpRequest, pledge: Pledge, *, page: str, **confirm):
    """Ask, then delete; back to the results page (`page`) it was listed on."""
    return delete_after_confirm(
        request,
        pledge,
        back=reverse(page, args=[pledge.pk]),
        active="results",
        **confirm,
    )


@GET_POST
def ballot_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _get_for_secretariat(request, Ballot.objects.select_related("pledge__bloc"), pk)
    text = _(
        "Delete the ballot “%(title)s” and its votes? Proposals that cite it keep their place "
        "without the ballot."
    ) % {"title": ballot.title}
    return _delete_from_results(
        request,
        ballot.pledge,
        page="pledges:ballots",
        delete=lambda: services.ballot_delete(ballot=ballot, actor=request.user),
        done=_("The ballot has been deleted."),
        title=_("Delete ballot"),
        text=text,
    )


# Proposals -----------------------------------------------------------------------------


@dataclass
class QuotaGroup:
    title: object
    proposals: list
    quota: CommendationQuota | None = None
    limit: int | None = None
    how: str = ""

    @property
    def over(self) -> bool:
        return self.limit is not None and len(self.proposals) > self.limit


def proposal_groups(
    pledge: Pledge, members: list[Organization], ballots: list[BallotView] | None = None
) -> list[QuotaGroup]:
    """Proposals grouped by commendation, each with its quota's limit and how it is computed
    (the leading units from `ballots` when the page has them already)."""
    proposals = list(
        Proposal.objects.filter(pledge=pledge).select_related("organization", "title", "ballot")
    )
    quotas = {
        q.title_id: q
        for q in CommendationQuota.objects.filter(pledge=pledge).select_related("title")
    }
    leading = None
    groups: dict[int, QuotaGroup] = {}
    for quota in quotas.values():
        groups[quota.title_id] = QuotaGroup(quota.title, [], quota)
    for proposal in proposals:
        groups.setdefault(proposal.title_id, QuotaGroup(proposal.title, [])).proposals.append(
            proposal
        )
    for group in groups.values():
        quota = group.quota
        if quota is None:
            continue
        if quota.base == CommendationQuota.Base.LEADING and leading is None:
            outcomes = None if ballots is None else [(b.ballot, b.outcomes) for b in ballots]
            leading = len(services.leading_organizations(pledge, outcomes))
        numbers = {"members": len(members), "leading": leading or 0}
        group.limit = services.quota_limit(quota, **numbers)
        group.how = services.quota_explanation(quota, **numbers)
    return sorted(groups.values(), key=lambda g: (g.title.order, g.title.name))


@GET_POST
def proposals(request: HttpRequest, pk: int) -> HttpResponse:
    """Members read the proposals and quota usage; the secretariat adds them."""
    pledge = get_pledge_for_user(request, pk)
    secretariat = is_secretariat(request, pledge)
    if request.method == "POST":
        check_secretariat(request, pledge)
    notice = closed_notice(pledge)
    members = selectors.members_of(pledge)
    form = f.ProposalForm(request.POST or None, pledge=pledge, members=members)
    if request.method == "POST":
        response = add_after_post(
            request,
            notice=notice,
            forms=[form],
            save=lambda: services.proposal_add(
                pledge=pledge, actor=request.user, **form.cleaned_data
            ),
            done=_("The proposal has been added."),
            back=reverse("pledges:proposals", args=[pledge.pk]),
        )
        if response is not None:
            return response
    context = {
        "pledge": pledge,
        "groups": proposal_groups(pledge, members),
        "form": form,
        "secretariat": secretariat,
        "can_write": secretariat and not notice,
        "notice": notice,
    }
    return render(request, "pledges/proposals.html", context)


@GET_POST
def proposal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_for_secretariat(
        request,
        Proposal.objects.select_related("pledge__bloc", "organization", "title"),
        pk,
    )
    text = _("Delete the proposal of %(organization)s for %(title)s?") % {
        "organization": proposal.organization,
        "title": proposal.title,
    }
    return _delete_from_results(
        request,
        proposal.pledge,
        page="pledges:proposals",
        delete=lambda: services.proposal_delete(proposal=proposal, actor=request.user),
        done=_("The proposal has been deleted."),
        title=_("Delete proposal"),
        text=text,
    )


# Results -------------------------------------------------------------------------------


@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk)
    members = selectors.members_of(pledge)
    computed = compute_results(pledge)
    own = official_org(request, pledge)
    notes = [m for m in computed.members if m.tie_note and m.scored]
    for member in computed.members:  # the template cannot look a dict up by a variable
        member.group_list = [member.group_points.get(g.pk) for g in computed.groups]
    ballots = ballots_of(pledge)
    context = {
        "pledge": pledge,
        "results": computed,
        "tie_notes": notes,
        "ballots": ballots,
        "groups": proposal_groups(pledge, members, ballots),
        "own": own,
        "secretariat": is_secretariat(request, pledge),
        "any_scored": any(m.scored for m in computed.members),
    }
    return render(request, "pledges/results.html", context)


@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk)
    content = build_xlsx(compute_results(pledge), pledge)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"ket-qua-thi-dua-{pledge.year}-khoi-{pledge.bloc_id}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _svg(content: str) -> HttpResponse:
    response = HttpResponse(content, content_type="image/svg+xml; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def chart_groups(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk)
    computed = compute_results(pledge)
    computed.members = [m for m in computed.members if m.scored]
    return _svg(chart_group_points(computed, empty_text=_("No scores yet.")))


@require_GET
def chart_rank(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk)
    organization = member_of(pledge, org)
    history = results_over_years(pledge.bloc, organization)
    ranks = {year: by_org.get(organization.pk) for year, by_org in history.items()}
    return _svg(chart_rank_history(ranks, organization, empty_text=_("Not ranked yet.")))
