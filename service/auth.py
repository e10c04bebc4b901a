"""Bearer tokens to principals: who is calling, with which role and rate limit.

    Authorization: Bearer abk_... ──sha256──> api_keys.token_hash ──> Principal(id, name, role, rate)

Tokens are 256-bit random secrets printed once by `abaila keys create`; the store keeps only their
SHA-256 (no salt is needed for random secrets), found by an indexed lookup and then compared in constant
time. Roles: `moderator` (the admin API and /admin), `bank` (batch checks, higher rate limits), `admin`
(everything, including API keys). An admin passes every role check.

A missing or unknown token is 401 with `WWW-Authenticate: Bearer`; a known token with the wrong role is
403. A principal is cached for TOKEN_CACHE_SECONDS per instance, so a revoked key stops working on every
instance within that time (at once on the instance that revoked it).

Example::

    principal = await authenticate(request, roles={"moderator"})   # -> Principal(3, "aigerim", Role.MODERATOR, None)
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from starlette.requests import Request

from service.errors import Forbidden, RateLimited, Unauthorized
from service.middleware.proxy import client_key
from service.store import TOKEN_CACHE_SECONDS, Role, Store, hash_token

__all__ = ["TOKEN_CACHE_SECONDS", "Principal", "authenticate", "bearer_token", "forget_tokens", "principal_for_token"]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="abaila"'}
# Unknown tokens per client address before 429 when the app sets no app.state.bad_token_limit
# (ABAILA_BAD_TOKEN_RATE; app.state.limiter counts them).
BAD_TOKEN_RATE = "30/minute"
_BAD_TOKENS = parse(BAD_TOKEN_RATE)
_MAX_TOKEN_LENGTH = 200  # characters; ours are 47


@dataclass(frozen=True, slots=True)
class Principal:
    id: int
    name: str
    role: Role
    rate: str | None  # per-key rate limit ("50/second", "none"); None: the deployment's default


def forget_tokens(store: Store) -> None:
    """Drops the principals cached for store (after a revocation through this instance)."""
    store.token_cache.clear()


def bearer_token(request: Request) -> str | None:
    """Returns the token of an `Authorization: Bearer` header, or None when there is none."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def principal_for_token(store: Store, token: str) -> Principal | None:
    """Returns the principal of a live token, or None for an unknown or revoked one."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token)
    cache = store.token_cache  # digest -> Principal | None, for TOKEN_CACHE_SECONDS; the store owns it
    if digest in cache:
        cached: Principal | None = cache[digest]
        return cached
    found = await store.key_for_hash(digest)
    principal = None
    if found is not None and hmac.compare_digest(found[1], digest):
        key = found[0]
        principal = Principal(key.id, key.name, key.role, key.rate)
    cache[digest] = principal
    return principal


async def authenticate(request: Request, *, roles: Collection[str] | None = None) -> Principal:
    """Returns the caller's principal; raises Unauthorized (401) or Forbidden (403, role not in roles)."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("this route needs an API token: Authorization: Bearer <token>", headers=_CHALLENGE)
    store: Any = getattr(request.app.state, "store", None)
    if store is None:
        raise Unauthorized("the store is not available, so no token can be checked", headers=_CHALLENGE)
    # Unknown tokens are budgeted per client address (issue 10: made-up tokens were never limited and each
    # cost a store lookup); past BAD_TOKEN_RATE the address gets 429 without a lookup.
    limiter: Any = getattr(request.app.state, "limiter", None)
    budget: RateLimitItem | None = getattr(request.app.state, "bad_token_limit", _BAD_TOKENS)
    if budget is None:  # ABAILA_BAD_TOKEN_RATE=none
        limiter = None
    address = client_key(request.scope)
    if limiter is not None and not await limiter.test(budget, "bad-token", address):
        raise RateLimited(f"too many unknown API tokens from this address (at most {budget}); retry later",
                          headers={"Retry-After": "60"})
    principal = await principal_for_token(store, token)
    if principal is None:
        if limiter is not None:
            await limiter.hit(budget, "bad-token", address)
        raise Unauthorized("the API token is unknown or revoked",
                           headers={"WWW-Authenticate": 'Bearer realm="abaila", error="invalid_token"'})
    if roles is not None and principal.role not in roles and principal.role != Role.ADMIN:
        raise Forbidden(f"this route needs the role {' or '.join(sorted(roles))}; this token is '{principal.role}'")
    request.state.principal = principal
    return principal
