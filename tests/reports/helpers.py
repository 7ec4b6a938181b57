"""Shared builders for the report tests (and the access matrix's reports rows)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.utils import timezone
from kombu import pools as kombu_pools

from portal.celery import app as celery_app
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


def _reset_pools() -> None:
    # As Celery does after a fork: the next send opens a connection to the broker set now.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_unreachable() -> Iterator[None]:
    """This process's sends (not eager) go to a loopback port nothing listens on, exactly as
    when Redis is down; a worker already running keeps its own connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    conf = celery_app.conf
    # Sends go to broker_write_url (it defaults to broker_url when the settings are read).
    saved = conf.broker_write_url, conf.task_always_eager
    conf.broker_write_url, conf.task_always_eager = f"redis://127.0.0.1:{port}/0", False
    _reset_pools()
    try:
        yield
    finally:
        conf.broker_write_url, conf.task_always_eager = saved
        _reset_pools()
