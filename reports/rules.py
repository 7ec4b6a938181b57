"""Who may do what with documents; the bloc's policy (`blocs.rules`) answers, for the
document's bloc and year:

- members of a bloc (and admins) read its documents: the list, the progress of a build, the
  ready PDF and spreadsheet; outsiders do not learn they exist (404);
- the secretariat of the document's year writes the draft, previews it, builds and retries
  (403 for the other members);
- the same secretariat (and admins) issue a document, replace an issued one and put its
  signed scan on it (`may_issue`, `check_may_issue`): a records office's act, asked here so
  that a narrower rule (the chair's office only, say) changes in one place.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from blocs.rules import Access, Need, access, check_year_writer, require
from portal.lib.types import Actor

from .models import Report, ReportDraft


def get_draft_or_404(
    request: HttpRequest, pk: int, *, need: Need = "write"
) -> tuple[ReportDraft, Access]:
    """The draft and the user's access in its year: 404 for outsiders, 403 for members
    when `need` is "write" (every draft page writes or previews unsaved text)."""
    drafts = ReportDraft.objects.visible_to(request.user).select_related(
        "bloc", "issuer", "style", "meeting"
    )
    draft = get_object_or_404(drafts, pk=pk)
    return draft, require(access(request.user, draft.bloc, draft.year, readable=True), need)


def get_report_or_404(
    request: HttpRequest, pk: int, *, need: Need = "read"
) -> tuple[Report, Access]:
    """A build of a draft and the user's access in the draft's year (404 / 403 as above)."""
    reports = Report.objects.visible_to(request.user).select_related(
        "draft__bloc", "draft__issuer", "draft__meeting"
    )
    report = get_object_or_404(reports, pk=pk)
    draft = report.draft
    return report, require(access(request.user, draft.bloc, draft.year, readable=True), need)


def may_issue(found: Access) -> bool:
    """Whether the user issues, replaces and files the signed scan of the year's documents."""
    return found.can_write


def check_may_issue(actor: Actor, draft: ReportDraft) -> None:
    """For services: PermissionDenied unless `actor` may issue the draft (None: the system)."""
    check_year_writer(actor, draft.bloc, draft.year)
