"""Results pages: ballots, proposals, the score table and ranking, xlsx, charts."""

from django.http import Http404


def ballots(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def ballot_delete(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def proposals(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def proposal_delete(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def results(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def results_xlsx(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def chart_groups(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def chart_rank(request, pk: int, org: int):
    raise Http404  # placeholder until the helper writes it
