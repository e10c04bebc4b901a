"""Records each HTTP request in the app's Metrics: route template, method, status, latency, verdicts.

The route label is the matched route's template (`scope["route"].path`), never the raw path; a request
that matched no route is `unmatched`. Endpoints report verdict levels through request state: `verdict`
(one level) or `verdicts` (a Counter of levels, for a batch).
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from service.metrics import Metrics
from service.middleware._status import ResponseStatus

__all__ = ["MetricsMiddleware"]


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        recorder = ResponseStatus(send)
        try:
            await self.app(scope, receive, recorder)
        finally:
            state = scope.get("state") or {}
            # A middleware that answers before routing (rate limits) names the route in state.
            template = getattr(scope.get("route"), "path", None) or state.get("route_template") or "unmatched"
            self.metrics.observe(template, scope["method"], recorder.status, time.perf_counter() - started)
            if "verdict" in state:
                self.metrics.count_verdict(state["verdict"])
            for level, count in (state.get("verdicts") or {}).items():
                self.metrics.count_verdict(level, count)
