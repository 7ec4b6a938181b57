"""`{% issued_documents kind bloc year meeting=... %}`: the download buttons of the issued
document of a kind (the approved minutes of a meeting, the signed pledge) on the page it is
about, for everyone who reads that page. The downloads ask `reports.rules` again; only an
issued document is linked (a draft stays with the secretariat)."""

from __future__ import annotations

from django import template

from blocs.models import Bloc, Meeting

from ..models import Report, ReportDraft

register = template.Library()


@register.inclusion_tag("reports/_issued_documents.html")
def issued_documents(
    kind: str, bloc: Bloc, year: int, meeting: Meeting | None = None
) -> dict[str, object]:
    """The document in force (issued, not replaced) and its issued build: 1 query."""
    drafts = ReportDraft.objects.filter(
        bloc=bloc, year=year, kind=kind, status=ReportDraft.Status.ISSUED
    )
    if meeting is not None:
        drafts = drafts.filter(meeting=meeting)
    draft = drafts.first()
    build = None
    if draft is not None and not draft.scan:
        build = (
            Report.objects.filter(draft=draft, issued=True, status=Report.Status.READY)
            .only("pk", "docx", "draft_id")
            .first()
        )
    return {"draft": draft, "build": build, "kind": kind}
