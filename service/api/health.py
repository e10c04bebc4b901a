"""`GET /healthz` (the process answers), `GET /readyz` (it can give real verdicts), `GET /openapi.json`."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api.contract import json_response

__all__ = ["routes"]


class Health(msgspec.Struct):
    status: Literal["ok"]


class Readiness(msgspec.Struct):
    """Each dependency's report (`lists`, `store`, `signals`, `ratelimit`, `feeds`), each with its `ok`."""

    status: Literal["ready", "not_ready"]
    checks: dict[str, dict[str, Any]]


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Reports each dependency; 503 when lists are not loaded or a required dependency is down."""
    state = request.app.state
    checks: dict[str, Any] = {}
    ready = True
    engine = getattr(state, "engine", None)
    if engine is None:
        checks["lists"] = {"ok": False, "detail": "lists are loading"}
        ready = False
    else:
        loaded = engine.loaded
        checks["lists"] = {"ok": True, "entries": len(state.checker.index), "version": loaded.version,
                           "problems": len(loaded.problems), "rebuilds": engine.rebuilder.rebuilds,
                           "rebuild_error": engine.rebuilder.last_error}
    for name, probe in getattr(state, "readiness_probes", {}).items():
        try:
            result = await probe()
        except Exception as exc:  # a probe failing is a fact to report, not a crash
            result = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
        checks[name] = result
        if not result.get("ok", False) and result.get("required", True):
            ready = False
    return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks},
                        status_code=200 if ready else 503)


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.openapi)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]

openapi_paths: dict[str, Any] = {
    "/healthz": {"get": {"summary": "Liveness", "responses": {"200": json_response(Health, "The process answers")}}},
    "/readyz": {"get": {"summary": "Readiness: lists loaded, cache, store", "responses": {
        "200": json_response(Readiness, "Ready"), "503": json_response(Readiness, "Not ready; `checks` says why")}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
}
