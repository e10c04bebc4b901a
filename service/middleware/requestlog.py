"""Logs one JSON line per HTTP request: method, route path, status, duration, request id.

Only the route template is logged (`/v1/reports/{report_id}`, or the raw path when no route matched), never
the query string or body: `/v1/check?url=...` carries a user's URL, a report id is its reporter's secret,
and the extension's privacy path must leave no URL in logs. The request id comes from `X-Request-ID` when a
proxy set a sane one, else is made here, and is echoed back in the response.
A card, phone or IBAN in an unmatched raw path (`/v1/admin/entries/card:4400…`) is cut to its kind: logs
never hold indicators (docs/privacy.md).
"""

from __future__ import annotations

import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logs import access, request_id

__all__ = ["RequestLogMiddleware"]

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_INDICATOR = re.compile(r"(card|phone|iban)(:|%3a)[^/]*", re.IGNORECASE)


def _loggable(path: str) -> str:
    """Returns a request path with every indicator in it cut to its kind (`card:…`)."""
    return _INDICATOR.sub(lambda m: m.group(1).lower() + ":…", path) if ":" in path or "%" in path else path


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((value for name, value in scope.get("headers") or () if name == b"x-request-id"),
                        b"").decode("latin-1")
        rid = incoming if _SANE_ID.match(incoming) else os.urandom(8).hex()
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            state = scope.get("state") or {}
            path = getattr(scope.get("route"), "path", None) or _loggable(scope["path"])
            extra = {"http": {"method": scope["method"], "path": path}, "status": status,
                     "duration_ms": round((time.perf_counter() - started) * 1000, 2)}
            if "verdict" in state:
                extra["verdict"] = state["verdict"]
            access(f"{scope['method']} {path} {status}", extra)
            request_id.reset(token)
