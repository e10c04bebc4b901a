"""The OpenAPI document: each API module contributes its `openapi_paths`; the component schemas are generated.

Every schema a module names with `service.api.contract` (`request_body`, `json_response`,
`query_parameters`, or a `Schema(Model)` placeholder) is generated from its msgspec type here, in one
`msgspec.json.schema_components` call, so `#/components/schemas/...` holds exactly the types in use plus
the shared ones below (Verdict, Reason, PageContext, Error), whether or not a path names them yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from service.api import contract

__all__ = ["SHARED_TYPES", "build_openapi"]

SHARED_TYPES = (contract.Verdict, contract.Reason, contract.PageContext, contract.Error)

_SECURITY = {"bearer": {"type": "http", "scheme": "bearer"}}


def build_openapi(paths_by_module: Iterable[dict[str, Any]], version: str) -> dict[str, Any]:
    """Returns the OpenAPI 3.1 document for the given modules' paths, their schemas generated."""
    paths: dict[str, Any] = {}
    for module_paths in paths_by_module:
        for path, operations in module_paths.items():
            paths.setdefault(path, {}).update(operations)
    resolved, schemas = contract.resolve_schemas(dict(sorted(paths.items())), extra=SHARED_TYPES)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Abaila URL reputation API", "version": version,
                 "description": "Verdicts on shops and bank look-alikes before people pay. Errors are "
                                "`{\"error\": {\"code\", \"message\", \"field\"}}`."},
        "paths": resolved,
        "components": {"schemas": schemas, "securitySchemes": _SECURITY},
    }
