"""Bloc pages: list, detail, edit, organization detail and search.

Access is the policy's (`blocs.rules.get_bloc_or_404`): 404 for outsiders, 403 for members
outside the secretariat. Reads live in `selectors`, writes in `services`.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.lib.text import fold, single_line

from .. import selectors
from ..forms import BlocInfoForm
from ..models import Bloc, Organization, current_year
from ..rules import get_bloc_or_404
from ..services import bloc_update_info

PAGE_SIZE = 25
SEARCH_BLOCS = 50


@require_GET
def bloc_list(request: HttpRequest) -> HttpResponse:
    year = current_year()
    kind = request.GET.get("kind", "")
    blocs = selectors.bloc_list(request.user, year, kind)
    page = Paginator(blocs, PAGE_SIZE).get_page(request.GET.get("page"))
    for bloc in page:
        bloc.term = selectors.term_for(bloc, year)
    context = {"page": page, "year": year, "kind": kind, "kinds": Bloc.Kind.choices}
    return render(request, "blocs/bloc_list.html", context)


@require_GET
def bloc_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bloc, access = get_bloc_or_404(request, pk)
    page = selectors.bloc_page(bloc, current_year(), request.user)
    context = {"page": page, "can_manage": access.can_manage}
    return render(request, "blocs/bloc_detail.html", context)


@require_http_methods(["GET", "POST"])
def bloc_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bloc, _access = get_bloc_or_404(request, pk, need="write")
    form = BlocInfoForm(request.POST or None, instance=bloc)
    if request.method == "POST" and form.is_valid():
        bloc_update_info(bloc=bloc, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The bloc information has been saved."))
        return redirect(bloc)
    return render(request, "blocs/bloc_edit.html", {"bloc": bloc, "form": form})


@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    page = selectors.organization_page(organization, request.user)
    return render(request, "blocs/organization_detail.html", {"page": page})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    # A search is one line: NUL (which PostgreSQL refuses) and other control characters go.
    query = single_line(request.GET.get("q", ""))
    context = {"query": query, "blocs": None, "organizations": None}
    if fold(query):
        # The first blocs only, read one past the limit to know whether there are more: an
        # admin's "khoi" matches every bloc of the country (the organizations are paged).
        blocs = list(Bloc.objects.visible_to(request.user).search(query)[: SEARCH_BLOCS + 1])
        context["blocs"] = blocs[:SEARCH_BLOCS]
        context["more_blocs"] = len(blocs) > SEARCH_BLOCS
        organizations = Organization.objects.visible_to(request.user).search(query)
        context["organizations"] = Paginator(organizations, PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "blocs/search.html", context)
