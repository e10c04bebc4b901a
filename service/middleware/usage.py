"""Counts per-key usage of the check routes: requests, URLs checked, requests refused by the rate limit.

    principal in scope state (AuthenticationMiddleware) ─> app ─> 429: limited += 1
                                                                   else: requests += 1, urls += urls_checked

A batch of 500 URLs is one request and 500 URLs. Admins read the counters with `await key_usage(app)`
(`app.state.key_usage` is the service.counters.KeyUsage create_app hands to this middleware).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from service.counters import KeyUsage
from service.middleware._status import ResponseStatus

__all__ = ["UsageMiddleware", "key_usage"]


class UsageMiddleware:
    def __init__(self, app: ASGIApp, *, usage: KeyUsage, paths: Iterable[str]) -> None:
        self.app = app
        self.usage = usage
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        recorder = ResponseStatus(send)
        await self.app(scope, receive, recorder)
        state = scope.get("state") or {}
        principal = state.get("principal")
        if principal is None:
            return
        if recorder.status == 429:
            await self.usage.add(str(principal.id), {"limited": 1})
        else:
            await self.usage.add(str(principal.id), {"requests": 1, "urls": int(state.get("urls_checked", 1))})


async def key_usage(app: Any, key_id: str | None = None) -> dict[str, dict[str, int]]:
    """Returns per-key usage `{key_id: {"requests", "urls", "limited"}}` (all keys, or only key_id)."""
    usage: KeyUsage | None = getattr(app.state, "key_usage", None)
    if usage is None:
        return {}
    return await usage.read(None if key_id is None else [key_id])
