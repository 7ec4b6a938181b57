"""Scoring pages: self-scoring, verification, cross-scoring, evidence, bonus and penalty lines."""

from django.http import Http404


def self_score(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def evidence_download(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def evidence_delete(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def verify(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def cross_score(request, pk: int, org: int):
    raise Http404  # placeholder until the helper writes it


def adjustments(request, pk: int):
    raise Http404  # placeholder until the helper writes it
