"""Pledge pages: the year, its contents and criteria, signing, registration."""

from django.http import Http404


def pledge_list(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def pledge_create(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def pledge_detail(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def pledge_edit(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def pledge_items(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def pledge_criteria(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def pledge_status(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def pledge_sign(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def registration(request, pk: int):
    raise Http404  # placeholder until the helper writes it


def registration_list(request, pk: int):
    raise Http404  # placeholder until the helper writes it
