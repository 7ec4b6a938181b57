"""Tasks that belong to no domain app."""

from celery import shared_task


@shared_task(name="portal.ping")
def ping(payload: str) -> dict:
    """Echo back through the broker: proves a worker is reachable (used by tests and ops)."""
    return {"pong": payload}
