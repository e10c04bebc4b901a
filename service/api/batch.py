"""`POST /v1/check/batch`: up to 500 URLs to as many Verdicts, in request order (API key required).

    {"urls": ["https://kaspi-kz.top/pay", "not a url", "https://kaspi-kz.top/pay"], "lang": "ru"}
    200 {"results": [{Verdict}, {"error": {"code": "invalid_url", ...}, "url": "not a url"}, {Verdict}]}

Duplicates (the same canonical URL) are checked once and each slot echoes its own `url`. A bad URL gives
an error entry in its slot, never a failed batch. Checks run concurrently, at most CONCURRENCY at a time,
and the whole batch shares one deadline: the check deadline (ABAILA_CHECK_DEADLINE_MS) plus
DEADLINE_MARGIN_MS. A check still waiting for slow signals then is answered from the lists and the URL
alone, with `complete: false` and its slow signals in `pending`; lookups already started go on in the
background, so asking again shortly gives the complete verdict.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api.bodies import read_json_object, require_type
from service.api.check import parse_lang
from service.errors import InvalidField, InvalidURL
from service.middleware.auth import require_principal
from service.urls import MAX_URL_LENGTH, CanonicalURL, validate_for_api
from service.verdicts import Verdict

__all__ = ["CONCURRENCY", "DEADLINE_MARGIN_MS", "MAX_URLS", "routes"]

MAX_URLS = 500  # per request
MAX_BODY_BYTES = MAX_URLS * (MAX_URL_LENGTH + 256)  # 500 URLs of the documented 8 KB maximum, with JSON around
CONCURRENCY = 64  # checks in flight per batch; the lookups bound their own upstream traffic too
DEADLINE_MARGIN_MS = 250  # ms over the check deadline for queueing and scoring
_SLOW_SIGNALS = ("domain_age", "dns")


async def _check_all(checker: Any, parsed: dict[str, CanonicalURL], first_url: dict[str, str],
                     lang: str) -> dict[str, Verdict]:
    """Returns a Verdict per canonical URL, all within one deadline (late ones from lists and lexical only)."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(key: str) -> Verdict:
        async with gate:
            verdict: Verdict = await checker.check(parsed[key], url=first_url[key], lang=lang)
            return verdict

    tasks = {key: asyncio.create_task(one(key)) for key in parsed}
    if tasks:
        await asyncio.wait(tasks.values(), timeout=(checker.deadline_ms + DEADLINE_MARGIN_MS) / 1000)
    verdicts: dict[str, Verdict] = {}
    for key, task in tasks.items():
        if task.done() and not task.cancelled() and task.exception() is None:
            verdicts[key] = task.result()
            continue
        task.cancel()
        late = await checker.check(parsed[key], url=first_url[key], lang=lang, offline=True)
        verdicts[key] = dataclasses.replace(late, complete=False, pending=_SLOW_SIGNALS, ttl=min(late.ttl, 30))
    return verdicts


async def check_batch(request: Request) -> JSONResponse:
    await require_principal(request)
    body = await read_json_object(request, max_bytes=MAX_BODY_BYTES)
    urls = require_type(body, "urls", list, required=True)
    if len(urls) > MAX_URLS:
        raise InvalidField(f"at most {MAX_URLS} urls per batch, got {len(urls)}", field="urls")
    lang = parse_lang(require_type(body, "lang", str), request.headers.get("accept-language"))

    slots: list[str | InvalidURL] = []  # canonical key, or the error for that slot
    parsed: dict[str, CanonicalURL] = {}
    first_url: dict[str, str] = {}
    for url in urls:
        try:
            canonical = validate_for_api(url)
        except InvalidURL as exc:
            slots.append(exc)
            continue
        key = str(canonical)
        parsed.setdefault(key, canonical)
        first_url.setdefault(key, url)
        slots.append(key)

    verdicts = await _check_all(request.app.state.checker, parsed, first_url, lang)
    results: list[dict[str, Any]] = []
    for url, slot in zip(urls, slots, strict=True):
        if isinstance(slot, InvalidURL):
            results.append({**slot.to_json(), "url": url if isinstance(url, str) else None})
        else:
            results.append({**verdicts[slot].to_json(), "url": url})
    # For metrics and key usage: how many URLs, and the levels (never the URLs themselves).
    request.state.urls_checked = len(urls)
    request.state.verdicts = Counter(v.verdict.value for v in verdicts.values())
    return JSONResponse({"results": results}, headers={"Cache-Control": "no-store"})


routes = [Route("/v1/check/batch", check_batch, methods=["POST"])]

openapi_paths: dict[str, Any] = {
    "/v1/check/batch": {
        "post": {
            "summary": "Check up to 500 URLs at once (API key required)",
            "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["urls"], "properties": {
                    "urls": {"type": "array", "maxItems": MAX_URLS, "items": {"type": "string", "maxLength": 8192}},
                    "lang": {"type": "string", "enum": ["kk", "ru", "en"]}}}}}},
            "responses": {
                "200": {"description": "One result per URL, in request order: a Verdict, or an error entry",
                        "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "results": {"type": "array", "items": {"oneOf": [
                                {"$ref": "#/components/schemas/Verdict"},
                                {"type": "object", "required": ["error", "url"], "properties": {
                                    "error": {"type": "object"}, "url": {"type": ["string", "null"]}}}]}}}}}}},
                "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}},
        },
    },
}
