"""Answers kept for the length of one request: a page may ask the policy the same question
(is this person the secretariat of this bloc in this year?) once per row, a service once per
sheet it saves. The policy stays the one place that answers; this only remembers its answer
until the request ends.

Outside a request (a Celery task, a command, a test calling a service) nothing is kept, so
nothing can go stale there. Inside one, `forget()` drops every answer: the apps call it when
they write a row that a kept answer may depend on (a membership, a chair term, an
assignment, an official), so a request that changes a role and then asks again gets the new
answer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_answers: ContextVar[dict[Hashable, object] | None] = ContextVar("request_answers", default=None)


def middleware(get_response: Callable) -> Callable:
    """Gives each request its own empty store, dropped when the response is made."""

    def request_cache(request: Any) -> Any:
        token = _answers.set({})
        try:
            return get_response(request)
        finally:
            _answers.reset(token)

    return request_cache


def remembered(key: Callable[..., Hashable | None]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Keep `function`'s answer for the request under `key(*args, **kwargs)`; a key of None
    (say, an anonymous user, who has nothing to look up) is not kept. One key function may
    serve several questions whose parameters differ (an optional year), hence `...`."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def asked(*args: P.args, **kwargs: P.kwargs) -> R:
            store = _answers.get()
            found = key(*args, **kwargs) if store is not None else None
            if found is None or store is None:
                return function(*args, **kwargs)
            slot = (function.__qualname__, found)
            if slot not in store:
                store[slot] = function(*args, **kwargs)
            return store[slot]  # type: ignore[return-value]

        return asked

    return decorate


def forget(*args: object, **kwargs: object) -> None:
    """Drop every answer kept for this request (usable as a signal receiver)."""
    store = _answers.get()
    if store is not None:
        store.clear()
