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
import logging
from typing import Annotated, Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api.contract import decode_body, error_responses, json_response, request_body
from service.index import Prefix
from service.lists import Category

__all__ = ["CACHE_DURATION_S", "MAX_PREFIXES", "PREFIX_BYTES", "openapi_paths", "routes"]

MAX_PREFIXES = 1000  # per request; as Safe Browsing v5 hashes.search (one URL needs at most 30)
PREFIX_BYTES = 4  # SHA-256 prefix length the extension sends
CACHE_DURATION_S = 300  # seconds a client may reuse an answer, for every prefix it asked about
MAX_BODY_BYTES = 64 * 1024  # 1000 prefixes of 8 base64 characters fit in about 12 KiB

_NOT_THREATS = frozenset({Category.ALLOWLIST})  # list categories that are not threats

_log = logging.getLogger(__name__)


# Standard base64 of PREFIX_BYTES bytes, as Safe Browsing uses it; URL-safe letters are accepted too. The
# sixth character carries the last 2 bits of data and 4 zero bits: A, Q, g or w. `(?!\n)` because Python's
# `$` (msgspec) also matches before a final newline and ECMA-262's (the schema's readers) does not.
_PREFIX = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9+/_-]{5}[AQgw]==(?!\n)$",
                                      description=f"base64 of {PREFIX_BYTES} bytes (standard or URL-safe)")]


class PrefixesBody(msgspec.Struct):
    """POST /v1/lookup/prefixes's body."""

    prefixes: Annotated[list[_PREFIX], msgspec.Meta(max_length=MAX_PREFIXES)]


class Match(msgspec.Struct):
    hash: Annotated[str, msgspec.Meta(description="base64 of the full SHA-256")]
    list: str
    category: str


class Matches(msgspec.Struct):
    """The full hashes on the lists (never the allowlist's) that start with a requested prefix."""

    matches: list[Match]
    cacheDuration: Annotated[str, msgspec.Meta(examples=[f"{CACHE_DURATION_S}s"])]  # Safe Browsing's name


async def _read_prefixes(request: Request) -> list[bytes]:
    # Refused by Content-Length, else once the streamed body passes the cap: never read whole (issue 10).
    body = await decode_body(request, PrefixesBody, max_bytes=MAX_BODY_BYTES)
    # The pattern admits only texts that decode to PREFIX_BYTES bytes.
    return list(dict.fromkeys(Prefix(base64.b64decode(text.replace("-", "+").replace("_", "/")))
                              for text in body.prefixes))


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

openapi_paths: dict[str, Any] = {
    "/v1/lookup/prefixes": {"post": {
        "summary": "Full hashes on the lists that start with 4-byte SHA-256 prefixes (the extension's private path)",
        "requestBody": request_body(PrefixesBody),
        "responses": {"200": json_response(Matches, "The matching full hashes (never the allowlist's)"),
                      **error_responses(400, 401, 408, 413, 429)}}},
}
