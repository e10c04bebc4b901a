"""Prometheus metrics, one registry per app, and `GET /metrics` in the text exposition format.

| metric                                    | kind      | labels                  |
|-------------------------------------------|-----------|-------------------------|
| abaila_http_requests_total                | counter   | route (template), method, status |
| abaila_http_request_duration_seconds      | histogram | route, method           |
| abaila_verdicts_total                     | counter   | level                   |
| abaila_lookups_total                      | counter   | layer: cache, rdap, whois, dns, coalesced |
| abaila_index_entries                      | gauge     |                         |
| abaila_lists_info                         | gauge (1) | version (the list snapshot key) |
| abaila_degraded                           | gauge 0/1 | component: ratelimit, key_usage (1: counting in-process) |
| abaila_feed_entries                       | gauge     | feed                    |
| abaila_feed_last_success_age_seconds      | gauge     | feed                    |
| abaila_feed_consecutive_failures          | gauge     | feed                    |

The route label is the route's template (`/v1/check`, `/v1/reports/{id}`), never the URL asked about:
paths that match no route are counted as `unmatched`, and a method outside KNOWN_METHODS as `other`, so
scanners cannot grow the label set (issue 10: 2,000 made-up methods made 38,000 series). With
`abaila serve --workers N`, each worker process answers /metrics with its own counters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["Metrics", "routes"]

# Seconds; a cached check takes well under a millisecond, a cold one up to the check deadline (1.5 s).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})  # others: "other"
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _AppState:
    """Reads index size, list version and lookup counters from the app at scrape time."""

    def __init__(self) -> None:
        self._state: Any = None  # the app's state, once the app exists

    def collect(self) -> Iterator[Any]:
        checker = getattr(self._state, "checker", None)
        engine = getattr(self._state, "engine", None)
        loaded = engine.loaded if engine is not None else None
        entries = GaugeMetricFamily("abaila_index_entries", "Entries in the list index (blocklists and allowlist)")
        if checker is not None:
            entries.add_metric([], len(checker.index))
        yield entries
        info = GaugeMetricFamily("abaila_lists_info", "The loaded lists' version (snapshot key)", labels=["version"])
        if loaded is not None:
            info.add_metric([str(getattr(loaded, "version", ""))], 1)
        yield info
        yield from self._feeds(getattr(engine, "feeds", None))
        lookups = CounterMetricFamily("abaila_lookups", "Slow-signal answers by layer", labels=["layer"])
        stats = getattr(getattr(checker, "slow", None), "stats", None) or {}
        for layer, count in sorted(stats.items()):
            lookups.add_metric([layer], count)
        yield lookups
        degraded = GaugeMetricFamily("abaila_degraded", "1 while a Redis-backed component falls back to this process",
                                     labels=["component"])
        limiter = getattr(self._state, "limiter", None)
        if limiter is not None:
            degraded.add_metric(["ratelimit"], int(limiter.degraded))
        usage = getattr(self._state, "key_usage", None)
        if usage is not None:
            degraded.add_metric(["key_usage"], int(usage.breaker.degraded))
        yield degraded


    @staticmethod
    def _feeds(syncer: Any) -> Iterator[Any]:
        entries = GaugeMetricFamily("abaila_feed_entries", "Entries in each feed's last good contents", labels=["feed"])
        age = GaugeMetricFamily("abaila_feed_last_success_age_seconds",
                                "Seconds since each feed's last successful sync (absent: never)", labels=["feed"])
        failures = GaugeMetricFamily("abaila_feed_consecutive_failures", "Failed syncs in a row, per feed",
                                     labels=["feed"])
        if syncer is not None:
            now = syncer.now()
            for name in sorted(syncer.feeds):
                record = syncer.records.get(name)
                entries.add_metric([name], record.entries if record else 0)
                failures.add_metric([name], record.failures if record else 0)
                if record is not None and record.last_success is not None:
                    age.add_metric([name], max(0.0, (now - record.last_success).total_seconds()))
        yield from (entries, age, failures)


class Metrics:
    """The app's metrics; MetricsMiddleware records requests into it."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("abaila_http_requests", "HTTP requests by route template, method and status",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("abaila_http_request_duration_seconds", "HTTP request latency by route template",
                                 ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.verdicts = Counter("abaila_verdicts", "Verdicts given, by level", ["level"], registry=self.registry)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._verdict_children: dict[str, Any] = {}
        self._app_state = _AppState()
        self.registry.register(self._app_state)

    def watch(self, app_state: Any) -> None:
        """Reports index size, list version and lookup counters from this app state at each scrape."""
        self._app_state._state = app_state

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        method = method if method in KNOWN_METHODS else "other"
        # labels() costs more than the increment itself; the label sets are few, so keep their children.
        children = self._children.get((route, method, status))
        if children is None:
            children = self._children[(route, method, status)] = (
                self.requests.labels(route, method, str(status)), self.latency.labels(route, method))
        children[0].inc()
        children[1].observe(seconds)

    def count_verdict(self, level: str, count: int = 1) -> None:
        child = self._verdict_children.get(level)
        if child is None:
            child = self._verdict_children[level] = self.verdicts.labels(level)
        child.inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)


async def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)


routes = [Route("/metrics", metrics, methods=["GET"])]

openapi_paths: dict[str, Any] = {
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {
        "200": {"description": "Text exposition format", "content": {"text/plain": {}}}}}},
}
