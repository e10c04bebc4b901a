"""The ASGI application, put together in one place: routes, middleware order, error rendering, lifespan.

Start-up (lifespan): load the lists into the index (from a cached snapshot when unchanged, else built in
a child process), start the slow-signal lookups, then serve. Errors raised anywhere as `AbailaError` become the
JSON envelope `{"error": {"code", "message", "field"}}` here and nowhere else; anything unexpected is a
500 with the same envelope and no stack trace.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from service import __version__, metrics
from service.api import admin, adminpage, batch, check, health, indicators, lookup, page, reports, safebrowsing
from service.api.openapi import build_openapi
from service.counters import KeyUsage, Limiter
from service.engine import open_engine
from service.errors import AbailaError
from service.middleware.auth import AuthenticationMiddleware
from service.middleware.metrics import MetricsMiddleware
from service.middleware.proxy import ProxyHeadersMiddleware
from service.middleware.ratelimit import LIMITED_PATHS, RateLimitMiddleware, parse_rate
from service.middleware.requestlog import RequestLogMiddleware
from service.middleware.usage import UsageMiddleware
from service.settings import Settings

__all__ = ["create_app"]

log = logging.getLogger("abaila.app")

_API_MODULES = (check, batch, safebrowsing, lookup, health, metrics, admin, reports, adminpage, page, indicators)

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request", 413: "payload_too_large"}


async def _abaila_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AbailaError)
    return JSONResponse(exc.to_json(), status_code=exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "HTTP error"
    if exc.status_code == 404:
        message = f"no route for {request.url.path}"
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=exc.status_code,
                        headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": {"code": "internal", "message": "internal error; it has been logged"}},
                        status_code=500)


def create_app(settings: Settings | None = None) -> Starlette:
    """Returns the Abaila ASGI app configured from settings (default: the ABAILA_* environment)."""
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = await open_engine(settings)
        app.state.engine, app.state.checker = engine, engine.checker
        app.state.store, app.state.live = engine.store, engine.live
        if engine.slow is not None:
            slow = engine.slow

            async def signals_probe() -> dict[str, Any]:
                # A cache outage degrades (checks go on uncached); it is reported but does not make the
                # instance unready, or a Redis blip would take every instance out of the load balancer.
                health = await slow.health()
                return {"ok": bool(health.get("cache_ok", True)), "required": False, **health}

            app.state.readiness_probes["signals"] = signals_probe

        async def store_probe() -> dict[str, Any]:
            return {**await engine.store.ping(), "applied": engine.live.version, "poll_error": engine.live.last_error}

        app.state.readiness_probes["store"] = store_probe

        async def ratelimit_probe() -> dict[str, Any]:
            return limiter.health()

        app.state.readiness_probes["ratelimit"] = ratelimit_probe
        if engine.feeds is not None:
            feeds = engine.feeds

            async def feeds_probe() -> dict[str, Any]:
                # A failing feed keeps its last good contents: reported here, but the instance stays ready.
                rows = feeds.status()
                failing = [row["name"] for row in rows if row["failures"]]
                return {"ok": not failing and feeds.last_error is None, "required": False, "failing": failing,
                        "store_error": feeds.last_error, "feeds": rows}

            app.state.readiness_probes["feeds"] = feeds_probe
        try:
            yield
        finally:
            await engine.close()

    routes = _one_route_per_path([route for module in _API_MODULES for route in module.routes])
    app_metrics = metrics.Metrics()
    key_usage = KeyUsage(settings.redis_url, op_timeout_s=settings.redis_timeout_ms / 1000)
    limiter = Limiter(settings.redis_url, op_timeout_s=settings.redis_timeout_ms / 1000)
    app = Starlette(
        routes=routes,
        # Outermost first: the client address is settled before anything logs, counts or limits by it;
        # the principal before usage and limits look at it.
        middleware=[
            Middleware(ProxyHeadersMiddleware, trusted=settings.trusted_proxies),
            Middleware(RequestLogMiddleware),
            Middleware(MetricsMiddleware, metrics=app_metrics),
            Middleware(AuthenticationMiddleware, paths=LIMITED_PATHS),
            Middleware(UsageMiddleware, usage=key_usage, paths=LIMITED_PATHS),
            Middleware(RateLimitMiddleware, limiter=limiter, anon_rate=settings.anon_rate,
                       key_rate=settings.key_rate,
                       address_paths={**reports.RATE_LIMITS, **page.rate_limits(settings.page_rate),
                                     **indicators.RATE_LIMITS}),
        ],
        exception_handlers={AbailaError: _abaila_error, HTTPException: _http_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = app_metrics
    app.state.key_usage = key_usage  # service.middleware.usage.key_usage(app) reads it for admins
    app.state.limiter = limiter  # /readyz and /metrics report its degradation
    app.state.bad_token_limit = parse_rate(settings.bad_token_rate, name="ABAILA_BAD_TOKEN_RATE")  # service.auth
    app_metrics.watch(app.state)
    app.state.engine = None  # set once the lists are loaded; engine.loaded changes at each rebuild
    app.state.readiness_probes = {}
    app.state.check_queries = check.QueryMemo()  # GET /v1/check's parsed query strings (service.api.check)
    app.state.openapi = build_openapi((getattr(m, "openapi_paths", {}) for m in _API_MODULES), __version__)
    return app


def _one_route_per_path(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Returns routes with every path's method routes joined into one, so a 405 names all the path's methods.

    Modules declare one `Route` per method (GET and POST of /v1/check are two functions); Starlette answers
    a wrong method from the first route that matches the path, whose `Allow` would name only its own
    methods (schemathesis ST205).
    """
    by_path: dict[str, list[Route]] = {}
    for route in routes:
        if isinstance(route, Route):
            by_path.setdefault(route.path, []).append(route)
    joined: list[BaseRoute] = []
    done: set[str] = set()
    for route in routes:
        if not isinstance(route, Route):
            joined.append(route)
            continue
        group = by_path[route.path]
        if len(group) == 1:
            joined.append(route)
        elif route.path not in done:
            done.add(route.path)
            joined.append(_joined(route.path, group))
    return joined


def _joined(path: str, group: list[Route]) -> Route:
    endpoints = {method: r.endpoint for r in group for method in (r.methods or ())}

    async def endpoint(request: Request) -> Response:
        response: Response = await endpoints[request.method](request)
        return response

    endpoint.__name__ = "_".join(getattr(r.endpoint, "__name__", "endpoint") for r in group)
    return Route(path, endpoint, methods=sorted(endpoints))


def app_from_env() -> Starlette:
    """Returns the app for `uvicorn service.app:app_from_env --factory` (used by `abaila serve`)."""
    from service.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)
