"""User reports and appeals in, moderators' decisions out.

    POST /v1/reports {"url"?, "indicators"?, "kind": "scam"|"phishing"|"wrong_warning", "comment"?}
         public, rate-limited → 201 {"id", "status": "open", "ids": [one per site and indicator]}
    GET  /v1/reports/{id}                               → {"id", "status", "kind", "url", "note", ...}
    GET  /v1/admin/reports?status=open                  → groups: one per site and kind, most reported first
    POST /v1/admin/reports/{id}/decision {"decision": "accept"|"reject", "note", "list"?, "category"?}

A report says "this is a scam" (scam, phishing); an appeal says "this warning is wrong" (wrong_warning).
A report may name, with or without the site, up to MAX_INDICATORS cards, phones or IBANs ("I paid to this
card": `indicators: ["card:4400 4302 1234 5674"]`); each becomes its own report grouped with the other
reports of the same canonical indicator, so a dropper card used by many shops gathers its reports in one
group. A person appeals the listing of their own card or number the same way, with kind wrong_warning.
Indicators are personal data: the queue shows them masked unless a moderator asks `?reveal=true`, which is
audited (docs/privacy.md); the reporter's own view shows them masked.
Open reports of the same kind about the same site (the same canonical expression: `https://Shop.kz/a?b`
and `shop.kz/a?b` are one) form a group, decided at once: accepting reports puts the site on the
moderators' list, accepting an appeal takes it off every list the running index has it on (bundled lists
too), rejecting closes the group. A report's id is a random 64-bit token, so only its reporter can
look it up; the reporter sees the status and the moderator's note, never who decided.

The public route is limited per client address to REPORTS_PER_WINDOW in WINDOW_SECONDS, whatever
credential it carries: RATE_LIMITS below is handed by create_app to the rate-limit middleware, whose counters
are in Redis when ABAILA_REDIS_URL is set, so every instance shares them (else in this process).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, get_args

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api.admin import MODERATORS, index_lists, reveal
from service.api.admintypes import (
    MAX_PER_PAGE,
    DecisionBody,
    DecisionResult,
    QueueQuery,
    QueueSort,
    ReportQueue,
    refusals,
)
from service.api.contract import (
    AUTH_ERRORS,
    BODY_ERRORS,
    URL,
    decode_body,
    decode_query,
    error_responses,
    json_response,
    query_parameters,
    request_body,
)
from service.auth import authenticate
from service.errors import InvalidField, NotFound
from service.indicators import is_indicator
from service.lists import Category
from service.moderation import (
    MAX_COMMENT,
    MAX_ENTRY,
    parse_category,
    parse_comment,
    parse_entry,
    parse_force,
    parse_list_name,
    parse_text,
)
from service.platforms import place
from service.store import REPORT_KINDS, Report, ReportKind, ReportStatus, Store
from service.urls import entry_to_expression, validate_for_api

__all__ = ["RATE_LIMITS", "REPORTS_PER_WINDOW", "WINDOW_SECONDS", "file_indicator_reports", "file_report",
           "openapi_paths", "parse_indicators", "routes"]

REPORTS_PER_WINDOW = 10  # reports per client address...
WINDOW_SECONDS = 600  # ...per ten minutes: enough for a person, too few to flood the queue
# For service.middleware.ratelimit.RateLimitMiddleware(address_paths=...): path -> (method, rate, counter name)
RATE_LIMITS = {"/v1/reports": ("POST", f"{REPORTS_PER_WINDOW}/{WINDOW_SECONDS} seconds", "report")}
MAX_INDICATORS = 10  # cards, phones, IBANs in one report: what one victim paid to
_REPORT_ID = re.compile(r"^r[0-9a-f]{16}$")


def _clean(kind: str, comment: str | None) -> str | None:
    """Returns the comment as stored (control characters dropped); raises on a bad kind or a long comment."""
    if kind not in REPORT_KINDS:
        raise InvalidField(f"kind must be one of {', '.join(REPORT_KINDS)}, not {kind!r}", field="kind")
    return parse_comment(comment)


async def file_report(request: Request, *, url: object, kind: str, comment: str | None) -> Report:
    """Returns the report filed about url (validated; kind one of REPORT_KINDS): the API's and the check
    page's Report action both land here, so they fill one queue the same way."""
    client = request.client.host if request.client else "unknown"  # counted by the middleware (RATE_LIMITS)
    parsed = validate_for_api(url)
    comment = _clean(kind, comment)
    placement = place(parsed)
    if kind != "wrong_warning":
        if placement is not None and placement.identity is not None:
            # A report from any URL of an account, listing or page is about that identity, never the platform.
            expression = placement.identity.key
        elif placement is not None:
            # Another page of a platform (a post, a video): that page only; its host is everybody's.
            expression = entry_to_expression(str(parsed))
        else:
            # A report is about the site: the whole host, not the one page (scam shops rotate paths).
            expression = parsed.host + "/"
    else:
        # An appeal is about the entry that warned: the most general one the index has, else the host.
        index = request.app.state.checker.index
        hits = index.match_url(parsed)
        blocking = [h.expression for h in hits if h.list.category != Category.ALLOWLIST]
        expression = min(blocking, key=len) if blocking else parsed.host + "/"
    assert isinstance(url, str)
    # The query string and fragment often carry the victim's own data (tokens, order ids, emails); the
    # expression above already says what is reported.
    stored = url.strip().split("#", 1)[0].split("?", 1)[0]
    store: Store = request.app.state.store
    return await store.create_report(url=stored, expression=expression, kind=kind, comment=comment, client=client)


async def file_indicator_reports(request: Request, indicators: list[str], *, url: str | None, kind: str,
                                 comment: str | None) -> list[Report]:
    """Returns one report per canonical indicator ("I paid to this card"), each grouped with the other open
    reports of the same indicator; url, when given, is kept with each so moderators see where it was used."""
    client = request.client.host if request.client else "unknown"
    comment = _clean(kind, comment)
    store = request.app.state.store
    return [await store.create_report(url=(url or "").strip(), expression=indicator, kind=kind, comment=comment,
                                      client=client) for indicator in indicators]


def parse_indicators(values: list[Any] | None) -> list[str]:
    """Returns the canonical indicators of a report, in order, each once; raises naming the bad slot."""
    if not values:
        return []
    if len(values) > MAX_INDICATORS:
        raise InvalidField(f"indicators has {len(values)} items; at most {MAX_INDICATORS}", field="indicators")
    out: list[str] = []
    for i, value in enumerate(values):
        field = f"indicators[{i}]"
        if not isinstance(value, str) or not is_indicator(value):
            raise InvalidField(f"{field} must be written card:…, phone:… or iban:…", field=field)
        out.append(parse_entry(value, field))
    return list(dict.fromkeys(out))


# A card, phone or IBAN as service.indicators reads it; one that is not (or fails its checksum) is refused.
_INDICATOR_SCHEMA = {"type": "string", "maxLength": MAX_ENTRY, "format": "indicator",
                     "description": "card:…, phone:… or iban:…, in any written form"}


class ReportBody(msgspec.Struct):
    """POST /v1/reports's body: a site (url), the cards, phones, IBANs paid to (indicators), or both."""

    kind: ReportKind
    url: URL | None = None
    # Each item and the count are checked by parse_indicators, whose errors name the slot and say "card:…".
    indicators: Annotated[list[Any], msgspec.Meta(extra_json_schema={
        "items": _INDICATOR_SCHEMA, "maxItems": MAX_INDICATORS})] | None = None
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] | None = None


# "A url, or at least one indicator": a rule across fields, which a Struct cannot state by itself.
_REPORT_BODY = Annotated[ReportBody, msgspec.Meta(extra_json_schema={"anyOf": [
    {"required": ["url"], "properties": {"url": {"type": "string"}}},
    {"required": ["indicators"], "properties": {"indicators": {"type": "array", "minItems": 1}}}]})]


class ReportFiled(msgspec.Struct):
    """The reports filed: keep the ids to follow them (GET /v1/reports/{id})."""

    id: str
    status: ReportStatus
    ids: list[str]


async def create_report(request: Request) -> JSONResponse:
    body = await decode_body(request, ReportBody, max_bytes=16 * 1024)
    indicators = parse_indicators(body.indicators)  # all checked before anything is filed
    url, kind, comment = body.url, body.kind.value, body.comment
    if url is None and not indicators:
        raise InvalidField("url is required unless indicators are given", field="url")
    if url is not None:
        validate_for_api(url)
    filed = [await file_report(request, url=url, kind=kind, comment=comment)] if url is not None else []
    filed += await file_indicator_reports(request, indicators, url=url, kind=kind, comment=comment)
    return JSONResponse({"id": filed[0].id, "status": filed[0].status, "ids": [r.id for r in filed]},
                        status_code=201)


async def get_report(request: Request) -> JSONResponse:
    report_id = request.path_params["report_id"]
    if not _REPORT_ID.match(report_id):
        raise NotFound(f"no report with id {report_id!r}")
    report = await request.app.state.store.get_report(report_id)
    return JSONResponse(report.to_public_json())


async def queue(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    query = decode_query(request.query_params, QueueQuery)
    groups, total = await request.app.state.store.report_page(
        status=None if query.status == "all" else ReportStatus(query.status), sort=query.sort,
        offset=(query.page - 1) * query.per_page, limit=query.per_page)
    full = await reveal(request, principal, [g.expression for g in groups], where="GET /v1/admin/reports",
                        asked=query.reveal)
    return JSONResponse({"groups": [g.to_json(reveal=full) for g in groups], "page": query.page,
                         "per_page": query.per_page, "sort": query.sort, "total": total,
                         "next_page": query.page + 1 if query.page * query.per_page < total else None})


REPORT_SORTS: tuple[str, ...] = get_args(QueueSort)  # /admin's sorts too


def report_paging(params: Any, *, prefix: str = "") -> tuple[int, int, str]:
    """Returns (page from 1, groups per page, sort) from query parameters; raises InvalidField naming the one."""
    def number(name: str, default: int, high: int) -> int:
        raw = params.get(prefix + name)
        if raw in (None, ""):
            return default
        if not str(raw).isdigit() or not 1 <= int(raw) <= high:
            raise InvalidField(f"{prefix + name} must be a whole number from 1 to {high}, not {raw!r}",
                               field=prefix + name)
        return int(raw)

    sort = params.get(prefix + "sort") or "count"
    if sort not in REPORT_SORTS:
        raise InvalidField(f"{prefix}sort must be one of {', '.join(REPORT_SORTS)}, not {sort!r}",
                           field=prefix + "sort")
    return number("page", 1, 100_000), number("per_page", 50, MAX_PER_PAGE), sort


async def decide(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    body = await decode_body(request, DecisionBody)
    store = request.app.state.store
    report = await store.get_report(request.path_params["report_id"])
    result = await store.decide(report.id, decision=body.decision, note=parse_text(body.note, "note"),
                                actor=principal.name, lists_hint=index_lists(request, report.expression),
                                list_name=parse_list_name(body.list_name), category=parse_category(body.category),
                                force=parse_force(body.force, principal.role))
    if result["entries"]:
        await request.app.state.live.notify()
    return JSONResponse(result)


routes = [
    Route("/v1/reports", create_report, methods=["POST"]),
    Route("/v1/reports/{report_id}", get_report, methods=["GET"]),
    Route("/v1/admin/reports", queue, methods=["GET"]),
    Route("/v1/admin/reports/{report_id}/decision", decide, methods=["POST"]),
]

openapi_paths: dict[str, Any] = {
    "/v1/reports": {"post": {
        "summary": "Report a scam site, or a warning that is wrong (an appeal)",
        "requestBody": request_body(_REPORT_BODY),
        "responses": {"201": json_response(ReportFiled, "The reports filed, one per site and indicator"),
                      **error_responses(400, 408, 413, 429)}}},
    "/v1/reports/{report_id}": {"get": {
        "summary": "A report's status (open, accepted, rejected) and the moderator's note",
        "parameters": [{"name": "report_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The report"}, **error_responses(404)}}},
    "/v1/admin/reports": {"get": {
        "summary": "The reports queue, grouped by site and kind (moderator)", "security": [{"bearer": []}],
        "parameters": query_parameters(QueueQuery),
        "responses": {"200": {**json_response(ReportQueue, "Groups: one per site or indicator and kind"),
                              "links": {"DecideFirstGroup": {
                                  "operationRef": "#/paths/~1v1~1admin~1reports~1{report_id}~1decision/post",
                                  "parameters": {"report_id": "$response.body#/groups/0/id"}}}},
                      **error_responses(400, *AUTH_ERRORS)}}},
    "/v1/admin/reports/{report_id}/decision": {"post": {
        "summary": "Decide a report's group: accept (report → entry added; appeal → entry removed) or reject",
        "security": [{"bearer": []}],
        "parameters": [{"name": "report_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": request_body(DecisionBody),
        "responses": refusals({
            "200": json_response(DecisionResult, "The decision and the entries it changed"),
            **error_responses(*BODY_ERRORS, *AUTH_ERRORS, 404, 409, s404="no report with that id",
                              s409="the group was already decided, or the list exists with another category")},
            ["entry"], "or accepting a report whose site is a public suffix or a platform's own domain "
            "(platform_domain; an admin may force it)")}},
}
