"""Who may do what with documents; the bloc's policy (`blocs.rules`) answers, for the
document's bloc and year:

- members of a bloc (and admins) read its issued documents: the list of them, the issued
  build's PDF, Word file and spreadsheet (or the signed scan); outsiders do not learn they
  exist (404). What is still a draft, and every build made while writing it, stays with the
  secretariat: a member does not learn of it either (404, `may_read_build`,
  `documents_for`);
- the secretariat of the document's year writes the draft, previews it, builds and retries
  (403 for the other members);
- the same secretariat (and admins) issue a document, replace an issued one and put its
  signed scan on it (`may_issue`, `check_may_issue`): a records office's act, asked here so
  that a narrower rule (the chair's office only, say) changes in one place.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
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
    found = require(access(request.user, draft.bloc, draft.year, readable=True), need)
    if not may_read_build(found, report):
        raise Http404
    return report, found


def may_read_build(found: Access, report: Report) -> bool:
    """A build of a document: the secretariat (and admins) every build; members the issued
    build only (a build made while writing is a draft, with no number, not to be relied on)."""
    return found.can_write or (report.issued and report.draft.is_issued)


def documents_for(found: Access, drafts: list[ReportDraft]) -> list[ReportDraft]:
    """The documents of a list the user reads: every one for the secretariat, the issued
    ones (or issued and replaced since) for members."""
    return drafts if found.can_write else [d for d in drafts if d.is_issued]


def may_issue(found: Access) -> bool:
    """Whether the user issues, replaces and files the signed scan of the year's documents."""
    return found.can_write


def check_may_issue(actor: Actor, draft: ReportDraft) -> None:
    """For services: PermissionDenied unless `actor` may issue the draft (None: the system)."""
    check_year_writer(actor, draft.bloc, draft.year)
