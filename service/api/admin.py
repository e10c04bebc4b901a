"""`/v1/admin/...`: entries, the allowlist, import and export, the audit log, API keys (moderator token).

    POST   /v1/admin/entries          {"entry", "reason", "list"?, "category"?, "evidence_url"?, "expires_at"?}
    GET    /v1/admin/entries?q=&list=&category=&removed=
    GET    /v1/admin/entries/{id}
    DELETE /v1/admin/entries/{id or entry}?reason=...&list=...
    POST   /v1/admin/allowlist        {"entry", "reason", ...}   (the moderators' allowlist: verdict trusted)
    GET    /v1/admin/allowlist?q=
    POST   /v1/admin/import           {"text", "reason", "format"?, "list"?, "category"?, "dry_run"?}
    GET    /v1/admin/export?format=plain|hosts|adblock|json|cert-json|cert-csv&list=&kind=urls|indicators
    GET    /v1/admin/lists
    GET    /v1/admin/audit?actor=&target=&action=&since=&until=
    GET    /v1/admin/keys, POST /v1/admin/keys {"name", "role", "rate"?}, DELETE /v1/admin/keys/{id}   (admin)

Every change is committed with its audit row in one transaction (service.store), then applied to this
instance's index before the response and announced to the others (service.live), so a 2xx means the
change is durable and already in force here. Example: `POST /v1/admin/entries {"entry":
"https://pay.kaspi-kz.top/card", "reason": "phishing kit"}` → 201 `{"entry": {"entry": "pay.kaspi-kz.top/card",
"list": "abaila-moderators", ...}, "created": true}`.

Each body, query and answer is a Struct of service.api.admintypes, decoded by service.api.contract; the
OpenAPI below is generated from the same types, and lists every status a route can answer.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from service.api.admintypes import (
    MAX_ID,
    AuditPage,
    AuditQuery,
    EntryAdded,
    EntryBody,
    EntryFound,
    EntryOne,
    EntryQuery,
    EntryRemoved,
    ExportQuery,
    ImportBody,
    ImportSummary,
    KeyBody,
    KeyCreated,
    KeyList,
    KeyView,
    ListsView,
    RemoveQuery,
    RevealQuery,
    RevokeQuery,
    given,
    query_time,
    refusals,
)
from service.api.contract import (
    AUTH_ERRORS,
    BODY_ERRORS,
    decode_body,
    decode_query,
    error_responses,
    json_response,
    query_parameters,
    request_body,
)
from service.auth import Principal, authenticate, forget_tokens
from service.errors import InvalidField, InvalidIndicator, InvalidURL, NotFound
from service.indicators import is_indicator
from service.lists import Category, export_list
from service.middleware.usage import key_usage
from service.moderation import (
    MAX_ENTRY,
    MAX_IMPORT_BYTES,
    NOT_BLANK_PATTERN,
    import_text,
    parse_addition,
    parse_category,
    parse_entry,
    parse_force,
    parse_list_name,
    parse_rate,
    parse_text,
    search_text,
)
from service.store import DEFAULT_ALLOWLIST, DEFAULT_LIST, Effect, Role, Store, shown
from service.urls import entry_to_expression

__all__ = ["MODERATORS", "index_lists", "openapi_paths", "reveal", "routes"]

MODERATORS = {Role.MODERATOR}  # admins pass every role check (service.auth)


# ---------------------------------------------------------------------------------------------------------
# Input: bodies and queries decode into service.api.admintypes' Structs (service.api.contract); the field
# parsers are service.moderation's, shared with /admin, the reports queue and the CLI


def index_lists(request: Request, expression: str) -> list[tuple[str, str]]:
    """Returns the (list, category) pairs the running index has the expression on."""
    index = request.app.state.checker.index
    return list(dict.fromkeys((hit.list.name, hit.list.category) for hit in index.match([expression])))


async def reveal(request: Request, principal: Principal, expressions: list[str], *, where: str,
                 asked: bool) -> bool:
    """Returns asked (the query's `reveal=true`: show indicators in full); if so, audits each shown.

    Moderators' screens show cards, phones and IBANs masked; a full value is shown only on request, and
    every such read by a person is in the audit log (`indicator.read`, docs/privacy.md).
    """
    if asked:
        await _store(request).audit_reads(principal.name, expressions, where=where)
    return asked


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _row_id(ref: str, what: str) -> int:
    """Returns a path's row id; raises NotFound for anything else (no row has it)."""
    if not ref.isascii() or not ref.isdigit() or int(ref) > MAX_ID:
        raise NotFound(f"no {what} with id {ref!r}")
    return int(ref)


# ---------------------------------------------------------------------------------------------------------
# Entries


async def _add(request: Request, *, default_list: str, default_category: str | None = None) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    body = await decode_body(request, EntryBody)
    addition = parse_addition(
        entry=body.entry, reason=body.reason, category=body.category or default_category,
        list_name=body.list_name, evidence_url=body.evidence_url, expires_at=body.expires_at,
        now=request.app.state.settings.clock(), default_list=default_list)
    entry, created = await _store(request).add_entry(
        addition.expression, reason=addition.reason, actor=principal.name, list_name=addition.list_name,
        category=addition.category, evidence_url=addition.evidence_url, expires_at=addition.expires_at,
        force=parse_force(body.force, principal.role))
    await request.app.state.live.notify()
    return JSONResponse({"entry": entry.to_json(), "created": created}, status_code=201 if created else 200)


async def add_entry(request: Request) -> JSONResponse:
    return await _add(request, default_list=DEFAULT_LIST)


async def add_allow(request: Request) -> JSONResponse:
    return await _add(request, default_list=DEFAULT_ALLOWLIST, default_category=Category.ALLOWLIST)


async def _search(request: Request, *, category: str | None = None) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    query = decode_query(request.query_params, EntryQuery)
    q = search_text(query.q)
    found = await _store(request).search_entries(
        q, list_name=parse_list_name(given(query.list_name)),
        category=category or parse_category(given(query.category)),
        include_removed=query.removed, limit=query.limit, offset=query.offset)
    full = await reveal(request, principal, [e.expression for e in found], where="GET /v1/admin/entries",
                        asked=query.reveal)
    result: dict[str, Any] = {"entries": [e.to_json(reveal=full) for e in found]}
    if q and not is_indicator(q):  # what the running index says about q, bundled lists included
        try:
            expression = entry_to_expression(q.strip())
            result["index"] = [{"list": n, "category": c} for n, c in index_lists(request, expression)]
        except InvalidURL:
            pass
    return JSONResponse(result)


async def search_entries(request: Request) -> JSONResponse:
    return await _search(request)


async def search_allow(request: Request) -> JSONResponse:
    return await _search(request, category=Category.ALLOWLIST)


async def get_entry(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    query = decode_query(request.query_params, RevealQuery)
    entry = await _store(request).get_entry(_row_id(request.path_params["ref"], "entry"))
    full = await reveal(request, principal, [entry.expression], where="GET /v1/admin/entries/{id}",
                        asked=query.reveal)
    return JSONResponse({"entry": entry.to_json(reveal=full)})


async def remove_entry(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    ref = request.path_params["ref"]
    query = decode_query(request.query_params, RemoveQuery)
    reason = parse_text(query.reason, "reason")
    list_name = parse_list_name(given(query.list_name))
    store = _store(request)
    by_id = ref.isascii() and ref.isdigit()
    if by_id:
        entry = await store.get_entry(_row_id(ref, "entry"))
        if entry.effect != Effect.BLOCK or entry.removed_at is not None:
            raise NotFound(f"entry {ref} is not in force (removed at {entry.removed_at})")
        expression, list_name = entry.expression, entry.list
    else:
        expression = parse_entry(ref, "ref")
    removed = await store.remove_entry(expression, reason=reason, actor=principal.name, list_name=list_name,
                                       lists_hint=index_lists(request, expression))
    await request.app.state.live.notify()
    # Removed by id, an indicator stays masked: the moderator did not type it (docs/privacy.md).
    return JSONResponse({"removed": [{"entry": shown(e.expression, not by_id), "list": e.list,
                                      "category": e.category} for e in removed]})


# ---------------------------------------------------------------------------------------------------------
# Import, export, lists


async def import_list(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    body = await decode_body(request, ImportBody, max_bytes=MAX_IMPORT_BYTES)
    dry_run = bool(body.dry_run)
    _, summary = await import_text(_store(request), body.text, reason=parse_text(body.reason, "reason"),
                                   actor=principal.name, dry_run=dry_run, fmt=body.format,
                                   list_name=parse_list_name(body.list_name), category=parse_category(body.category),
                                   force=parse_force(body.force, principal.role))
    added = summary["added"] + summary.get("indicators", {}).get("added", 0)
    if not dry_run and added:
        await request.app.state.live.notify()
    return JSONResponse(summary, status_code=200 if dry_run else 201 if added else 200)


async def export(request: Request) -> Response:
    principal = await authenticate(request, roles=MODERATORS)
    query = decode_query(request.query_params, ExportQuery)
    list_name = parse_list_name(given(query.list_name))
    if query.kind == "indicators":
        return await _export_indicators(request, principal, query.format, list_name)
    index = request.app.state.checker.index
    if list_name and list_name not in {info.name for info in index.lists}:
        raise NotFound(f"no list named {list_name!r}")
    # Indicators are in the index too (a listed phone blocks its WhatsApp links) but export with kind=indicators.
    expressions = sorted({text for text, info in index.iter_entries()
                          if (info.name == list_name if list_name else info.category != Category.ALLOWLIST)
                          and not is_indicator(text)})
    output = export_list(expressions, query.format)
    media = "application/json" if query.format in ("json", "cert-json") else "text/plain; charset=utf-8"
    return PlainTextResponse(output, media_type=media)


async def _export_indicators(request: Request, principal: Principal, fmt: str, list_name: str | None) -> Response:
    """The indicators in force, in full: an export is a read of every value, so each is audited."""
    if fmt not in ("plain", "json"):
        raise InvalidField(f"indicators export as plain or json, not {fmt!r}", field="format")
    store = _store(request)
    found = await store.live_indicators(list_name=list_name)
    await store.audit_reads(principal.name, [e.expression for e in found], where="GET /v1/admin/export")
    if fmt == "json":
        return JSONResponse({"indicators": [e.to_json() for e in found]})
    lines = sorted({e.expression for e in found})
    return PlainTextResponse("".join(f"{line}\n" for line in lines), media_type="text/plain; charset=utf-8")


async def list_lists(request: Request) -> JSONResponse:
    await authenticate(request, roles=MODERATORS)
    index = request.app.state.checker.index
    sizes = index.list_sizes()
    return JSONResponse({"lists": [{**info.to_json(), "entries": sizes.get(info.name, 0)} for info in index.lists]})


# ---------------------------------------------------------------------------------------------------------
# Audit, keys


def _audit_target(target: str | None) -> str | None:
    """Returns the audit filter's target as the log writes it: an entry as its expression or canonical indicator
    (`Shop.kz` -> `shop.kz/`), `key:<id>` and anything that is no entry as given (it then matches nothing)."""
    if not target or target.startswith("key:"):
        return target or None
    try:
        return parse_entry(target, "target") if is_indicator(target) else entry_to_expression(target)
    except (InvalidURL, InvalidIndicator, InvalidField):  # a masked card (`card:4400••••5679`) included
        return target


async def audit_log(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    query = decode_query(request.query_params, AuditQuery)
    records = await _store(request).audit_log(
        actor=given(query.actor) or None, target=_audit_target(given(query.target)),
        action=given(query.action) or None, since=query_time(query.since, "since"),
        until=query_time(query.until, "until"), limit=query.limit, offset=query.offset)
    full = await reveal(request, principal, [r.target for r in records], where="GET /v1/admin/audit",
                        asked=query.reveal)
    return JSONResponse({"audit": [r.to_json(reveal=full) for r in records]})


async def list_keys(request: Request) -> JSONResponse:
    """Lists keys with their usage counters (requests, URLs checked, times limited; shared via Redis)."""
    await authenticate(request, roles={Role.ADMIN})
    keys = await _store(request).list_keys()
    usage = await key_usage(request.app, None)
    blank = {"requests": 0, "urls": 0, "limited": 0}
    return JSONResponse({"keys": [{**k.to_json(), "usage": usage.get(str(k.id), blank)} for k in keys]})


async def create_key(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles={Role.ADMIN})
    body = await decode_body(request, KeyBody)
    key, token = await _store(request).create_key(name=parse_text(body.name, "name"), role=body.role,
                                                  rate=parse_rate(body.rate), actor=principal.name)
    return JSONResponse({**key.to_json(), "token": token}, status_code=201)


async def revoke_key(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles={Role.ADMIN})
    query = decode_query(request.query_params, RevokeQuery)
    key = await _store(request).revoke_key(_row_id(request.path_params["key_id"], "API key"), actor=principal.name,
                                           reason=query.reason)
    forget_tokens(_store(request))
    return JSONResponse(key.to_json())


routes = [
    Route("/v1/admin/entries", search_entries, methods=["GET"]),
    Route("/v1/admin/entries", add_entry, methods=["POST"]),
    Route("/v1/admin/entries/{ref:path}", get_entry, methods=["GET"]),
    Route("/v1/admin/entries/{ref:path}", remove_entry, methods=["DELETE"]),
    Route("/v1/admin/allowlist", search_allow, methods=["GET"]),
    Route("/v1/admin/allowlist", add_allow, methods=["POST"]),
    Route("/v1/admin/import", import_list, methods=["POST"]),
    Route("/v1/admin/export", export, methods=["GET"]),
    Route("/v1/admin/lists", list_lists, methods=["GET"]),
    Route("/v1/admin/audit", audit_log, methods=["GET"]),
    Route("/v1/admin/keys", list_keys, methods=["GET"]),
    Route("/v1/admin/keys", create_key, methods=["POST"]),
    Route("/v1/admin/keys/{key_id}", revoke_key, methods=["DELETE"]),
]

# ---------------------------------------------------------------------------------------------------------
# OpenAPI: generated from the Structs; every status a route can answer is listed

_SEC: list[dict[str, list[str]]] = [{"bearer": []}]
_READ = error_responses(400, *AUTH_ERRORS)
_WRITE = error_responses(*BODY_ERRORS, *AUTH_ERRORS)
_ADDED = refusals({
    "201": {**json_response(EntryAdded, "Added"), "links": {"GetEntry": {  # not DELETE: a removed entry stays
        "operationRef": "#/paths/~1v1~1admin~1entries~1{ref}/get",  # readable (removed_at), by design
        "parameters": {"ref": "$response.body#/entry/id"}}}},
    "200": json_response(EntryAdded, "Already there: nothing changed"),
    **_WRITE, **error_responses(409, s409="the list exists with another category")},
    ["entry", "expires_at"], "or a well-formed entry that is no valid URL or indicator, a public suffix or a "
    "platform's own domain or page (platform_domain; an admin may force it), or an expiry in the past")

openapi_paths: dict[str, Any] = {
    "/v1/admin/entries": {
        "get": {"summary": "Search moderators' entries (and what the running index has for q)", "security": _SEC,
                "parameters": query_parameters(EntryQuery),
                "responses": {"200": json_response(EntryFound, "Entries, newest first"), **_READ}},
        "post": {"summary": "Put a domain, URL, expression or indicator on a list", "security": _SEC,
                 "requestBody": request_body(EntryBody), "responses": _ADDED},
    },
    "/v1/admin/entries/{ref}": {
        "get": {"summary": "One entry by id", "security": _SEC, "parameters": [
            {"name": "ref", "in": "path", "required": True, "description": "the entry's id",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}, *query_parameters(RevealQuery)],
            "responses": {"200": json_response(EntryOne, "The entry"), **_READ,
                          **error_responses(404, s404="no entry with that id")}},
        "delete": {"summary": "Take an entry (id) or an expression off its lists, bundled lists included",
                   "security": _SEC, "parameters": [
                       {"name": "ref", "in": "path", "required": True,
                        "description": "entry id, or a domain / URL / expression / indicator",
                        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_ENTRY,
                                   "pattern": NOT_BLANK_PATTERN, "examples": ["1", "kaspi-kz.top"]}},
                       *query_parameters(RemoveQuery)],
                   "responses": refusals(
                       {"200": json_response(EntryRemoved, "What was removed"), **_READ,
                        **error_responses(404, s404="no such entry in force, or the expression is on no list")},
                       ["ref"], "or a ref that is neither an id nor a valid URL, expression or indicator")},
    },
    "/v1/admin/allowlist": {
        "get": {"summary": "Search allowlist entries", "security": _SEC, "parameters": query_parameters(EntryQuery),
                "responses": {"200": json_response(EntryFound, "Entries, newest first"), **_READ}},
        "post": {"summary": f"Allowlist a site (list {DEFAULT_ALLOWLIST}, category allowlist; verdict trusted)",
                 "security": _SEC, "requestBody": request_body(EntryBody), "responses": _ADDED},
    },
    "/v1/admin/import": {"post": {
        "summary": "Import a list file (any supported format); dry_run shows what would change", "security": _SEC,
        "requestBody": request_body(ImportBody),
        "responses": {"201": json_response(ImportSummary, "Imported; bad lines and refused entries are listed"),
                      "200": json_response(ImportSummary, "Dry run or nothing new: the same summary"), **_WRITE,
                      **error_responses(409, s409="the list exists with another category")}}},
    "/v1/admin/export": {"get": {
        "summary": "Export the running index's entries (bundled and moderators'), or the indicators in force",
        "security": _SEC, "parameters": query_parameters(ExportQuery),
        "responses": {"200": {"description": "The list file: JSON for json and cert-json, else text", "content": {
            "text/plain": {"schema": {"type": "string"}}, "application/json": {"schema": {"anyOf": [
                {"type": "object", "description": "json: {expressions, identities, ...}; kind=indicators: "
                                                  "{indicators: [entry, ...]}"},
                {"type": "array", "description": "cert-json: CERT Polska's domains.json records"}]}}}},
            **refusals(_READ, ["format"], "or indicators asked for in a format other than plain or json"),
            **error_responses(404, s404="no list of that name")}}},
    "/v1/admin/lists": {"get": {"summary": "Lists in the running index with their sizes", "security": _SEC,
                                "responses": {"200": json_response(ListsView, "Lists"),
                                              **error_responses(*AUTH_ERRORS)}}},
    "/v1/admin/audit": {"get": {
        "summary": "The audit log, newest first", "security": _SEC, "parameters": query_parameters(AuditQuery),
        "responses": {"200": json_response(AuditPage, "Records"), **_READ}}},
    "/v1/admin/keys": {
        "get": {"summary": "API keys and moderator tokens (admin)", "security": _SEC,
                "responses": {"200": json_response(KeyList, "Keys, without secrets, with usage"),
                              **error_responses(*AUTH_ERRORS)}},
        "post": {"summary": "Create a key (admin); the token is in this response only", "security": _SEC,
                 "requestBody": request_body(KeyBody),
                 "responses": {"201": json_response(KeyCreated, "The key and its token"), **_WRITE}},
    },
    "/v1/admin/keys/{key_id}": {"delete": {
        "summary": "Revoke a key (admin)", "security": _SEC,
        "parameters": [{"name": "key_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
                       *query_parameters(RevokeQuery)],
        "responses": {"200": json_response(KeyView, "The revoked key"), **_READ,
                      **error_responses(404, s404="no API key with that id")}}},
}
