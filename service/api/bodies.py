"""Reading request bodies safely: a size cap, JSON only, a clear error for everything else."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from service.api.contract import MAX_BODY_BYTES, read_body
from service.errors import InvalidField, InvalidJSON

__all__ = ["MAX_BODY_BYTES", "read_json_object", "require_type"]


async def read_json_object(request: Request, *, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """Returns the request body parsed as a JSON object; raises a 4xx AbailaError otherwise.

    For routes not yet on the contract (service.api.contract.decode_body decodes straight into a Struct).
    """
    raw = await read_body(request, max_bytes=max_bytes)
    try:
        body = json.loads(raw)
    except RecursionError:  # `[[[[...` deeper than the interpreter's stack: hostile, not a server fault
        raise InvalidJSON("request body nests JSON too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidJSON(f"request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise InvalidJSON(f"request body must be a JSON object, not {type(body).__name__}")
    return body


def require_type(body: dict[str, Any], name: str, kind: type | tuple[type, ...], *, required: bool = False) -> Any:
    """Returns body[name] if it has the right type (None when absent and optional); else raises InvalidField."""
    if name not in body or body[name] is None:
        if required:
            raise InvalidField(f"{name} is required", field=name)
        return None
    value = body[name]
    # bool is an int in Python; JSON true must not pass for a number.
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in kinds):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise InvalidField(f"{name} must be {expected}, not {type(value).__name__}", field=name)
    return value
