"""Named events the apps announce, for whoever listens (the notifications app).

A service calls `emit("pledges.sheet_returned", sheet=sheet, reason=reason, actor=actor)`
inside its own transaction. The listeners registered at start-up (`listen`, from an
`AppConfig.ready`) run there and then, each in a savepoint: what they write commits or rolls
back with the change itself, and a listener that fails is logged and rolled back alone, so it
never undoes the user's action. The base layer imports no app, so an app that announces an
event does not know who listens; the import order (blocs ← pledges ← reports ← notifications)
stays one way.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Listener = Callable[..., None]

_listeners: dict[str, list[Listener]] = defaultdict(list)


def listen(name: str, listener: Listener) -> None:
    """Call `listener(**payload)` on every `emit(name, **payload)`; registering twice is one."""
    if listener not in _listeners[name]:
        _listeners[name].append(listener)


def listeners(name: str) -> list[Listener]:
    return list(_listeners.get(name, ()))


def emit(name: str, **payload: Any) -> None:
    """Announce that `name` happened; a no-op when nobody listens."""
    for listener in listeners(name):
        try:
            with transaction.atomic():
                listener(**payload)
        except Exception:
            logger.exception("listener %r of event %r failed", listener, name)
