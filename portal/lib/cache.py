"""The shared cache (CACHE_URL = redis://…) as a cache, not as a dependency of every page.

What the portal keeps there can always be made again: charts, the ranks of a closed year,
the admin's sidebar. Django's RedisCache raises when Redis is away (restarting, its
network blinks), and every page that reads the cache, the admin's first of all, would
answer with a server error. Here an outage is a miss: reads find nothing, writes are
dropped, each logged on one line, and the page is built as if the cache were empty. The
connection gives up after REDIS_CACHE_TIMEOUT seconds, so a Redis that does not answer
costs a page that long at most, not the operating system's TCP timeout.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Refused, reset, timed out, still loading its data: Redis is away, not the request wrong.
OUTAGE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

# Connecting and each command: a Redis on the same network answers in a millisecond.
REDIS_CACHE_TIMEOUT = 0.5


DJANGO_REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"


def tolerant(config: dict[str, Any]) -> dict[str, Any]:
    """A CACHES entry (as django-environ reads CACHE_URL) with Django's Redis backend
    replaced by OutageTolerantRedisCache; any other backend as it is."""
    if config.get("BACKEND") == DJANGO_REDIS_BACKEND:
        return {**config, "BACKEND": f"{__name__}.OutageTolerantRedisCache"}
    return config


def _tolerant(method: Callable[..., Any], missed: Callable[..., Any]) -> Callable[..., Any]:
    """`method` of RedisCache, answering `missed(*arguments)` while Redis is away."""

    @functools.wraps(method)
    def tolerant(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except OUTAGE as error:
            logger.warning("cache %s skipped, Redis is unavailable: %s", method.__name__, error)
            return missed(*args, **kwargs)

    return tolerant


class OutageTolerantRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis is away."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", REDIS_CACHE_TIMEOUT)
        options.setdefault("socket_timeout", REDIS_CACHE_TIMEOUT)
        super().__init__(server, params)

    # What each answers when Redis is away: what it answers for a key it does not have.
    get = _tolerant(RedisCache.get, lambda key, default=None, version=None: default)
    get_many = _tolerant(RedisCache.get_many, lambda keys, version=None: {})
    set = _tolerant(RedisCache.set, lambda *args, **kwargs: None)
    set_many = _tolerant(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    add = _tolerant(RedisCache.add, lambda *args, **kwargs: False)
    delete = _tolerant(RedisCache.delete, lambda *args, **kwargs: False)
