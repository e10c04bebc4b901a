"""`GET /v1/check`, `POST /v1/check`: one URL to one Verdict."""

from __future__ import annotations

import contextlib
from typing import Any

from cachetools import LRUCache
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service import messages
from service.api.bodies import read_json_object, require_type
from service.checker import Checker, render_json
from service.errors import InvalidField
from service.urls import validate_for_api
from service.verdicts import PageContext

__all__ = ["QueryMemo", "parse_context", "parse_lang", "routes"]


def parse_lang(value: object, accept_language: str | None) -> str:
    """Returns a supported language from a `lang` value (or Accept-Language); raises InvalidField otherwise."""
    if value is None or value == "":
        return messages.negotiate_lang(None, accept_language)
    if not isinstance(value, str) or value.strip().lower() not in messages.LANGS:
        raise InvalidField(f"lang must be one of {', '.join(messages.LANGS)}, not {value!r}", field="lang")
    return value.strip().lower()


def parse_context(value: object) -> PageContext | None:
    """Returns the page context sent by the extension, validated."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidField(f"context must be an object, not {type(value).__name__}", field="context")
    payment_form = value.get("payment_form", False)
    if not isinstance(payment_form, bool):
        raise InvalidField("context.payment_form must be true or false", field="context.payment_form")
    asks_for = value.get("asks_for", [])
    if not isinstance(asks_for, list) or not all(isinstance(a, str) for a in asks_for) or len(asks_for) > 20:
        raise InvalidField("context.asks_for must be a list of at most 20 strings", field="context.asks_for")
    unknown = [a for a in asks_for if a not in PageContext.ASKS]
    if unknown:
        raise InvalidField(f"context.asks_for has unknown values {unknown!r}; known: {', '.join(PageContext.ASKS)}",
                           field="context.asks_for")
    return PageContext(payment_form=payment_form, asks_for=tuple(dict.fromkeys(asks_for)),
                       page=_parse_page(value.get("page")))


def _parse_page(value: object) -> tuple[tuple[str, int], ...]:
    """Returns context.page as sorted (name, value) pairs: known names, booleans and bounded counts only."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise InvalidField(f"context.page must be an object, not {type(value).__name__}", field="context.page")
    pairs = []
    for name, item in value.items():
        kind = PageContext.PAGE_FIELDS.get(name)
        if kind is None:
            shown = str(name)[:40]
            known = ", ".join(PageContext.PAGE_FIELDS)
            raise InvalidField(f"context.page has an unknown field {shown!r}; known: {known}",
                               field=f"context.page.{shown}")
        if kind == "bool":
            if not isinstance(item, bool):
                raise InvalidField(f"context.page.{name} must be true or false", field=f"context.page.{name}")
            pairs.append((name, int(item)))
        else:
            assert isinstance(kind, int)
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= kind:
                raise InvalidField(f"context.page.{name} must be a whole number from 0 to {kind}",
                                   field=f"context.page.{name}")
            pairs.append((name, item))
    return tuple(sorted(pairs))


async def _check(request: Request, url: str, lang: str, context: PageContext | None) -> Response:
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
        params = request.query_params
        if len(params.getlist("url")) > 1:
            raise InvalidField("give exactly one url parameter", field="url")
        url = params.get("url")
        if url is None:
            raise InvalidField("url is required", field="url")
        parsed = (url, parse_lang(params.get("lang"), accept_language))
        with contextlib.suppress(ValueError):  # a query larger than the whole memo is not remembered
            self._parsed[key] = parsed
        return parsed


async def check_get(request: Request) -> Response:
    url, lang = request.app.state.check_queries.parse(request)
    return await _check(request, url, lang, None)


async def check_post(request: Request) -> Response:
    body = await read_json_object(request)
    url = require_type(body, "url", str, required=True)
    lang = parse_lang(require_type(body, "lang", str), request.headers.get("accept-language"))
    return await _check(request, url, lang, parse_context(body.get("context")))


routes = [
    Route("/v1/check", check_get, methods=["GET"]),
    Route("/v1/check", check_post, methods=["POST"]),
]

openapi_paths: dict[str, Any] = {
    "/v1/check": {
        "get": {
            "summary": "Check one URL",
            "parameters": [
                {"name": "url", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 8192}},
                {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["kk", "ru", "en"]}},
            ],
            "responses": {"200": {"description": "The verdict", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Verdict"}}}},
                "400": {"$ref": "#/components/responses/Error"}},
        },
        "post": {
            "summary": "Check one URL, with what the page asks for",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["url"], "properties": {
                    "url": {"type": "string", "maxLength": 8192},
                    "lang": {"type": "string", "enum": ["kk", "ru", "en"]},
                    "context": {"$ref": "#/components/schemas/PageContext"}}}}}},
            "responses": {"200": {"description": "The verdict", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Verdict"}}}},
                "400": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}},
        },
    },
}
