"""Resolves the credential of an API request to a principal, once, before limits and usage look at it.

    Authorization: Bearer <key>   (or `?key=<key>` on /v4/, as Safe Browsing clients send it)
        ─> service.auth.authenticate ─> scope["state"]["principal"]     bad key: 401 here, even where a key
                                                                         is optional
    no credential ─> no principal: the caller is anonymous

Only on `paths` (the check routes); other routes authenticate themselves with service.auth.authenticate.
`require_principal(request)` is what an endpoint that needs a key calls. Unknown tokens are budgeted per
client address in service.auth.authenticate (30 a minute, then 429 without a store lookup).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from service.errors import AbailaError, Unauthorized

__all__ = ["AuthenticationMiddleware", "require_principal"]


def _has_credential(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope.get("headers") or ())


def _key_from_query(scope: Scope) -> None:
    """Moves `?key=` into an Authorization header: Safe Browsing clients send their key that way."""
    if _has_credential(scope) or b"key=" not in scope.get("query_string", b""):
        return
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


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp, *, paths: Iterable[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/v4/"):
            _key_from_query(scope)
        if _has_credential(scope):
            scope.setdefault("state", {})["route_template"] = scope["path"]  # for metrics, if answered here
            try:
                await require_principal(Request(scope, receive))
            except AbailaError as exc:
                response = JSONResponse(exc.to_json(), status_code=exc.status, headers=exc.headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
