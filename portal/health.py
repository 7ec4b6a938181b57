"""/health/: is this web process able to serve? For the container healthchecks and the proxy.

Each part answers "ok" or why not: the database (a query), the broker when one is configured
(a connection, one attempt, a short timeout) and the media storage (a file written and
removed). 200 when every part is ok, 503 naming the failed parts otherwise. No login, no
detail an outsider could use: only the part's name and the exception's class.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 2.0  # seconds: a healthcheck must answer well within its own timeout


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    from portal.celery import app

    with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)


def check_storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def checks() -> dict[str, Callable[[], None]]:
    found: dict[str, Callable[[], None]] = {"database": check_database}
    if settings.CELERY_BROKER_URL:
        found["broker"] = check_broker
    found["storage"] = check_storage
    return found


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    result: dict[str, str] = {}
    for name, check in checks().items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure of a part is that part's answer
            logger.warning("health: %s failed: %s: %s", name, type(exc).__name__, exc)
            result[name] = f"error: {type(exc).__name__}"
        else:
            result[name] = "ok"
    healthy = all(value == "ok" for value in result.values())
    return JsonResponse(result, status=200 if healthy else 503)
