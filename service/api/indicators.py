"""Payment indicators out: a bank's check of the recipients it is about to pay, and the public range lookup.

    POST /v1/indicators/check {"indicators": ["card:4400 4302 1234 5679", "phone:8 747 000 11 22", "x"]}
         (bank or moderator key; rate-limited per key like /v1/check/batch; up to MAX_INDICATORS)
      → {"results": [{"indicator": "card:4400 4302 1234 5679", "canonical": "card:4400430212345679",
                      "listed": true, "reports": 14, "first_seen": "2026-10-02T08:00:00Z",
                      "last_seen": "2026-11-30T19:12:44Z", "lists": [{"list": "abaila-indicators", ...}]},
                     {...}, {"indicator": "x", "error": {"code": "invalid_indicator", "message": "..."}}]}
    GET  /v1/indicators/range/4032C   (public; cacheable; rate-limited per client address)
      → text/plain, RANGE_LINES (or a multiple) lines of exactly LINE_BYTES bytes, sorted:
        40329e1267bfc2ed…0550:0014      a listed indicator's full SHA-256 and its reports (4 digits, capped)
        4032c0a8d1f2…:0000              a decoy

The range lookup is the k-anonymity model of Have I Been Pwned's Pwned Passwords API: the extension hashes
the card or number it found on a page, sends only the first RANGE_DIGITS hex digits (20 bits: about a
millionth of every possible indicator shares them) and finds its own hash in the answer, so the service
never learns which number was on the page. Padding rule: an answer has RANGE_LINES lines, or the next
multiple of RANGE_LINES when more indicators are listed in that range; every line has the same length, so
the size says nothing about how many are listed until a range holds more than RANGE_LINES of them (at 10
million listed indicators a range holds 10 on average). Decoys are derived from the range itself
(SHA-256 of a fixed label, the range and a counter, forced into the range), so the answer changes only when
the listings do and caches well; they are not secret — the hashes are public data — they only fill space.
The reports count lets the warning say "reported N times"; a decoy has 0.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.api.contract import decode_body, error_responses, request_body
from service.auth import authenticate
from service.errors import InvalidField, InvalidIndicator
from service.indicators import RANGE_DIGITS, canonical

__all__ = ["CACHE_SECONDS", "LINE_BYTES", "MAX_INDICATORS", "RANGE_LINES", "RATE_LIMITS", "openapi_paths",
           "range_lines", "routes"]

MAX_INDICATORS = 500  # per check request, as /v1/check/batch takes 500 URLs
MAX_BODY_BYTES = 256 * 1024  # 500 indicators of at most 200 characters, with JSON around them
RANGE_LINES = 32  # lines in a range answer (padding unit); see the module docstring
REPORTS_WIDTH = 4  # digits of the reports count on a range line (capped at 9999) so every line is as long
LINE_BYTES = 64 + 1 + REPORTS_WIDTH + 1  # hash, colon, count, newline
CACHE_SECONDS = 300  # how long a range answer may be cached (browsers, proxies, the extension)
RANGE_PER_MINUTE = 600  # range lookups per client address a minute: a shopper's pages need a handful
RATE_LIMITS = {"/v1/indicators/range/": ("GET", f"{RANGE_PER_MINUTE}/minute", "range")}
_RANGE = re.compile(rf"^[0-9A-Fa-f]{{{RANGE_DIGITS}}}$")
_DECOY_LABEL = b"abaila-range-decoy\x00"


class IndicatorsBody(msgspec.Struct):
    """POST /v1/indicators/check's body. An item that is not an indicator (not even a string) is answered with
    an invalid_indicator entry in its place, never by refusing the request."""

    indicators: Annotated[list[Any], msgspec.Meta(min_length=1, max_length=MAX_INDICATORS, description=(
        "card:…, phone:…, iban:… in any written form"))]


def range_lines(prefix: str, listed: list[tuple[str, int]]) -> list[str]:
    """Returns the lines of the range answer for prefix: the listed (hash, reports) and decoys, sorted.

    Pure, so the padding rule is tested without a server: len() is RANGE_LINES times ceil(n / RANGE_LINES)
    (at least RANGE_LINES), every line is LINE_BYTES - 1 characters.
    """
    low = prefix.lower()
    cap = 10**REPORTS_WIDTH - 1
    lines = {f"{digest}:{min(reports, cap):0{REPORTS_WIDTH}d}" for digest, reports in listed}
    real = {digest for digest, _ in listed}
    total = max(1, -(-len(lines) // RANGE_LINES)) * RANGE_LINES
    counter = 0
    while len(lines) < total:
        decoy = low + hashlib.sha256(_DECOY_LABEL + low.encode() + counter.to_bytes(4, "big")).hexdigest()[
            RANGE_DIGITS:]
        counter += 1
        if decoy not in real:
            lines.add(f"{decoy}:{0:0{REPORTS_WIDTH}d}")
    return sorted(lines)


async def indicator_range(request: Request) -> Response:
    prefix = request.path_params["prefix"]
    if not _RANGE.match(prefix):
        raise InvalidField(f"the range is {RANGE_DIGITS} hex digits (the start of a SHA-256), not {prefix[:20]!r}",
                           field="prefix")
    listed = await request.app.state.store.indicator_range(prefix.lower())
    body = "".join(line + "\n" for line in range_lines(prefix, listed)).encode("ascii")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"Cache-Control": f"public, max-age={CACHE_SECONDS}", "ETag": etag,
               "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/plain; charset=utf-8", headers=headers)


async def check_indicators(request: Request) -> JSONResponse:
    await authenticate(request, roles={"bank", "moderator"})
    sent = (await decode_body(request, IndicatorsBody, max_bytes=MAX_BODY_BYTES)).indicators
    slots: list[str | InvalidIndicator] = []
    for value in sent:
        if not isinstance(value, str):
            slots.append(InvalidIndicator(f"an indicator is a string such as card:…, not {type(value).__name__}"))
            continue
        try:
            slots.append(canonical(value))
        except InvalidIndicator as exc:
            slots.append(exc)
    facts = await request.app.state.store.indicator_facts([s for s in slots if isinstance(s, str)])
    results: list[dict[str, Any]] = []
    for value, slot in zip(sent, slots, strict=True):
        if isinstance(slot, InvalidIndicator):
            results.append({"indicator": value if isinstance(value, str) else None, **slot.to_json()})
        else:
            results.append({"indicator": value, **facts[slot].to_json()})
    request.state.urls_checked = len(sent)  # key usage counts items, as for a batch
    return JSONResponse({"results": results}, headers={"Cache-Control": "no-store"})


routes = [
    Route("/v1/indicators/check", check_indicators, methods=["POST"]),
    Route("/v1/indicators/range/{prefix}", indicator_range, methods=["GET"]),
]

openapi_paths: dict[str, Any] = {
    "/v1/indicators/check": {"post": {
        "summary": "Check up to 500 cards, phones, IBANs (bank or moderator key): listed, reports, first/last seen",
        "security": [{"bearer": []}],
        "requestBody": request_body(IndicatorsBody),
        "responses": {"200": {"description": "One result per indicator, in request order: {indicator (as sent), "
                                             "canonical, listed, reports, first_seen, last_seen, lists}, or "
                                             "{indicator, error}",
                              "content": {"application/json": {"schema": {"type": "object", "properties": {
                                  "results": {"type": "array", "items": {"type": "object"}}}}}}},
                      **error_responses(400, 401, 403, 408, 413, 429)}}},
    "/v1/indicators/range/{prefix}": {"get": {
        "summary": "k-anonymity range lookup: every listed indicator's SHA-256 starting with 5 hex digits, padded",
        "parameters": [{"name": "prefix", "in": "path", "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9A-Fa-f]{5}$"}}],
        "responses": {"200": {"description": f"text/plain: {RANGE_LINES}·k lines `<64 hex>:<reports, 4 digits>`, "
                                             "sorted; decoys have 0 reports",
                              "content": {"text/plain": {"schema": {"type": "string"}}}},
                      "304": {"description": "Not modified (If-None-Match)"}, **error_responses(400, 429)}}},
}
