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


def richer_year(members: int = 12, *, tag: str = "rich"):
    """A year-end draft of a `members`-member bloc with what the demo lacks: two members tied
    on the total (one decided by the tie-break, one still tied), a member not scored, self
    sheets beside the verification, registrations, a planned inspection after the review,
    and last year's ranking. Returns the draft."""
    from decimal import Decimal

    from blocs.models import Meeting
    from pledges.models import (
        Criterion,
        EmulationTitle,
        Pledge,
        Registration,
        Score,
        ScoreSheet,
    )
    from reports.management.commands.bench_reports import _when, seed_year

    draft = seed_year(members, tag=tag)
    pledge = Pledge.objects.get(bloc=draft.bloc, year=draft.year)
    orgs = [m.organization for m in draft.bloc.memberships.order_by("rotation_order")]
    sheets = {
        s.organization_id: s
        for s in ScoreSheet.objects.filter(pledge=pledge, round=ScoreSheet.Round.VERIFIED)
    }
    first = list(Score.objects.filter(sheet=sheets[orgs[0].pk]).order_by("criterion_id"))
    # orgs[1] and orgs[2] score exactly what orgs[0] scores: equal base and total, so the
    # tie-breaks (base points, penalty) leave them tied unless an adjustment differs.
    for org in orgs[1:3]:
        Score.objects.filter(sheet=sheets[org.pk]).delete()
        Score.objects.bulk_create(
            Score(sheet=sheets[org.pk], criterion_id=s.criterion_id, points=s.points, bonus=s.bonus)
            for s in first
        )
    pledge.adjustments.filter(organization__in=orgs[:3]).delete()
    for org, kind, reason in (
        (orgs[3], "bonus", "Mô hình hay được nhân rộng"),
        (orgs[4], "penalty", "Nộp báo cáo chậm"),
    ):
        pledge.adjustments.create(organization=org, kind=kind, points=Decimal("1"), reason=reason)
    # The last member is not scored yet.
    Score.objects.filter(sheet=sheets[orgs[-1].pk]).delete()
    # Self-scores a little above the verified ones.
    for org in orgs[:-1]:
        own = ScoreSheet.objects.create(
            pledge=pledge,
            organization=org,
            round=ScoreSheet.Round.SELF,
            status=ScoreSheet.Status.SUBMITTED,
        )
        Score.objects.bulk_create(
            Score(sheet=own, criterion_id=s.criterion_id, points=s.points + Decimal("0.25"))
            for s in Score.objects.filter(sheet=sheets[org.pk])
        )
    flag = EmulationTitle.objects.get(code="co-thi-dua-tp")
    item = pledge.items.order_by("order").first()
    for i, org in enumerate(orgs[:4]):
        registration = Registration.objects.create(pledge=pledge, organization=org)
        registration.titles.add(flag)
        registration.targets.create(
            item=item, text="Phát triển hội viên mới", number=Decimal(100 + i), unit="hội viên"
        )
    Meeting.objects.create(
        bloc=draft.bloc,
        year=draft.year,
        kind=Meeting.Kind.CROSS_INSPECTION,
        title="Kiểm tra chéo kết quả thực hiện giao ước",
        starts_at=_when(draft.year, 12, 30),
        place="Trụ sở các đơn vị",
        status=Meeting.Status.PLANNED,
    )
    # Last year, closed and scored: ranks in the reverse order of the members.
    last = Pledge.objects.create(
        bloc=draft.bloc, year=draft.year - 1, title="Giao ước thi đua", status=Pledge.Status.CLOSED
    )
    group = Criterion.objects.create(pledge=last, code="I", text="Chung", max_points=100)
    for i, org in enumerate(orgs):
        sheet = ScoreSheet.objects.create(
            pledge=last,
            organization=org,
            round=ScoreSheet.Round.VERIFIED,
            status=ScoreSheet.Status.SUBMITTED,
        )
        Score.objects.create(sheet=sheet, criterion=group, points=Decimal(50 + i))
    return draft


def make_issued(draft: ReportDraft, **fields) -> Report:
    """Issue the draft (the real service) and finish its issued build with a stand-in PDF,
    as a worker would; returns the issued build."""
    from reports import issuing

    fields.setdefault("issued_on", timezone.localdate())
    report = issuing.document_issue(draft=draft, **fields)
    report.pdf.save("issued.pdf", ContentFile(PDF_BYTES), save=False)
    report.status, report.page_count, report.size = Report.Status.READY, 1, len(PDF_BYTES)
    report.finished_at = timezone.now()
    report.save()
    draft.refresh_from_db()
    return report
