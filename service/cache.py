"""The signal cache: JSON values under string keys with a TTL, in process memory or in Redis (aiocache).

    cache = SignalCache(redis_url="redis://127.0.0.1:6379/0", pool_size=50)
    await cache.set("age:shop.kz", {"status": "registered", ...}, ttl_s=3 * 86400)
    await cache.get("age:shop.kz")   # -> the dict, or None on a miss

A cache is an optimisation, never a dependency. Every Redis operation is bounded by `op_timeout_s`; when
one fails, the cache marks Redis down, serves from a small in-process memory cache instead, and tries
Redis again after `retry_s`. Nothing raises to the caller because the cache failed: a miss is just a
miss. `health()` reports which backend is configured and whether it works right now.

Redis connections come from a *blocking* pool of `pool_size` (redis-py 8's default pool raises
"Too many connections" past its limit; a blocking pool makes the 101st command wait its turn).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

import redis.asyncio as redis_asyncio
from aiocache import RedisCache
from aiocache.serializers import JsonSerializer
from cachetools import TLRUCache

__all__ = ["SignalCache", "parse_redis_url"]

log = logging.getLogger(__name__)

NAMESPACE = "abaila:signals:"


def parse_redis_url(url: str) -> dict[str, Any]:
    """Returns aiocache RedisCache arguments for a redis:// or rediss:// URL; raises ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"not a redis:// URL: {url!r}")
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ValueError(f"Redis database must be a number: {url!r}")
    return {"endpoint": parts.hostname, "port": parts.port or 6379, "db": int(path or 0),
            "password": unquote(parts.password) if parts.password else None, "ssl": parts.scheme == "rediss"}


MEMORY_BYTES = 64 << 20  # bytes of JSON the in-process cache holds; least recently used values go first


class _Memory:
    """The in-process backend: JSON values with per-item TTLs, bounded by their size in bytes.

    Issue 10: the memory cache grew with attacker input (~2.2 KB per host, lifetimes up to 3 days), so it is
    a cachetools TLRUCache whose size is the JSON length of each value, not a count of entries.
    """

    def __init__(self, max_bytes: int, clock: Callable[[], float]) -> None:
        self._items: TLRUCache[str, tuple[float, int, dict[str, Any]]] = TLRUCache(
            maxsize=max_bytes, ttu=lambda _key, item, now: now + item[0], timer=clock,
            getsizeof=lambda item: item[1])

    async def get(self, key: str) -> dict[str, Any] | None:
        item = self._items.get(key)
        return None if item is None else item[2]

    async def set(self, key: str, value: dict[str, Any], ttl: int) -> None:
        size = len(json.dumps(value, separators=(",", ":"))) + len(key) + 100  # 100: the entry's own overhead
        if size <= self._items.maxsize and ttl > 0:
            self._items[key] = (float(ttl), size, value)

    @property
    def bytes(self) -> float:
        return self._items.currsize


class SignalCache:
    """Get/set JSON values with TTLs; Redis if a URL is given, else memory (see the module docstring)."""

    def __init__(self, redis_url: str | None = None, *, pool_size: int = 50, op_timeout_s: float = 0.05,
                 retry_s: float = 5.0, clock: Callable[[], float] = time.monotonic,
                 memory_bytes: int = MEMORY_BYTES) -> None:
        assert pool_size > 0 and op_timeout_s > 0
        self.kind = "redis" if redis_url else "memory"
        # The backend, or the fallback while Redis is down; no per-operation timeout (a dict never blocks).
        self._memory = _Memory(memory_bytes, clock)
        self._redis: RedisCache | None = None
        if redis_url:
            self._redis = RedisCache(
                serializer=JsonSerializer(), namespace=NAMESPACE, timeout=op_timeout_s,
                pool_max_size=pool_size, create_connection_timeout=op_timeout_s,
                connection_pool_class=redis_asyncio.BlockingConnectionPool,
                connection_pool_kwargs={"timeout": op_timeout_s, "socket_timeout": op_timeout_s},
                **parse_redis_url(redis_url))
        self._op_timeout_s = op_timeout_s
        self._retry_s = retry_s
        self._clock = clock
        self._down_since: float | None = None  # clock time Redis was last seen failing; None = up
        self.last_error = ""

    @property
    def is_ok(self) -> bool:
        """Reports whether the configured backend worked at its last use."""
        return self._down_since is None

    async def get(self, key: str) -> dict[str, Any] | None:
        """Returns the value under key, or None (a miss, or a cache that is not working)."""
        backend = self._backend()
        try:
            value = await backend.get(key)
        except Exception as exc:  # noqa: BLE001 - the cache never fails a lookup
            self._mark_down(exc)
            value = await self._memory.get(key)
        else:
            self._mark_up(backend)
        return value if isinstance(value, dict) else None

    async def set(self, key: str, value: dict[str, Any], ttl_s: int) -> None:
        """Stores value under key for ttl_s seconds; a failure is logged and otherwise ignored."""
        backend = self._backend()
        try:
            await backend.set(key, value, ttl=int(ttl_s))
        except Exception as exc:  # noqa: BLE001 - the cache never fails a lookup
            self._mark_down(exc)
            await self._memory.set(key, value, ttl=int(ttl_s))
            return
        self._mark_up(backend)

    async def ping(self) -> bool:
        """Reports whether the configured backend answers now (and records it for `is_ok`)."""
        if self._redis is None:
            return True
        try:
            async with asyncio.timeout(self._op_timeout_s):
                await self._redis.client.ping()
        except Exception as exc:  # noqa: BLE001
            self._mark_down(exc)
            return False
        self._mark_up(self._redis)
        return True


    async def close(self) -> None:
        if self._redis is not None:
            try:
                await self._redis.close()
                await self._redis.client.aclose()
            except Exception as exc:  # noqa: BLE001 - closing a dead connection is not worth raising
                log.debug("cache: closing Redis: %r", exc)

    def _backend(self) -> Any:
        if self._redis is None:
            return self._memory
        if self._down_since is not None and self._clock() - self._down_since < self._retry_s:
            return self._memory
        return self._redis

    def _mark_down(self, exc: BaseException) -> None:
        if self._down_since is None:
            log.warning("cache: Redis unavailable, continuing without it: %r", exc)
        self._down_since = self._clock()
        self.last_error = repr(exc)

    def _mark_up(self, backend: Any) -> None:
        if backend is self._redis and self._down_since is not None:
            log.warning("cache: Redis is back")
            self._down_since = None
            self.last_error = ""
