"""Bonus and penalty lines: members read them (404 for outsiders); the secretariat adds
and, after confirming, deletes them (403 for members), never in a closed year."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.lib.http import GET_POST

from .. import rules, selectors, services
from ..forms import scoring as f
from ..models import Adjustment
from ..selectors.results_pages import adjustment_lines, adjustments_page
from ._access import add_after_post, closed_notice, delete_after_confirm


@GET_POST
def adjustments(request: HttpRequest, pk: int) -> HttpResponse:
    """Members read the lines; the secretariat adds and (after confirming) deletes them."""
    delete = request.GET.get("delete") or request.POST.get("delete")
    need = "manage" if request.method == "POST" or delete else "read"  # 403 for members
    pledge, found = rules.get_pledge_or_404(request, pk, need=need)
    notice = closed_notice(pledge)
    url = reverse("pledges:adjustments", args=[pledge.pk])
    if delete:
        return _delete(request, found, _line_to_delete(pledge, delete), notice, url)
    members = selectors.members_of(pledge)
    form = f.AdjustmentForm(request.POST or None, members=members)
    if request.method == "POST":
        response = add_after_post(
            request,
            notice=notice,
            forms=[form],
            save=lambda: services.adjustment_add(
                pledge=pledge, actor=request.user, **form.cleaned_data
            ),
            done=_("The line has been added."),
            back=url,
        )
        if response is not None:
            return response
    page = adjustments_page(pledge, members)
    context = {"pledge": pledge, "form": form, "notice": notice, "secretariat": found.secretariat}
    context["access"] = found
    context |= {"lines": page.lines, "totals": page.totals, "can_write": found.can_manage}
    return render(request, "pledges/adjustments.html", context)


def _line_to_delete(pledge, value: str) -> Adjustment:
    """The line in ?delete= (or the posted `delete`); 404 for anything else."""
    if not str(value).isdigit():
        raise Http404
    return get_object_or_404(adjustment_lines(pledge), pk=value)


def _delete(request, access, line: Adjustment, notice: str, url: str) -> HttpResponse:
    if request.method == "POST" and notice:
        messages.error(request, notice)
        return redirect(url)
    sign = "+" if line.kind == Adjustment.Kind.BONUS else "−"
    text = _("Delete the line “%(line)s” of %(organization)s?") % {
        "line": f"{sign}{floatformat(line.points, '-2')}: {line.reason}",
        "organization": line.organization,
    }
    return delete_after_confirm(
        request,
        access.pledge,
        delete=lambda: services.adjustment_delete(adjustment=line, actor=request.user),
        done=_("The line has been deleted."),
        title=_("Delete line"),
        text=text,
        back=url,
        active="scoring",
        hidden={"delete": line.pk},
        access=access,
    )
