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
  that a narrower rule (the chair's office only, say) changes in one place;
- a document about one unit (its achievement report, `ReportDraft.subject`) is that unit's:
  its officials (and admins) write, build, issue, replace and file it, the bloc's
  secretariat does not (it starts the drafts of the units it proposes, and reads them, as
  every member does). The unit signs what it says of itself.
"""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from blocs.models import Bloc, Organization, official_of
from blocs.rules import (
    Access,
    Need,
    check_year_writer,
    is_official_of,
    is_secretariat,
    require,
)
from portal.lib.types import Actor, Person

from .models import Report, ReportDraft


def official_organizations(user: Person) -> set[int]:
    """The organizations the user is an official of: one at most (the request's
    `official_of`; none for anonymous)."""
    official = official_of(user)
    return {official.organization_id} if official is not None else set()


class DraftAccess(Access):
    """The user's access to one document: the bloc's (`blocs.rules.Access`), except that a
    document about one unit is written by that unit's officials (see the module docstring)."""

    def __init__(self, user: Person, draft: ReportDraft, *, readable: bool = False) -> None:
        super().__init__(user, draft.bloc, draft.year, readable=readable)
        self.subject_id = draft.subject_id

    @cached_property
    def writes_own_report(self) -> bool:
        return is_official_of(self.user, self.subject_id)

    @property
    def can_write(self) -> bool:
        if self.subject_id is None:
            return super().can_write
        if not self.can_read:
            return False
        return bool(self.user.is_superuser) or self.writes_own_report


def draft_access(user: Person, draft: ReportDraft, *, readable: bool = False) -> DraftAccess:
    return DraftAccess(user, draft, readable=readable)


def check_draft_writer(actor: Actor, draft: ReportDraft) -> None:
    """For services: PermissionDenied unless `actor` writes the draft (None: the system)."""
    if actor is None:
        return
    if draft.subject_id is None:
        check_year_writer(actor, draft.bloc, draft.year)
        return
    if not (actor.is_superuser or is_official_of(actor, draft.subject_id)):
        raise PermissionDenied


def check_may_open(actor: Actor, bloc: Bloc, year: int, subject: Organization | None) -> None:
    """For services: who starts (or opens) a draft: the year's secretariat; for a unit's own
    report, also that unit's officials."""
    if actor is None or is_secretariat(actor, bloc, year):
        return
    if subject is not None and is_official_of(actor, subject.pk):
        return
    raise PermissionDenied


def get_draft_or_404(
    request: HttpRequest, pk: int, *, need: Need = "write"
) -> tuple[ReportDraft, Access]:
    """The draft and the user's access in its year: 404 for outsiders, 403 for members
    when `need` is "write" (every draft page writes or previews unsaved text)."""
    drafts = ReportDraft.objects.visible_to(request.user).select_related(
        "bloc", "issuer", "style", "meeting", "subject"
    )
    draft = get_object_or_404(drafts, pk=pk)
    return draft, require(draft_access(request.user, draft, readable=True), need)


def get_report_or_404(
    request: HttpRequest, pk: int, *, need: Need = "read"
) -> tuple[Report, Access]:
    """A build of a draft and the user's access in the draft's year (404 / 403 as above)."""
    reports = Report.objects.visible_to(request.user).select_related(
        "draft__bloc", "draft__issuer", "draft__meeting", "draft__subject"
    )
    report = get_object_or_404(reports, pk=pk)
    found = require(draft_access(request.user, report.draft, readable=True), need)
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
    check_draft_writer(actor, draft)
