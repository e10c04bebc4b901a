"""`POST /v1/lookup/prefixes`: the privacy-preserving path of the browser extension.

The extension never sends a URL. It computes the URL's Safe Browsing expressions, hashes each with
SHA-256 and sends only the first 4 bytes of each hash. The service answers with every full hash on its
lists that starts with one of those prefixes; the extension compares all 32 bytes itself, so the service
cannot tell which of the (typically dozens of) candidate URLs behind a prefix the user visited::

    POST /v1/lookup/prefixes  {"prefixes": ["qYEh6A==", "zFNlUw=="]}
    200 {"matches": [{"hash": "qYEh6GH0...=", "list": "abaila-kz-scam", "category": "scam_shop"}],
         "cacheDuration": "300s"}

`cacheDuration` covers every requested prefix, matched or not (the Safe Browsing v5 `hashes.search`
rule): a client may treat a prefix it asked about as answered, positively or negatively, for that long.
Nothing of the request body is logged beyond the number of prefixes.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api.bodies import read_json_object
from service.errors import InvalidField
from service.index import Prefix
from service.lists import Category

__all__ = ["CACHE_DURATION_S", "MAX_PREFIXES", "PREFIX_BYTES", "openapi_paths", "routes"]

MAX_PREFIXES = 1000  # per request; as Safe Browsing v5 hashes.search (one URL needs at most 30)
PREFIX_BYTES = 4  # SHA-256 prefix length the extension sends
CACHE_DURATION_S = 300  # seconds a client may reuse an answer, for every prefix it asked about
MAX_BODY_BYTES = 64 * 1024  # 1000 prefixes of 8 base64 characters fit in about 12 KiB

_NOT_THREATS = frozenset({Category.ALLOWLIST})  # list categories that are not threats

_log = logging.getLogger(__name__)


def _decode_prefix(text: object, position: int) -> Prefix:
    """Returns the 4 bytes a base64 prefix stands for; raises InvalidField naming its position."""
    if not isinstance(text, str):
        raise InvalidField(f"prefixes[{position}] must be a base64 string, not {type(text).__name__}",
                           field="prefixes")
    try:
        # Standard base64 as Safe Browsing uses it; URL-safe letters are accepted too.
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidField(f"prefixes[{position}] is not valid base64: {text[:16]!r}", field="prefixes") from None
    if len(raw) != PREFIX_BYTES:
        raise InvalidField(f"prefixes[{position}] must decode to {PREFIX_BYTES} bytes, not {len(raw)}",
                           field="prefixes")
    return Prefix(raw)


async def _read_prefixes(request: Request) -> list[bytes]:
    # Refused by Content-Length, else once the streamed body passes the cap: never read whole (issue 10).
    data = await read_json_object(request, max_bytes=MAX_BODY_BYTES)
    prefixes = data.get("prefixes")
    if not isinstance(prefixes, list):
        raise InvalidField("prefixes must be a list of base64 strings", field="prefixes")
    if len(prefixes) > MAX_PREFIXES:
        raise InvalidField(f"at most {MAX_PREFIXES} prefixes per request, got {len(prefixes)}", field="prefixes")
    return list(dict.fromkeys(_decode_prefix(text, i) for i, text in enumerate(prefixes)))


async def lookup_prefixes(request: Request) -> JSONResponse:
    """Returns the full hashes on the lists that start with the requested prefixes."""
    prefixes = await _read_prefixes(request)
    found = request.app.state.checker.index.lookup_prefixes(prefixes) if prefixes else []
    # The index holds the allowlist too; a client must never warn about an official site.
    matches = [m for m in found if m.category not in _NOT_THREATS]
    _log.debug("prefix lookup: %d prefixes, %d matches", len(prefixes), len(matches))
    return JSONResponse(
        {
            "matches": [
                {"hash": base64.b64encode(m.full_hash).decode("ascii"), "list": m.list, "category": m.category}
                for m in matches
            ],
            "cacheDuration": f"{CACHE_DURATION_S}s",
        },
        headers={"Cache-Control": "no-store"},
    )


routes = [Route("/v1/lookup/prefixes", lookup_prefixes, methods=["POST"])]

_ERR = {"$ref": "#/components/responses/Error"}
openapi_paths: dict[str, Any] = {
    "/v1/lookup/prefixes": {"post": {
        "summary": "Full hashes on the lists that start with 4-byte SHA-256 prefixes (the extension's private path)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["prefixes"], "properties": {"prefixes": {
                "type": "array", "maxItems": MAX_PREFIXES,
                "items": {"type": "string", "description": f"base64 of {PREFIX_BYTES} bytes (standard or URL-safe)",
                          "pattern": "^[A-Za-z0-9+/_-]{5}[AQgw]==$"}}}}}}},
        "responses": {
            "200": {"description": "The matching full hashes (never the allowlist's)", "content": {
                "application/json": {"schema": {"type": "object", "required": ["matches", "cacheDuration"],
                                                "properties": {
                    "matches": {"type": "array", "items": {"type": "object", "required": ["hash", "list", "category"],
                                                           "properties": {"hash": {"type": "string"},
                                                                          "list": {"type": "string"},
                                                                          "category": {"type": "string"}}}},
                    "cacheDuration": {"type": "string", "examples": [f"{CACHE_DURATION_S}s"]}}}}}},
            "400": _ERR, "413": _ERR, "429": _ERR}}},
}
