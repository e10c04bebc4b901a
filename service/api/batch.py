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
from typing import Annotated, Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api import contract
from service.api.check import lang_or_negotiated
from service.api.contract import ErrorDetail, Lang, Schema, decode_body, error_responses, request_body
from service.errors import InvalidURL
from service.middleware.auth import require_principal
from service.urls import MAX_URL_LENGTH, CanonicalURL, validate_for_api
from service.verdicts import Verdict

__all__ = ["CONCURRENCY", "DEADLINE_MARGIN_MS", "MAX_URLS", "BatchBody", "routes"]

MAX_URLS = 500  # per request
MAX_BODY_BYTES = MAX_URLS * (MAX_URL_LENGTH + 256)  # 500 URLs of the documented 8 KB maximum, with JSON around
CONCURRENCY = 64  # checks in flight per batch; the lookups bound their own upstream traffic too
DEADLINE_MARGIN_MS = 250  # ms over the check deadline for queueing and scoring
_SLOW_SIGNALS = ("domain_age", "dns")


class BatchBody(msgspec.Struct):
    """POST /v1/check/batch's body. A slot that is not a URL the API takes (not even a string) is answered
    with an error entry in its place, never by refusing the batch."""

    urls: Annotated[list[Any], msgspec.Meta(max_length=MAX_URLS, description=(
        "URLs to check, in order; each bad one gets an invalid_url entry"))]
    lang: Lang | None = None


class BatchError(msgspec.Struct):
    """A slot whose URL could not be checked: the error, and the URL as sent (null when it was not text)."""

    error: ErrorDetail
    url: str | None


# One result per URL, in request order: a Verdict, or a BatchError (msgspec types cannot say "either of two
# objects" without a tag, so the envelope is written here around the two generated schemas).
_RESULTS = {"type": "object", "required": ["results"], "properties": {"results": {
    "type": "array", "items": {"anyOf": [Schema(contract.Verdict), Schema(BatchError)]}}}}


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
    body = await decode_body(request, BatchBody, max_bytes=MAX_BODY_BYTES)
    urls = body.urls
    lang = lang_or_negotiated(body.lang, request.headers.get("accept-language"))

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
            "summary": f"Check up to {MAX_URLS} URLs at once (API key required)",
            "security": [{"bearer": []}],
            "requestBody": request_body(BatchBody),
            "responses": {"200": {"description": "One result per URL, in request order", "content": {
                "application/json": {"schema": _RESULTS}}},
                          **error_responses(400, 401, 408, 413, 429)},
        },
    },
}
