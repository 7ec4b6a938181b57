"""Bloc pages: list, detail, edit, organization detail and search.

Access: `_get_bloc_for_user` hides blocs a user may not read (404);
`_get_bloc_for_secretariat` additionally refuses members outside the
secretariat (403). Reads live in `selectors`, writes in `services`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.lib.text import fold

from .. import selectors
from ..forms import BlocInfoForm
from ..models import Bloc, Organization, current_year
from ..services import bloc_update_info

PAGE_SIZE = 25


def _get_bloc_for_user(request: HttpRequest, pk: int) -> Bloc:
    """The bloc if the user may read it; 404 otherwise (outsiders do not learn it exists)."""
    blocs = Bloc.objects.visible_to(request.user).select_related("organizing_body")
    return get_object_or_404(blocs, pk=pk)


def _get_bloc_for_secretariat(request: HttpRequest, pk: int) -> Bloc:
    """The bloc if the user is in its secretariat; 403 for its other members."""
    bloc = _get_bloc_for_user(request, pk)
    if not request.user.has_perm("blocs.manage_bloc", bloc):
        raise PermissionDenied
    return bloc


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
    bloc = _get_bloc_for_user(request, pk)
    page = selectors.bloc_page(bloc, current_year())
    can_manage = request.user.has_perm("blocs.manage_bloc", bloc)
    return render(request, "blocs/bloc_detail.html", {"page": page, "can_manage": can_manage})


@require_http_methods(["GET", "POST"])
def bloc_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bloc = _get_bloc_for_secretariat(request, pk)
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
    query = request.GET.get("q", "").strip()
    context = {"query": query, "blocs": None, "organizations": None}
    if fold(query):
        context["blocs"] = list(Bloc.objects.visible_to(request.user).search(query))
        organizations = Organization.objects.visible_to(request.user).search(query)
        context["organizations"] = Paginator(organizations, PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "blocs/search.html", context)
