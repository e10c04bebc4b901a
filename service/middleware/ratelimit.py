"""Rate limits on the check routes: per API key, or per client address for anonymous callers.

    request ─> limited path? ──no──> app
                  │yes
                  ├─ a credential (Authorization: Bearer, or `?key=` on /v4/) ─> service.auth.authenticate
                  │     bad key: 401 here, even where a key is optional
                  │     the key's rate ("50/second"; "none": unlimited; unset: ABAILA_KEY_RATE)
                  └─ no credential ─> ABAILA_ANON_RATE per client address
               ─> fixed window (the `limits` library; memory, or Redis when ABAILA_REDIS_URL is set, so
                  every instance shares the counters) ─> over: 429 `rate_limited` + Retry-After
               ─> every answer of a limited route carries RateLimit-Limit, RateLimit-Remaining and
                  RateLimit-Reset (seconds until the window resets; draft-ietf-httpapi-ratelimit-headers)

Some public routes are limited per client address only, whatever credential they carry, with their own
rate and counter (`address_paths`: {path: (method, rate, name)}; create_app passes POST /v1/reports,
10 per 10 minutes): the same storage, so with Redis every instance shares those counts too.

A request costs 1 whatever it carries: a batch of 500 URLs is one request (its URLs are counted in the
key's usage, not against its rate). The authenticated principal is left in `request.state.principal` so
endpoints do not authenticate twice; `require_principal(request)` is what an endpoint that needs a key
calls. If the limit storage fails (Redis down), the request is let through and the failure logged: a
bank's payment flow must not stop because the counter store did.

Admins see per-key usage with `await key_usage(app)` (or `key_usage(app, key_id)`; `app.state.key_usage`
is the KeyUsage that create_app hands to this middleware):
`{key_id: {"requests": n, "urls": n, "limited": n}}` since the counters were created (Redis: shared
and kept across restarts; memory: this process only).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import AbailaError, ConfigError, RateLimited, Unauthorized

__all__ = ["DEFAULT_KEY_RATE", "LIMITED_PATHS", "KeyUsage", "RateLimitMiddleware", "key_usage", "parse_rate",
           "require_principal"]

log = logging.getLogger("abaila.ratelimit")

DEFAULT_KEY_RATE = "20/second"  # for a key made without --rate; ABAILA_KEY_RATE overrides
LIMITED_PATHS = frozenset({"/v1/check", "/v1/check/batch", "/v4/threatMatches:find", "/v1/lookup/prefixes"})
_USAGE_PREFIX = "abaila:usage:"  # Redis hash per key id: requests, urls, limited


def parse_rate(value: str, *, name: str) -> RateLimitItem | None:
    """Returns the limit a rate string means ("120/minute", "50/second"), None for "none"; raises ConfigError."""
    text = value.strip().lower()
    if text in ("none", "unlimited"):
        return None
    try:
        return parse(text)
    except ValueError:
        raise ConfigError(f"{name} must be a rate like 120/minute or 50/second, or none, not {value!r}") from None


def _has_credential(scope: Scope) -> bool:
    for name, _ in scope.get("headers") or ():
        if name == b"authorization":
            return True
    return False


def _key_from_query(scope: Scope) -> None:
    """Moves `?key=` into an Authorization header: Safe Browsing clients send their key that way."""
    if _has_credential(scope) or b"key=" not in scope.get("query_string", b""):
        return
    from urllib.parse import parse_qs

    keys = parse_qs(scope["query_string"].decode("latin-1")).get("key")
    if keys and keys[0]:
        scope["headers"] = [*scope.get("headers", ()), (b"authorization", b"Bearer " + keys[0].encode("latin-1"))]


async def _authenticate(request: Request) -> Any:
    from service.auth import authenticate  # the store and keys live there

    return await authenticate(request)


async def require_principal(request: Request) -> Any:
    """Returns the caller's Principal (authenticated once per request); raises Unauthorized without a key."""
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        return principal
    if not _has_credential(request.scope):
        raise Unauthorized("this route needs an API key: send Authorization: Bearer <key>")
    principal = await _authenticate(request)
    request.state.principal = principal
    return principal


class KeyUsage:
    """Per-key usage counters: in this process, or in Redis hashes shared by every instance."""

    def __init__(self, redis_url: str | None) -> None:
        self._local: dict[str, Counter[str]] = {}
        self._redis_url = redis_url
        self._redis: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _client(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._redis_url and (self._redis is None or loop is not self._loop):
            self._loop = loop
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(self._redis_url, socket_timeout=0.5)
        return self._redis

    async def add(self, key_id: str, counts: dict[str, int]) -> None:
        client = self._client()
        if client is None:
            self._local.setdefault(key_id, Counter()).update(counts)
            return
        try:
            pipe = client.pipeline(transaction=False)
            for field, n in counts.items():
                if n:
                    pipe.hincrby(_USAGE_PREFIX + key_id, field, n)
            await pipe.execute()
        except Exception as exc:  # usage is bookkeeping; it never fails a request
            log.warning("key usage not recorded: %s: %s", type(exc).__name__, exc)

    async def read(self, key_ids: Iterable[str] | None) -> dict[str, dict[str, int]]:
        client = self._client()
        blank = {"requests": 0, "urls": 0, "limited": 0}
        if client is None:
            ids = list(self._local) if key_ids is None else list(key_ids)
            return {k: {**blank, **self._local.get(k, {})} for k in ids}
        if key_ids is None:
            ids = [k.decode()[len(_USAGE_PREFIX):] async for k in client.scan_iter(match=_USAGE_PREFIX + "*")]
        else:
            ids = list(key_ids)
        result = {}
        for key_id in ids:
            raw = await client.hgetall(_USAGE_PREFIX + key_id)
            result[key_id] = {**blank, **{k.decode(): int(v) for k, v in raw.items()}}
        return result


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, anon_rate: str = "120/minute", key_rate: str = DEFAULT_KEY_RATE,
                 redis_url: str | None = None, paths: Iterable[str] = LIMITED_PATHS,
                 usage: KeyUsage | None = None,
                 address_paths: dict[str, tuple[str, str, str]] | None = None) -> None:
        self.app = app
        # path -> (method, limit, counter name): limited per client address only (e.g. POST /v1/reports)
        self.address_paths = {path: (method.upper(), parse_rate(rate, name=f"rate of {path}"), name)
                              for path, (method, rate, name) in (address_paths or {}).items()}
        self.anon_limit = parse_rate(anon_rate, name="ABAILA_ANON_RATE")
        self.key_rate = key_rate
        parse_rate(key_rate, name="ABAILA_KEY_RATE")
        self.paths = frozenset(paths)
        self.redis_url = redis_url
        self._limiter: FixedWindowRateLimiter | None = None
        self._storage: Storage | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the storage's connections belong to
        self.usage = usage or KeyUsage(redis_url)
        self._keys: dict[tuple[RateLimitItem, tuple[str, str]], str] = {}  # storage keys, built once

    def _get_limiter(self) -> FixedWindowRateLimiter:
        # Made on the first request, inside the server's event loop (the async storages bind to it); made
        # again if the loop changed (a test client without a lifespan runs each request in a new loop).
        loop = asyncio.get_running_loop()
        if self._limiter is None or loop is not self._loop:
            self._loop = loop
            if self.redis_url:
                from limits.aio.storage import RedisStorage

                uri = "async+" + self.redis_url if not self.redis_url.startswith("async+") else self.redis_url
                self._storage = RedisStorage(uri, implementation="redispy", key_prefix="abaila:limits")
            else:
                self._storage = MemoryStorage()
            self._limiter = FixedWindowRateLimiter(self._storage)
        return self._limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self.address_paths:
            method, limit, name = self.address_paths[scope["path"]]
            if scope["method"] == method and limit is not None:
                await self._address_limited(scope, receive, send, limit, name)
                return
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["route_template"] = scope["path"]  # for metrics, if answered here
        if scope["path"].startswith("/v4/"):
            _key_from_query(scope)
        principal = None
        if _has_credential(scope):
            request = Request(scope, receive)
            try:
                principal = await _authenticate(request)
            except AbailaError as exc:
                await _error(exc)(scope, receive, send)
                return
            request.state.principal = principal
        if principal is None:
            client = scope.get("client")
            item, ident = self.anon_limit, ("anon", client[0] if client else "unknown")
        else:
            rate = getattr(principal, "rate", None) or self.key_rate
            item = parse_rate(rate, name="key rate") if rate else None
            ident = ("key", str(principal.id))

        headers: list[tuple[bytes, bytes]] = []
        if item is not None:
            allowed, headers = await self._hit(item, ident)
            if not allowed:
                if principal is not None:
                    await self.usage.add(str(principal.id), {"limited": 1})
                retry = dict(headers)[b"ratelimit-reset"].decode()
                exc = RateLimited(f"rate limit of {item.amount} per {item.get_expiry()} s reached; "
                                  f"retry in {retry} s", headers={"Retry-After": retry})
                await _error(exc, headers)(scope, receive, send)
                return

        await self.app(scope, receive, _with_headers(send, headers))
        if principal is not None:
            state = scope.get("state") or {}
            await self.usage.add(str(principal.id), {"requests": 1, "urls": int(state.get("urls_checked", 1))})

    async def _address_limited(self, scope: Scope, receive: Receive, send: Send, item: RateLimitItem,
                               name: str) -> None:
        scope.setdefault("state", {})["route_template"] = scope["path"]  # for metrics, if answered here
        client = scope.get("client")
        allowed, headers = await self._hit(item, (name, client[0] if client else "unknown"))
        if not allowed:
            retry = dict(headers)[b"ratelimit-reset"].decode()
            minutes = item.get_expiry() // 60
            per = f"{minutes} minutes" if minutes > 1 and item.get_expiry() % 60 == 0 else f"{item.get_expiry()} s"
            exc = RateLimited(f"at most {item.amount} per {per} from one address; retry in {retry} s",
                              headers={"Retry-After": retry})
            await _error(exc, headers)(scope, receive, send)
            return

        await self.app(scope, receive, _with_headers(send, headers))

    async def _hit(self, item: RateLimitItem, ident: tuple[str, str]) -> tuple[bool, list[tuple[bytes, bytes]]]:
        """Counts one request; returns whether it is allowed and the RateLimit-* headers."""
        # The fixed-window strategy spelled out on the storage: one increment and one expiry read, where
        # hit() + get_window_stats() would build the key twice and read the counter again.
        key = self._keys.get((item, ident))
        if key is None:
            if len(self._keys) > 100_000:
                self._keys.clear()
            key = self._keys[(item, ident)] = item.key_for(*ident)
        try:
            self._get_limiter()
            assert self._storage is not None
            count = await self._storage.incr(key, item.get_expiry())
            reset_at = await self._storage.get_expiry(key)
        except Exception as exc:  # the counter store is down: let the request through, say so in the log
            log.warning("rate limit storage failed, request let through: %s: %s", type(exc).__name__, exc)
            return True, []
        reset = max(1, math.ceil(reset_at - time.time()))
        return count <= item.amount, [(b"ratelimit-limit", str(item.amount).encode()),
                                      (b"ratelimit-remaining", str(max(0, item.amount - count)).encode()),
                                      (b"ratelimit-reset", str(reset).encode())]


def _with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """Returns send, adding the RateLimit-* headers to the response start."""
    if not headers:
        return send

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = list(message.get("headers", ())) + headers
        await send(message)

    return send_with_headers


def _error(exc: AbailaError, extra: list[tuple[bytes, bytes]] | None = None) -> JSONResponse:
    response = JSONResponse(exc.to_json(), status_code=exc.status, headers=exc.headers)
    for name, value in extra or ():
        response.headers[name.decode()] = value.decode()
    return response


async def key_usage(app: Any, key_id: str | None = None) -> dict[str, dict[str, int]]:
    """Returns per-key usage `{key_id: {"requests", "urls", "limited"}}` (all keys, or only key_id)."""
    usage: KeyUsage | None = getattr(app.state, "key_usage", None)
    if usage is None:
        return {}
    return await usage.read(None if key_id is None else [key_id])
