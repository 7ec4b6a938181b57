"""The lease a running build holds on its report row, renewed while the build runs.

A worker that dies with its machine leaves its row "running" and its message
unacknowledged in the broker until the visibility timeout (minutes). Rather than wait for
the hard time limit to pass, the build renews `Report.heartbeat_at` every third of the
lease from a thread beside it; a row whose heartbeat is older than the lease has lost its
worker, and the periodic sweep sends the build again (`services.reports_requeue_lost`).

With the defaults (lease 45 s, sweep every 30 s) a crashed build is sent again at most
45 + 30 s after its last heartbeat, and a live build is never taken over: it renews well
within the lease. Even if a renewal is missed (the database blinked), marking the report
ready is fenced by the attempt number, so a report still ends with one PDF.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import Report

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    return timedelta(seconds=max(3, int(settings.REPORT_LEASE_SECONDS)))


def renew(report_id: int, attempt: int) -> bool:
    """Renew the lease of this run; False once another run has taken the row over."""
    held = Report.objects.filter(pk=report_id, status=Report.Status.RUNNING, attempts=attempt)
    return bool(held.update(heartbeat_at=timezone.now()))


def _keep(report_id: int, attempt: int, stop: threading.Event) -> None:
    interval = lease().total_seconds() / 3
    try:
        while not stop.wait(interval):
            try:
                if not renew(report_id, attempt):
                    return  # finished, failed or taken over: nothing left to hold
            except DatabaseError as exc:  # a blink: the next renewal may succeed
                logger.warning("report %s: could not renew the lease: %r", report_id, exc)
    finally:
        connection.close()  # this thread's own connection


@contextmanager
def kept(report: Report) -> Iterator[None]:
    """Hold the report's lease for the duration of the block (a worker's build)."""
    stop = threading.Event()
    keeper = threading.Thread(
        target=_keep,
        args=(report.pk, report.attempts, stop),
        name=f"lease-{report.pk}",
        daemon=True,
    )
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join(timeout=5)
