"""The report build task: thin. It claims the row, calls the service, and decides retries.

A worker process loads WeasyPrint, the fonts, the stylesheet and matplotlib when it starts
(`preload_renderer`, on Celery's process signals), not on its first build: that first build
would otherwise cost several seconds more than the next, and the person who asked for it
waits through them.

Delivery guarantees come from the settings (acks_late, reject_on_worker_lost): a worker
killed mid-build leaves its message unacknowledged and the broker hands it out again,
flagged as redelivered. The number of attempts is counted on the row itself
(`Report.attempts`), so the cap (REPORT_MAX_ATTEMPTS) holds across workers and restarts.
"""

from __future__ import annotations

import gc
import logging
import time

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_init, worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from portal.lib.events import emit

logger = logging.getLogger(__name__)

# Worth another attempt: the database or the broker blinked, a socket timed out.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


def preload_renderer() -> bool:
    """Load the renderer in this process (reports.rendering.preload); False, logged, if it
    failed: the worker still starts, and a build loads what it needs itself."""
    from . import documents, rendering

    start = time.perf_counter()
    try:
        rendering.preload()
        documents.preload_templates()
    except Exception:
        logger.exception("the report renderer could not be preloaded")
        return False
    # What is loaded now lives as long as the process: out of the collector's sight, so
    # that its full passes during a build walk only the build's own objects.
    gc.collect()
    gc.freeze()
    logger.info("report renderer preloaded in %.2f s", time.perf_counter() - start)
    return True


@worker_process_init.connect
def _preload_in_pool_process(**kwargs: object) -> None:
    # A prefork child, right after the fork: each child has its own fonts and caches
    # (fontconfig and Pango are not shared across a fork).
    preload_renderer()


@worker_init.connect
def _preload_in_worker(sender: object = None, **kwargs: object) -> None:
    # The solo and thread pools build in the worker's own process: no child is started.
    pool = getattr(sender, "pool_cls", None)
    name = pool if isinstance(pool, str) else getattr(pool, "__module__", "")
    if name and "prefork" not in name:
        preload_renderer()


class ReportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # The task gave up (retries exhausted or an unexpected error escaped): the report
        # must not stay "being built" forever.
        from . import services

        report_id = args[0] if args else kwargs.get("report_id")
        error = services.report_failure_text(services.BUILD_FAILED, error=exc)
        services.report_mark_failed(report_id=report_id, error=error)

    def after_return(self, status, retval, task_id, args, kwargs, einfo) -> None:
        # Every run, whatever its end: whoever listens (notices) reads the row's status.
        emit("reports.build_over", report_id=args[0] if args else kwargs.get("report_id"))


@shared_task(
    bind=True,
    base=ReportTask,
    name="reports.build_report",  # routed to the "reports" queue by CELERY_TASK_ROUTES
    acks_late=True,
    reject_on_worker_lost=True,
    # The row holds the outcome; a result backend would only add a Redis round trip to every
    # send (and a 20-second reconnect loop inside the web request when Redis is down).
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=10,  # the real cap is REPORT_MAX_ATTEMPTS, counted in the database
)
def build_report(self, report_id: int) -> str | None:
    """Build the PDF of one Report row; returns its final status (None: not this run's)."""
    from . import lease, services

    delivery = self.request.delivery_info or {}
    previous_run_over = bool(self.request.retries) or bool(delivery.get("redelivered"))
    report = services.report_claim(report_id=report_id, previous_run_over=previous_run_over)
    if report is None:
        return None
    try:
        if self.request.is_eager:  # inline: this very process builds it, nothing to watch
            services.report_store(report=report)
        else:
            with lease.kept(report):
                services.report_store(report=report)
    except SoftTimeLimitExceeded:
        # The limit travels with the message (set by the sender); the worker's is the fallback.
        limits = self.request.timelimit or (None, None)
        seconds = limits[1] or self.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        error = services.report_failure_text(services.BUILD_TOO_SLOW, seconds=seconds)
        services.report_mark_failed(report_id=report_id, error=error, attempt=report.attempts)
        return "failed"
    except TRANSIENT_ERRORS as exc:
        logger.warning("report %s: attempt %s failed: %r", report_id, report.attempts, exc)
        if services.report_note_problem(report=report, error=str(exc) or repr(exc)):
            if self.request.is_eager:
                # Inline (no broker): nothing could bring a retry back, so try again now.
                retries = self.request.retries + 1
                return self.apply(args=(report_id,), retries=retries).result
            raise  # autoretry_for queues the next attempt with a backoff
        return "failed"
    except Exception as exc:
        logger.exception("report %s: the build failed", report_id)
        error = services.report_failure_text(services.BUILD_FAILED, error=str(exc) or repr(exc))
        services.report_mark_failed(report_id=report_id, error=error, attempt=report.attempts)
        return "failed"
    report.refresh_from_db(fields=["status"])
    return report.status


@shared_task(name="reports.requeue_lost", ignore_result=True)
def requeue_lost_reports() -> list[int]:
    """Periodic (celery beat, CELERY_BEAT_SCHEDULE): re-send builds whose message is lost
    or whose worker died (an expired lease)."""
    from . import services

    return services.reports_requeue_lost()


@shared_task(name="reports.sweep_orphans", ignore_result=True)
def sweep_orphan_files() -> list[str]:
    """Periodic: delete document files no row points at (see services.reports_sweep_orphans)."""
    from . import services

    return services.reports_sweep_orphans()
