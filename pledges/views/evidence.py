"""Evidence files of self-scoring sheets: download (whoever may read the sheet) and delete
(whoever writes the sheet; after submission only the secretariat, as the service says).
404 for outsiders, 403 for the other members."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.lib.http import GET_POST

from .. import rules, services
from ..models import Evidence
from ..selectors.sheets import self_sheet_page
from ._access import delete_after_confirm


def _get_evidence_or_404(request: HttpRequest, pk: int) -> tuple[Evidence, rules.PledgeAccess]:
    """The evidence of a pledge the user may read (404 otherwise), with the user's access."""
    visible = rules.visible_pledges(request.user)
    found = Evidence.objects.filter(score__sheet__pledge__in=visible).select_related(
        "score__sheet__pledge__bloc", "score__criterion", "score__sheet__organization"
    )
    evidence = get_object_or_404(found, pk=pk)
    return evidence, rules.PledgeAccess(request.user, evidence.score.sheet.pledge, readable=True)


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence, found = _get_evidence_or_404(request, pk)
    if not found.may_read_sheet(evidence.score.sheet):
        raise PermissionDenied
    return evidence.download()


@GET_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence, found = _get_evidence_or_404(request, pk)
    sheet = evidence.score.sheet
    if not found.may_change_evidence(sheet):
        raise PermissionDenied
    page = self_sheet_page(sheet.pledge, found, sheet.organization)
    text = _("Delete the evidence “%(name)s” of %(code)s? The file is removed for good.") % {
        "name": evidence.original_name,
        "code": evidence.score.criterion.code,
    }
    return delete_after_confirm(
        request,
        sheet.pledge,
        delete=lambda: services.evidence_delete(evidence=evidence, actor=request.user),
        done=_("The evidence file has been deleted."),
        title=_("Delete evidence"),
        text=text,
        back=page.url,
        active="scoring",
        access=found,
    )
