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

import logging
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
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


class OutageTolerantRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis is away."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", REDIS_CACHE_TIMEOUT)
        options.setdefault("socket_timeout", REDIS_CACHE_TIMEOUT)
        super().__init__(server, params)

    def _missed(self, operation: str, error: Exception) -> None:
        logger.warning("cache %s skipped, Redis is unavailable: %s", operation, error)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except OUTAGE as error:
            self._missed("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except OUTAGE as error:
            self._missed("get_many", error)
            return {}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except OUTAGE as error:
            self._missed("set", error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except OUTAGE as error:
            self._missed("set_many", error)
            return list(data)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OUTAGE as error:
            self._missed("add", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except OUTAGE as error:
            self._missed("delete", error)
            return False
