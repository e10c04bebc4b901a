"""GET /openapi.json: the contract names every route the app serves, method by method."""

from __future__ import annotations

import re

from starlette.routing import Route
from starlette.testclient import TestClient


def _template(path: str) -> str:
    """Returns a Starlette path as OpenAPI writes it: `{entry_id:int}` -> `{entry_id}`."""
    return re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", path)


def test_every_route_has_a_path_entry(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    missing = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route):
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD" and method.lower() not in paths.get(_template(route.path), {}):
                missing.append(f"{method} {route.path}")
    assert not missing, f"routes without an OpenAPI entry (add them to the module's openapi_paths): {missing}"


def test_every_path_entry_is_a_route(client: TestClient) -> None:
    served = {(_template(r.path), m.lower()) for r in client.app.routes  # type: ignore[attr-defined]
              if isinstance(r, Route) for m in (r.methods or ())}
    paths = client.get("/openapi.json").json()["paths"]
    documented = {(path, method) for path, item in paths.items() for method in item if method != "parameters"}
    assert documented <= served, documented - served
