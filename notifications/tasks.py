"""Thin tasks: prepare the e-mails (services), send each with retries and a backoff while
SMTP is down. What failed stays on its `EmailDelivery` row for the admin, and the beat's
`send_pending` tries it again later, so nothing is lost when a worker or SMTP is away."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(bind=True, name="notifications.send_delivery", max_retries=None, acks_late=True)
def send_delivery(self, delivery_id: int) -> str:
    from . import services

    try:
        return services.delivery_send(delivery_id=delivery_id)
    except services.DeliveryFailed as exc:
        if self.request.is_eager:
            # Inline (no broker): nothing could bring a retry back; the beat will.
            return "failed"
        if self.request.retries + 1 >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            return "failed"
        countdown = min(60 * 2**self.request.retries, 3600)
        raise self.retry(exc=exc, countdown=countdown) from exc


def _send(ids: list[int]) -> int:
    for delivery_id in ids:
        send_delivery.delay(delivery_id)
    return len(ids)


@shared_task(name="notifications.send_immediate")
def send_immediate() -> int:
    """E-mail the notices that cannot wait (queued when one is made)."""
    from . import services

    return _send(services.immediate_prepare())


@shared_task(name="notifications.send_pending")
def send_pending() -> int:
    """Periodic: what is still unsent (SMTP was down, a message was lost) is tried again."""
    from . import services

    services.immediate_prepare()
    return _send(services.deliveries_to_retry())


@shared_task(name="notifications.scan_deadlines")
def scan_deadlines() -> int:
    """Daily: reminders of the coming and passed deadlines (idempotent)."""
    from . import services

    return services.deadlines_scan()


@shared_task(name="notifications.send_digests")
def send_digests() -> int:
    """Daily, in the morning: one digest per person with waiting notices (idempotent)."""
    from . import services

    return _send(services.digests_prepare())
