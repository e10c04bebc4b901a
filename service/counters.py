"""Counters shared by every instance through Redis, or kept in this process: rate-limit windows and key usage.

    limiter = Limiter("redis://127.0.0.1:6379/0")
    decision = await limiter.hit(parse("120/minute"), "anon", "203.0.113.9")
    decision.allowed, decision.remaining, decision.reset_s     # -> True, 119, 60

Windows are the `limits` library's fixed-window strategy (`FixedWindowRateLimiter.hit` then
`get_window_stats`), on its Redis storage when ABAILA_REDIS_URL is set, else on its memory storage.

Redis is a dependency that must never stall or open the door (issue 10: with Redis refused every limit let
every request through; with Redis accepting and never answering every request took 5 s). So each Redis
call is bounded by `op_timeout_s` (100 ms, ABAILA_REDIS_TIMEOUT_MS), and a failure opens a circuit
`Breaker`: for `retry_s` the counters live in process memory (each instance then limits on its own: a
client spread over N instances gets up to N times the limit, never unlimited), after which one call tries
Redis again.
`degraded` says which is in force; /readyz and /metrics report it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import FixedWindowRateLimiter

__all__ = ["Breaker", "Decision", "KeyUsage", "Limiter", "OP_TIMEOUT_S", "RETRY_S"]

log = logging.getLogger("abaila.counters")

OP_TIMEOUT_S = 0.1  # seconds one Redis call may take before the counters fall back to memory
RETRY_S = 5.0  # seconds the breaker stays open before Redis is tried again
_USAGE_PREFIX = "abaila:usage:"  # Redis hash per key id: requests, urls, limited


class Breaker:
    """A circuit breaker: open (use the fallback) for retry_s after a failure, then half-open (try once)."""

    def __init__(self, name: str, *, retry_s: float = RETRY_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._retry_s = retry_s
        self._clock = clock
        self._down_since: float | None = None  # clock time of the last failure; None: closed (Redis in use)
        self.failures = 0  # calls that failed or timed out since start
        self.last_error = ""

    @property
    def is_open(self) -> bool:
        """Reports whether calls should skip Redis now."""
        return self._down_since is not None and self._clock() - self._down_since < self._retry_s

    @property
    def degraded(self) -> bool:
        """Reports whether the last Redis call failed (the fallback is, or will again be, in use)."""
        return self._down_since is not None

    def failed(self, exc: BaseException) -> None:
        if self._down_since is None:
            log.warning("%s: Redis unavailable, counting in this process: %s", self.name, _describe(exc))
        self._down_since = self._clock()
        self.failures += 1
        self.last_error = _describe(exc)

    def succeeded(self) -> None:
        if self._down_since is not None:
            log.warning("%s: Redis is back", self.name)
            self._down_since = None
            self.last_error = ""


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int  # requests per window
    remaining: int
    reset_s: int  # seconds until the window resets, at least 1


class Limiter:
    """Fixed-window rate limits (the `limits` strategy) in Redis or memory, behind a Breaker."""

    def __init__(self, redis_url: str | None = None, *, op_timeout_s: float = OP_TIMEOUT_S,
                 retry_s: float = RETRY_S, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.backend = "redis" if redis_url else "memory"
        self._redis_url = redis_url
        self._op_timeout_s = op_timeout_s
        self._wall = wall_clock
        self.breaker = Breaker("rate limits", retry_s=retry_s, clock=clock)
        self._memory: FixedWindowRateLimiter | None = None
        self._redis: FixedWindowRateLimiter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the storages' connections belong to

    @property
    def degraded(self) -> bool:
        return self._redis_url is not None and self.breaker.degraded

    def health(self) -> dict[str, Any]:
        return {"ok": not self.degraded, "required": False, "backend": self.backend,
                "fallback": "memory" if self.degraded else None, "error": self.breaker.last_error or None}

    def _limiters(self) -> tuple[FixedWindowRateLimiter, FixedWindowRateLimiter | None]:
        # Made inside the running loop (the async storages bind to it), again if the loop changed (a test
        # client without a lifespan runs each request in a new loop).
        if self._memory is None:  # kept across loops: its counters must not reset
            self._memory = FixedWindowRateLimiter(MemoryStorage())
        loop = asyncio.get_running_loop()
        if self._redis is None or loop is not self._loop:
            self._loop = loop
            if self._redis_url:
                uri = self._redis_url if self._redis_url.startswith("async+") else "async+" + self._redis_url
                storage = RedisStorage(uri, implementation="redispy", key_prefix="abaila:limits",
                                       socket_timeout=self._op_timeout_s, socket_connect_timeout=self._op_timeout_s)
                self._redis = FixedWindowRateLimiter(storage)
        return self._memory, self._redis

    async def hit(self, item: RateLimitItem, *identifiers: str) -> Decision:
        """Counts one request against item for identifiers; returns whether it is allowed and the window."""
        memory, redis = self._limiters()
        if redis is not None and not self.breaker.is_open:
            try:
                async with asyncio.timeout(self._op_timeout_s):
                    decision = await self._hit(redis, item, identifiers)
            except Exception as exc:  # noqa: BLE001 - a counter outage degrades, it never fails a request
                self.breaker.failed(exc)
            else:
                self.breaker.succeeded()
                return decision
        return await self._hit(memory, item, identifiers)

    async def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Reports whether one more hit would be allowed, without counting it."""
        memory, redis = self._limiters()
        if redis is not None and not self.breaker.is_open:
            try:
                async with asyncio.timeout(self._op_timeout_s):
                    allowed = await redis.test(item, *identifiers)
            except Exception as exc:  # noqa: BLE001
                self.breaker.failed(exc)
            else:
                self.breaker.succeeded()
                return allowed
        return await memory.test(item, *identifiers)

    async def _hit(self, limiter: FixedWindowRateLimiter, item: RateLimitItem,
                   identifiers: tuple[str, ...]) -> Decision:
        allowed = await limiter.hit(item, *identifiers)
        stats = await limiter.get_window_stats(item, *identifiers)
        reset = max(1, math.ceil(stats.reset_time - self._wall()))
        return Decision(allowed, item.amount, stats.remaining, reset)


class KeyUsage:
    """Per-key usage counters (requests, urls, limited): in this process, or Redis hashes every instance shares.

    Bookkeeping, never a dependency: Redis calls are bounded and behind a Breaker; while it is open the
    counts go to this process's counters, which `read` adds in.
    """

    def __init__(self, redis_url: str | None, *, op_timeout_s: float = OP_TIMEOUT_S, retry_s: float = RETRY_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._local: dict[str, Counter[str]] = {}
        self._redis_url = redis_url
        self._op_timeout_s = op_timeout_s
        self._redis: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.breaker = Breaker("key usage", retry_s=retry_s, clock=clock)

    def _client(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._redis_url and (self._redis is None or loop is not self._loop):
            self._loop = loop
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(self._redis_url, socket_timeout=self._op_timeout_s,
                                            socket_connect_timeout=self._op_timeout_s)
        return self._redis

    async def add(self, key_id: str, counts: dict[str, int]) -> None:
        client = self._client()
        if client is not None and not self.breaker.is_open:
            try:
                async with asyncio.timeout(self._op_timeout_s):
                    pipe = client.pipeline(transaction=False)
                    for name, n in counts.items():
                        if n:
                            pipe.hincrby(_USAGE_PREFIX + key_id, name, n)
                    await pipe.execute()
            except Exception as exc:  # noqa: BLE001 - usage is bookkeeping; it never fails a request
                self.breaker.failed(exc)
            else:
                self.breaker.succeeded()
                return
        self._local.setdefault(key_id, Counter()).update(counts)

    async def read(self, key_ids: Iterable[str] | None) -> dict[str, dict[str, int]]:
        client = self._client()
        blank = {"requests": 0, "urls": 0, "limited": 0}
        shared: dict[str, dict[str, int]] = {}
        if client is not None:
            try:
                async with asyncio.timeout(max(self._op_timeout_s * 20, 1.0)):  # an admin page, not a check
                    if key_ids is None:
                        ids = [k.decode()[len(_USAGE_PREFIX):]
                               async for k in client.scan_iter(match=_USAGE_PREFIX + "*")]
                    else:
                        ids = list(key_ids)
                    for key_id in ids:
                        raw = await client.hgetall(_USAGE_PREFIX + key_id)
                        shared[key_id] = {k.decode(): int(v) for k, v in raw.items()}
            except Exception as exc:  # noqa: BLE001
                self.breaker.failed(exc)
        wanted = set(shared) | set(self._local) if key_ids is None else set(key_ids)
        result = {}
        for key_id in wanted:
            counts = Counter(shared.get(key_id, {}))
            counts.update(self._local.get(key_id, {}))
            result[key_id] = {**blank, **counts}
        return result
