"""`GET /`: the public check page — paste a link or a whole message, see what each link and number is.

    GET  /                        the page in the negotiated language (`?lang=`, cookie, Accept-Language)
    GET  /share?text=…&url=…&title=…   the share target: what Android's "Share → Abaila" sends, judged at once
                                  (GET /?text=… redirects there, so the check is counted the same way)
    POST /  text=…                the page's own form (POST keeps the message out of URLs and history)
    POST /report  url, kind       the Report action (the same queue as POST /v1/reports, same limit)
    GET  /manifest.webmanifest    the installable web app, with its share_target

Server-rendered (Jinja2, autoescaped) and complete without JavaScript. The pasted text goes through
service.extract and no further: it is never stored, never logged (the request log keeps the path only),
never echoed into a URL, and the answer is `no-store` with no referrer, so following a link from the page
tells nobody what was pasted. Links are shown as text, never as clickable anchors: a scam link must not be
one tap away. Every link is judged by the same Checker as `/v1/check`, concurrently; numbers by the
indicator store (`Store.indicator_facts`): reported when listed or reported by someone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from service import messages
from service.api.reports import REPORTS_PER_WINDOW, WINDOW_SECONDS, file_report
from service.errors import AbailaError, InvalidField
from service.extract import MAX_TEXT, extract
from service.urls import validate_for_api
from service.verdicts import Verdict

__all__ = ["PAGE_RATE", "RATE_LIMITS", "openapi_paths", "rate_limits", "routes"]

# Checking a message fans out to up to 20 link checks: a person pastes a few a minute, a script many more.
PAGE_RATE = "30/minute"  # POST / per client address; ABAILA_PAGE_RATE overrides ("none": unlimited)
RATE_LIMITS = {"/": ("POST", PAGE_RATE, "page"), "/share": ("GET", PAGE_RATE, "page"),
               "/report": ("POST", f"{REPORTS_PER_WINDOW}/{WINDOW_SECONDS} seconds", "report")}


def rate_limits(page_rate: str = PAGE_RATE) -> dict[str, tuple[str, str, str]]:
    """Returns the page's per-address limits for the rate-limit middleware (Settings.page_rate for POST /)."""
    return {**RATE_LIMITS, "/": ("POST", page_rate, "page"), "/share": ("GET", page_rate, "page")}
_LANG_COOKIE = "abaila_lang"
_SCAMS = ("security", "blocked", "code", "safe_account", "prize", "olx")
_SHOP_STEPS = 6
_LANG_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}  # each in its own language, for the switch
_LEVEL_TONE = {"blocked": "bad", "dangerous": "bad", "suspicious": "warn", "unverified": "warn",
               "no_known_risk": "none", "trusted": "good"}
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
}
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
                          autoescape=True)


@dataclass(frozen=True, slots=True)
class LinkResult:
    """One link of the message: its verdict, or why it could not be checked."""

    link: str
    verdict: Verdict | None
    error: str = ""

    @property
    def tone(self) -> str:
        return _LEVEL_TONE[self.verdict.verdict.value] if self.verdict else "none"


@dataclass(frozen=True, slots=True)
class NumberResult:
    """One card, phone or IBAN of the message: `reported` is None when nothing can tell (no indicator store)."""

    indicator: str
    kind: str
    reported: bool | None
    reports: int = 0


def _lang(request: Request, form_lang: str | None = None) -> str:
    return messages.choose_lang(form_lang, request.query_params.get("lang"), request.cookies.get(_LANG_COOKIE),
                                accept_language=request.headers.get("accept-language"))


async def _judge_link(request: Request, link: str, lang: str) -> LinkResult:
    try:
        parsed = validate_for_api(link)
        verdict = await request.app.state.checker.check(parsed, url=link, lang=lang)
    except AbailaError as exc:
        return LinkResult(link, None, exc.message)
    return LinkResult(link, verdict)


async def _judge_numbers(request: Request, found: tuple[str, ...]) -> list[NumberResult]:
    """Returns each canonical indicator with whether it is listed or reported, in one store query."""
    if not found:
        return []
    facts = await request.app.state.store.indicator_facts(list(found))
    results = []
    for value in found:
        fact = facts.get(value)
        reports = fact.reports if fact is not None else 0
        reported = fact is not None and (fact.listed or reports > 0)
        results.append(NumberResult(value, value.split(":", 1)[0], reported, reports))
    return results


async def _judge(request: Request, text: str, lang: str) -> tuple[list[LinkResult], list[NumberResult]]:
    found = extract(text)
    links = await asyncio.gather(*(_judge_link(request, link, lang) for link in found.links))
    numbers = await _judge_numbers(request, found.indicators)
    request.state.verdict = min((r.verdict.verdict.value for r in links if r.verdict),
                                key=lambda level: list(_LEVEL_TONE).index(level), default="none")
    return list(links), numbers


def _shared_text(request: Request) -> str:
    """Returns what a share target or a link to the page carries: title, text and url, each once."""
    params = request.query_params
    parts = [params.get(name, "").strip() for name in ("title", "text", "url")]
    return "\n".join(dict.fromkeys(part for part in parts if part))


async def _render(request: Request, *, text: str = "", lang: str, notice: str = "", error: str = "",
                  status: int = 200) -> HTMLResponse:
    t = messages.strings("page", lang)
    links: list[LinkResult] = []
    numbers: list[NumberResult] = []
    checked = False
    if text.strip() and not error:
        try:
            links, numbers = await _judge(request, text, lang)
            checked = True
        except InvalidField:
            error, status = t["too_long"].format(limit=MAX_TEXT), 400
    context: dict[str, Any] = {
        "lang": lang, "langs": messages.LANGS, "lang_names": _LANG_NAMES, "t": t, "text": text, "checked": checked,
        "links": links,
        "numbers": numbers, "notice": notice, "error": error, "max_text": MAX_TEXT,
        "title": lambda level: messages.title(level, lang), "scams": _SCAMS, "shop_steps": range(1, _SHOP_STEPS + 1),
    }
    response = HTMLResponse(_env.get_template("page.html").render(context), status_code=status, headers=_HEADERS)
    if request.query_params.get("lang") in messages.LANGS or request.method == "POST":
        response.set_cookie(_LANG_COOKIE, lang, samesite="lax", secure=request.url.scheme == "https",
                            max_age=365 * 86400)
    return response


_SHARED = ("title", "text", "url")


async def page(request: Request) -> Response:
    if any(name in request.query_params for name in _SHARED):
        # Checking is counted per address on /share (GET) and / (POST); a plain page view is not limited.
        return RedirectResponse(f"/share?{request.url.query}", status_code=303, headers={"Cache-Control": "no-store"})
    return await _render(request, lang=_lang(request))


async def share(request: Request) -> HTMLResponse:
    return await _render(request, text=_shared_text(request), lang=_lang(request))


async def page_post(request: Request) -> HTMLResponse:
    form = await request.form(max_files=0, max_fields=8, max_part_size=MAX_TEXT * 4 + 1024)
    lang = _lang(request, str(form.get("lang") or "") or None)
    return await _render(request, text=str(form.get("text") or ""), lang=lang)


async def report(request: Request) -> HTMLResponse:
    form = await request.form(max_files=0, max_fields=8)
    lang = _lang(request, str(form.get("lang") or "") or None)
    t = messages.strings("page", lang)
    kind = "wrong_warning" if form.get("kind") == "wrong_warning" else "scam"
    try:
        filed = await file_report(request, url=str(form.get("url") or ""), kind=kind, comment=None)
    except AbailaError as exc:
        return await _render(request, lang=lang, error=exc.message, status=exc.status)
    return await _render(request, lang=lang, notice=t["reported"].format(id=filed.id), status=201)


async def manifest(request: Request) -> JSONResponse:
    lang = _lang(request)
    t = messages.strings("page", lang)
    return JSONResponse({
        "name": t["app_name"], "short_name": "Abaila", "description": t["lead"], "lang": lang,
        "start_url": "/", "scope": "/", "display": "standalone", "background_color": "#ffffff",
        "theme_color": "#0b5cab",
        "icons": [{"src": "/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
        # Android's share sheet opens GET /share?title=…&text=…&url=… (Web Share Target, W3C).
        "share_target": {"action": "/share", "method": "GET",
                         "params": {"title": "title", "text": "text", "url": "url"}},
    }, media_type="application/manifest+json", headers={"Cache-Control": "public, max-age=3600"})


_ICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" rx="96" \
fill="#0b5cab"/><path d="M256 72l152 56v112c0 100-64 176-152 208-88-32-152-108-152-208V128z" fill="#fff"/><rect \
x="232" y="150" width="48" height="150" rx="24" fill="#c62828"/><circle cx="256" cy="352" r="28" \
fill="#c62828"/></svg>"""


async def icon(request: Request) -> Response:
    return Response(_ICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


routes = [
    Route("/", page, methods=["GET"]),
    Route("/", page_post, methods=["POST"]),
    Route("/share", share, methods=["GET"]),
    Route("/report", report, methods=["POST"]),
    Route("/manifest.webmanifest", manifest, methods=["GET"]),
    Route("/icon.svg", icon, methods=["GET"]),
]

_HTML = {"200": {"description": "HTML"}}
openapi_paths: dict[str, Any] = {
    "/icon.svg": {"get": {"summary": "The check page's icon (SVG), named by its web manifest",
                          "responses": {"200": {"description": "image/svg+xml"}}}},
    "/share": {"get": {
        "summary": "The share target (HTML): judges the shared title/text/url; limited per address like POST /",
        "parameters": [{"name": name, "in": "query", "schema": {"type": "string"}}
                       for name in ("text", "url", "title", "lang")],
        "responses": {**_HTML, "429": {"description": "Too many checks from this address"}}}},
    "/": {
        "get": {"summary": "The public check page (HTML); with title/text/url it redirects to /share",
                "parameters": [{"name": "lang", "in": "query", "schema": {"type": "string"}}],
                "responses": {**_HTML, "303": {"description": "to /share, with the shared parameters"}}},
        "post": {"summary": "The check page's form: judge every link and number in a pasted message (HTML)",
                 "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "properties": {"text": {"type": "string", "maxLength": MAX_TEXT},
                                                      "lang": {"type": "string", "description": (
                                                          "kk, ru or en; anything else falls back to the cookie "
                                                          "or Accept-Language")}}}}}},
                 "responses": {**_HTML, "400": {"description": "HTML: the text is too long"},
                               "429": {"description": "Too many checks from this address"}}},
    },
    "/report": {"post": {"summary": "The check page's Report action (HTML); the same queue as POST /v1/reports",
                         "responses": {"201": {"description": "HTML: the report's number"},
                                       "400": {"description": "HTML: the URL cannot be reported"},
                                       "429": {"description": "Too many reports from this address"}}}},
    "/manifest.webmanifest": {"get": {"summary": "The web app manifest, with a GET share_target",
                                      "responses": {"200": {"description": "application/manifest+json"}}}},
}
