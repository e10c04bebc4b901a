"""`GET /v1/check`, `POST /v1/check`: one URL to one Verdict."""

from __future__ import annotations

import contextlib
from typing import Any

import msgspec
from cachetools import LRUCache
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service import messages
from service.api.contract import (
    URL,
    Lang,
    PageContext,
    Verdict,
    decode_body,
    decode_query,
    error_responses,
    json_response,
    query_parameters,
    request_body,
)
from service.checker import Checker, render_json
from service.errors import InvalidField
from service.urls import validate_for_api
from service.verdicts import PageContext as CheckedContext

__all__ = ["CheckBody", "CheckQuery", "QueryMemo", "lang_or_negotiated", "parse_lang", "routes"]


class CheckQuery(msgspec.Struct):
    """GET /v1/check's query parameters (others, such as `key`, belong to the middleware)."""

    url: URL
    lang: Lang | None = None


class CheckBody(msgspec.Struct):
    """POST /v1/check's body."""

    url: URL
    lang: Lang | None = None
    context: PageContext | None = None


def lang_or_negotiated(lang: Lang | None, accept_language: str | None) -> str:
    """Returns the language asked for, else the one Accept-Language prefers (service.messages)."""
    return lang.value if lang is not None else messages.negotiate_lang(None, accept_language)


def parse_lang(value: object, accept_language: str | None) -> str:
    """Returns a supported language from a `lang` value (or Accept-Language); raises InvalidField otherwise."""
    if value is None or value == "":
        return messages.negotiate_lang(None, accept_language)
    if not isinstance(value, str) or value.strip().lower() not in messages.LANGS:
        raise InvalidField(f"lang must be one of {', '.join(messages.LANGS)}, not {value!r}", field="lang")
    return value.strip().lower()


async def _check(request: Request, url: str, lang: str, context: CheckedContext | None) -> Response:
    checker: Checker = request.app.state.checker
    remembered = checker.cached_json(url, lang=lang, context=context)
    if remembered is not None:
        verdict, body = remembered
    else:
        verdict = await checker.check(validate_for_api(url), url=url, lang=lang, context=context)
        body = render_json(verdict)
    request.state.verdict = verdict.verdict.value  # for metrics and logs, never the URL
    return Response(body, media_type="application/json",
                    headers={"Cache-Control": f"private, max-age={verdict.ttl}"})


class QueryMemo:
    """The (url, lang) that recent raw query strings and Accept-Language headers parsed to; one per app
    (`app.state.check_queries`).

    A bank or an extension repeats the same request, and parsing its query string cost about as much as
    answering from the verdict cache (bench/load: the cached-check rate fell by a third without it). Only
    the parsing is remembered; validation and the verdict are not skipped. Bounded by bytes: the keys are
    raw query strings, which the caller chooses.
    """

    MAX_BYTES = 4 * 1024 * 1024  # bytes of remembered query strings and headers (estimated)

    def __init__(self) -> None:
        self._parsed: LRUCache[tuple[bytes, str | None], tuple[str, str]] = LRUCache(
            maxsize=self.MAX_BYTES, getsizeof=lambda parsed: 2 * len(parsed[0]) + 128)

    def parse(self, request: Request) -> tuple[str, str]:
        """Returns (url, lang) of a GET /v1/check request; raises InvalidField for a missing or repeated url."""
        accept_language = request.headers.get("accept-language")
        key = (request.scope.get("query_string", b""), accept_language)
        known = self._parsed.get(key)
        if known is not None:
            return known
        query = decode_query(request.query_params, CheckQuery)
        parsed = (query.url, lang_or_negotiated(query.lang, accept_language))
        with contextlib.suppress(ValueError):  # a query larger than the whole memo is not remembered
            self._parsed[key] = parsed
        return parsed


async def check_get(request: Request) -> Response:
    url, lang = request.app.state.check_queries.parse(request)
    return await _check(request, url, lang, None)


async def check_post(request: Request) -> Response:
    body = await decode_body(request, CheckBody)
    lang = lang_or_negotiated(body.lang, request.headers.get("accept-language"))
    return await _check(request, body.url, lang, body.context.to_context() if body.context else None)


routes = [
    Route("/v1/check", check_get, methods=["GET"]),
    Route("/v1/check", check_post, methods=["POST"]),
]

# A key is optional here (it lifts the anonymous rate limit); one that is unknown or revoked is a 401.
openapi_paths: dict[str, Any] = {
    "/v1/check": {
        "get": {
            "summary": "Check one URL",
            "parameters": query_parameters(CheckQuery),
            "responses": {"200": json_response(Verdict, "The verdict"), **error_responses(400, 401, 429)},
        },
        "post": {
            "summary": "Check one URL, with what the page asks for",
            "requestBody": request_body(CheckBody),
            "responses": {"200": json_response(Verdict, "The verdict"), **error_responses(400, 401, 408, 413, 429)},
        },
    },
}
