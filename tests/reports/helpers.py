"""Shared builders for the report tests (and the access matrix's reports rows)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from reports import services
from reports.models import Report, ReportDraft

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_draft(bloc, year: int, kind: str = ReportDraft.Kind.YEAR_END, **fields) -> ReportDraft:
    draft = services.draft_get_or_create(bloc=bloc, year=year, kind=kind)
    if fields:
        draft = services.draft_update(draft=draft, **fields)
    return draft


def make_report(draft: ReportDraft, status: str = Report.Status.READY, **fields) -> Report:
    """A report row as a finished (or failed, or queued) build leaves it, with its files."""
    report = Report(draft=draft, status=status, input_digest=fields.pop("digest", "0" * 64))
    for name, value in fields.items():
        setattr(report, name, value)
    if status == Report.Status.READY:
        report.pdf.save("doc.pdf", ContentFile(PDF_BYTES), save=False)
        report.xlsx.save("doc.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=False)
        report.docx.save("doc.docx", ContentFile(b"PK\x03\x04 not really a document"), save=False)
        report.page_count, report.size = 1, len(PDF_BYTES)
        report.finished_at = timezone.now()
    report.save()
    return report
