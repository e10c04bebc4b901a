"""Rate limits on the check routes: per API key, or per client address for anonymous callers.

    request ─> limited path? ──no──> app
                  │yes
                  ├─ a principal (AuthenticationMiddleware) ─> the key's rate ("50/second"; "none":
                  │     unlimited; unset: ABAILA_KEY_RATE), counted per key
                  └─ anonymous ─> ABAILA_ANON_RATE, counted per client address (an IPv6 client per /64)
               ─> service.counters.Limiter (the `limits` fixed-window strategy; Redis shared by every
                  instance, memory while Redis fails) ─> over: 429 `rate_limited` + Retry-After
               ─> every answer of a limited route carries RateLimit-Limit, RateLimit-Remaining and
                  RateLimit-Reset (seconds until the window resets; draft-ietf-httpapi-ratelimit-headers)

Some public routes are limited per client address only, whatever credential they carry, with their own
rate and counter (`address_paths`: {path: (method, rate, name)}; create_app passes POST /v1/reports,
10 per 10 minutes; a key ending in "/" covers every path under it: GET /v1/indicators/range/, 600 a minute).
A request costs 1 whatever it carries: a batch of 500 URLs is one request. The client
address is the socket's, or the one service.middleware.proxy believed from a trusted proxy.
"""

from __future__ import annotations

from collections.abc import Iterable

from limits import RateLimitItem, parse
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.counters import Decision, Limiter
from service.errors import ConfigError, RateLimited
from service.middleware.proxy import client_key

__all__ = ["DEFAULT_KEY_RATE", "LIMITED_PATHS", "RateLimitMiddleware", "parse_rate"]

DEFAULT_KEY_RATE = "20/second"  # for a key made without --rate; ABAILA_KEY_RATE overrides
LIMITED_PATHS = frozenset({"/v1/check", "/v1/check/batch", "/v4/threatMatches:find", "/v1/lookup/prefixes",
                           "/v1/indicators/check"})


def parse_rate(value: str, *, name: str) -> RateLimitItem | None:
    """Returns the limit a rate string means ("120/minute", "50/second"), None for "none"; raises ConfigError."""
    text = value.strip().lower()
    if text in ("none", "unlimited"):
        return None
    try:
        return parse(text)
    except ValueError:
        raise ConfigError(f"{name} must be a rate like 120/minute or 50/second, or none, not {value!r}") from None


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limiter: Limiter, anon_rate: str = "120/minute",
                 key_rate: str = DEFAULT_KEY_RATE, paths: Iterable[str] = LIMITED_PATHS,
                 address_paths: dict[str, tuple[str, str, str]] | None = None) -> None:
        self.app = app
        self.limiter = limiter
        # path -> (method, limit, counter name): limited per client address only (e.g. POST /v1/reports)
        self.address_paths = {path: (method.upper(), parse_rate(rate, name=f"rate of {path}"), name)
                              for path, (method, rate, name) in (address_paths or {}).items()}
        self.anon_limit = parse_rate(anon_rate, name="ABAILA_ANON_RATE")
        self.key_limit = parse_rate(key_rate, name="ABAILA_KEY_RATE")
        self.paths = frozenset(paths)
        self._key_limits: dict[str, RateLimitItem | None] = {}  # a key's rate string, parsed once

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        found = self._address_rule(path)
        if found is not None:
            template, (method, limit, name) = found
            if scope["method"] == method and limit is not None:
                await self._limited(scope, receive, send, limit, (name, client_key(scope)), per_address=True,
                                    template=template)
                return
        if path not in self.paths:
            await self.app(scope, receive, send)
            return
        principal = (scope.get("state") or {}).get("principal")
        if principal is None:
            limit, ident = self.anon_limit, ("anon", client_key(scope))
        else:
            limit, ident = self._key_limit(getattr(principal, "rate", None)), ("key", str(principal.id))
        if limit is None:
            await self.app(scope, receive, send)
            return
        await self._limited(scope, receive, send, limit, ident, per_address=False)

    def _address_rule(self, path: str) -> tuple[str, tuple[str, RateLimitItem | None, str]] | None:
        """Returns (the rule's path, its rule) for a request path: an exact key, or its "/"-ending parent."""
        if path in self.address_paths:
            return path, self.address_paths[path]
        parent = path[:path.rindex("/") + 1] if "/" in path else path  # "/v1/indicators/range/" covers ranges
        return (parent, self.address_paths[parent]) if parent in self.address_paths else None

    def _key_limit(self, rate: str | None) -> RateLimitItem | None:
        if not rate:
            return self.key_limit
        if rate not in self._key_limits:
            self._key_limits[rate] = parse_rate(rate, name="key rate")
        return self._key_limits[rate]

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: RateLimitItem,
                       ident: tuple[str, str], *, per_address: bool, template: str | None = None) -> None:
        # For metrics, if answered here: the rule's path, so /v1/indicators/range/<each range> is one label.
        scope.setdefault("state", {})["route_template"] = template or scope["path"]
        decision = await self.limiter.hit(limit, *ident)
        headers = _headers(decision)
        if not decision.allowed:
            expiry = limit.get_expiry()
            if per_address:
                minutes = expiry // 60
                per = f"{minutes} minutes" if minutes > 1 and expiry % 60 == 0 else f"{expiry} s"
                message = f"at most {limit.amount} per {per} from one address; retry in {decision.reset_s} s"
            else:
                message = f"rate limit of {limit.amount} per {expiry} s reached; retry in {decision.reset_s} s"
            exc = RateLimited(message, headers={"Retry-After": str(decision.reset_s)})
            response = JSONResponse(exc.to_json(), status_code=exc.status, headers={**exc.headers, **dict(headers)})
            await response(scope, receive, send)
            return
        raw = [(name.lower().encode(), value.encode()) for name, value in headers]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", ())) + raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _headers(decision: Decision) -> list[tuple[str, str]]:
    return [("RateLimit-Limit", str(decision.limit)), ("RateLimit-Remaining", str(decision.remaining)),
            ("RateLimit-Reset", str(decision.reset_s))]
