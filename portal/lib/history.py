"""The author and reason of a change, as django-simple-history reads them."""

from __future__ import annotations

from typing import Any


def stamp(instance: Any, actor: Any, reason: str = "") -> None:
    """Record who makes the next save of `instance` (and why, when there is a reason).

    Outside a request (a service called from a task, a command or a test) simple_history
    has no request to read the user from: it reads these two attributes instead.
    """
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason.strip()
