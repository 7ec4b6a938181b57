"""Placeholder views; the pages work replaces them."""

from django.http import HttpRequest, HttpResponse


def bloc_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("blocs")


def search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("search")


def bloc_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("bloc")


def bloc_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("edit")


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("org")
