"""`/v1/admin/...`: entries, the allowlist, import and export, the audit log, API keys (moderator token).

    POST   /v1/admin/entries          {"entry", "reason", "list"?, "category"?, "evidence_url"?, "expires_at"?}
    GET    /v1/admin/entries?q=&list=&category=&removed=
    GET    /v1/admin/entries/{id}
    DELETE /v1/admin/entries/{id or entry}?reason=...&list=...
    POST   /v1/admin/allowlist        {"entry", "reason", ...}   (the moderators' allowlist: verdict trusted)
    GET    /v1/admin/allowlist?q=
    POST   /v1/admin/import           {"text", "reason", "format"?, "list"?, "category"?, "dry_run"?}
    GET    /v1/admin/export?format=plain|hosts|adblock|json|cert-json|cert-csv&list=
    GET    /v1/admin/lists
    GET    /v1/admin/audit?actor=&target=&action=&since=&until=
    GET    /v1/admin/keys, POST /v1/admin/keys {"name", "role", "rate"?}, DELETE /v1/admin/keys/{id}   (admin)

Every change is committed with its audit row in one transaction (service.store), then applied to this
instance's index before the response and announced to the others (service.live), so a 2xx means the
change is durable and already in force here. Example: `POST /v1/admin/entries {"entry":
"https://pay.kaspi-kz.top/card", "reason": "phishing kit"}` → 201 `{"entry": {"entry": "pay.kaspi-kz.top/card",
"list": "abaila-moderators", ...}, "created": true}`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from service.api.bodies import read_json_object, require_type
from service.auth import Principal, authenticate, forget_tokens
from service.errors import InvalidField, InvalidURL, NotFound
from service.indicators import is_indicator
from service.lists import EXPORT_FORMATS, Category, export_list
from service.middleware.usage import key_usage
from service.moderation import (
    MAX_IMPORT_BYTES,
    MAX_TEXT,
    import_text,
    parse_addition,
    parse_category,
    parse_entry,
    parse_force,
    parse_list_name,
    parse_rate,
    parse_text,
    parse_time,
    search_text,
)
from service.store import DEFAULT_ALLOWLIST, DEFAULT_LIST, ROLES, Effect, Role, Store, shown
from service.urls import entry_to_expression

__all__ = ["MODERATORS", "index_lists", "openapi_paths", "reveal", "routes"]

MODERATORS = {Role.MODERATOR}  # admins pass every role check (service.auth)


# ---------------------------------------------------------------------------------------------------------
# Input (the field parsers are service.moderation's, shared with /admin, the reports queue and the CLI)


def _int_param(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 0 <= int(raw) <= high:
        raise InvalidField(f"{name} must be an integer 0-{high}, not {raw!r}", field=name)
    return int(raw)


def index_lists(request: Request, expression: str) -> list[tuple[str, str]]:
    """Returns the (list, category) pairs the running index has the expression on."""
    index = request.app.state.checker.index
    return list(dict.fromkeys((hit.list.name, hit.list.category) for hit in index.match([expression])))


async def reveal(request: Request, principal: Principal, expressions: list[str], *, where: str) -> bool:
    """Reports whether the request asked to see indicators in full (`?reveal=true`); if so, audits each shown.

    Moderators' screens show cards, phones and IBANs masked; a full value is shown only on request, and
    every such read by a person is in the audit log (`indicator.read`, docs/privacy.md).
    """
    if request.query_params.get("reveal") not in ("1", "true", "yes"):
        return False
    await _store(request).audit_reads(principal.name, expressions, where=where)
    return True


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


# ---------------------------------------------------------------------------------------------------------
# Entries


async def _add(request: Request, principal: Principal, body: dict[str, Any], *, default_list: str) -> JSONResponse:
    addition = parse_addition(
        entry=body.get("entry"), reason=body.get("reason"), category=require_type(body, "category", str),
        list_name=require_type(body, "list", str), evidence_url=body.get("evidence_url"),
        expires_at=body.get("expires_at"), now=dt.datetime.now(dt.UTC), default_list=default_list)
    entry, created = await _store(request).add_entry(
        addition.expression, reason=addition.reason, actor=principal.name, list_name=addition.list_name,
        category=addition.category, evidence_url=addition.evidence_url, expires_at=addition.expires_at,
        force=parse_force(body.get("force"), principal.role))
    await request.app.state.live.notify()
    return JSONResponse({"entry": entry.to_json(), "created": created}, status_code=201 if created else 200)


async def add_entry(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    return await _add(request, principal, await read_json_object(request), default_list=DEFAULT_LIST)


async def add_allow(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    body = await read_json_object(request)
    body.setdefault("category", Category.ALLOWLIST)
    return await _add(request, principal, body, default_list=DEFAULT_ALLOWLIST)


async def _search(request: Request, *, category: str | None = None) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    params = request.query_params
    q = params.get("q", "")
    if len(q) > 2048:
        raise InvalidField("q is longer than 2048 characters", field="q")
    q = search_text(q)
    found = await _store(request).search_entries(
        q, list_name=parse_list_name(params.get("list")),
        category=category or parse_category(params.get("category")),
        include_removed=params.get("removed") in ("1", "true", "yes"),
        limit=_int_param(request, "limit", 100, 1000), offset=_int_param(request, "offset", 0, 10**9))
    full = await reveal(request, principal, [e.expression for e in found], where="GET /v1/admin/entries")
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
    ref = request.path_params["ref"]
    if not ref.isdigit():
        raise NotFound(f"no entry with id {ref!r}")
    entry = await _store(request).get_entry(int(ref))
    full = await reveal(request, principal, [entry.expression], where="GET /v1/admin/entries/{id}")
    return JSONResponse({"entry": entry.to_json(reveal=full)})


async def remove_entry(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    ref = request.path_params["ref"]
    reason = parse_text(request.query_params.get("reason"), "reason")
    list_name = parse_list_name(request.query_params.get("list"))
    store = _store(request)
    by_id = ref.isdigit()
    if by_id:
        entry = await store.get_entry(int(ref))
        if entry.effect != Effect.BLOCK or entry.removed_at is not None:
            raise NotFound(f"entry {ref} is not in force (removed at {entry.removed_at})")
        expression, list_name = entry.expression, entry.list
    else:
        expression = parse_entry(ref)
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
    body = await read_json_object(request, max_bytes=MAX_IMPORT_BYTES)
    text = require_type(body, "text", str, required=True)
    reason = parse_text(body.get("reason"), "reason")
    fmt = require_type(body, "format", str)
    dry_run = require_type(body, "dry_run", bool) or False
    explicit_list = parse_list_name(require_type(body, "list", str))
    explicit_category = parse_category(require_type(body, "category", str))
    _, summary = await import_text(_store(request), text, reason=reason, actor=principal.name, dry_run=dry_run,
                                   fmt=fmt, list_name=explicit_list, category=explicit_category,
                                   force=parse_force(body.get("force"), principal.role))
    added = summary["added"] + summary.get("indicators", {}).get("added", 0)
    if not dry_run and added:
        await request.app.state.live.notify()
    return JSONResponse(summary, status_code=200 if dry_run else 201 if added else 200)


async def export(request: Request) -> Response:
    principal = await authenticate(request, roles=MODERATORS)
    fmt = request.query_params.get("format", "plain")
    if fmt not in EXPORT_FORMATS:
        raise InvalidField(f"format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}", field="format")
    list_name = parse_list_name(request.query_params.get("list"))
    kind = request.query_params.get("kind", "urls")
    if kind not in ("urls", "indicators"):
        raise InvalidField(f"kind must be urls or indicators, not {kind!r}", field="kind")
    if kind == "indicators":
        return await _export_indicators(request, principal, fmt, list_name)
    index = request.app.state.checker.index
    if list_name and list_name not in {info.name for info in index.lists}:
        raise NotFound(f"no list named {list_name!r}")
    # Indicators are in the index too (a listed phone blocks its WhatsApp links) but export with kind=indicators.
    expressions = sorted({text for text, info in index.iter_entries()
                          if (info.name == list_name if list_name else info.category != Category.ALLOWLIST)
                          and not is_indicator(text)})
    output = export_list(expressions, fmt)
    media = "application/json" if fmt in ("json", "cert-json") else "text/plain; charset=utf-8"
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


async def audit_log(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles=MODERATORS)
    params = request.query_params
    target = params.get("target") or None
    if target and is_indicator(target):
        target = parse_entry(target, "target")
    elif target:
        try:
            target = entry_to_expression(target) if not target.startswith("key:") else target
        except InvalidURL:
            pass
    records = await _store(request).audit_log(
        actor=params.get("actor") or None, target=target, action=params.get("action") or None,
        since=parse_time(params.get("since"), "since"), until=parse_time(params.get("until"), "until"),
        limit=_int_param(request, "limit", 100, 1000), offset=_int_param(request, "offset", 0, 10**9))
    full = await reveal(request, principal, [r.target for r in records], where="GET /v1/admin/audit")
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
    body = await read_json_object(request)
    name = parse_text(body.get("name"), "name")
    role = require_type(body, "role", str, required=True)
    if role not in ROLES:
        raise InvalidField(f"role must be one of {', '.join(ROLES)}, not {role!r}", field="role")
    rate = parse_rate(require_type(body, "rate", str))
    key, token = await _store(request).create_key(name=name, role=role, rate=rate, actor=principal.name)
    return JSONResponse({**key.to_json(), "token": token}, status_code=201)


async def revoke_key(request: Request) -> JSONResponse:
    principal = await authenticate(request, roles={Role.ADMIN})
    ref = request.path_params["key_id"]
    if not ref.isdigit():
        raise NotFound(f"no API key with id {ref!r}")
    key = await _store(request).revoke_key(int(ref), actor=principal.name,
                                           reason=request.query_params.get("reason", ""))
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
# OpenAPI

_SEC: list[dict[str, list[str]]] = [{"bearer": []}]
# A reason or note, as service.moderation.parse_text takes it: some non-space text, at most MAX_TEXT.
_REASON_SCHEMA: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": r"\S"}
_ERR = {"$ref": "#/components/responses/Error"}
_AUTH_ERRORS = {"400": _ERR, "401": _ERR, "403": _ERR}
_ENTRY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "entry": {"type": "string", "description": "canonical expression"},
    "list": {"type": "string"}, "category": {"type": "string"},
    "effect": {"type": "string", "enum": list(Effect)},
    "reason": {"type": "string"}, "evidence_url": {"type": ["string", "null"]}, "added_by": {"type": "string"},
    "added_at": {"type": "string"}, "expires_at": {"type": ["string", "null"]},
    "removed_at": {"type": ["string", "null"]},
    "removed_by": {"type": ["string", "null"]}, "removed_reason": {"type": ["string", "null"]},
    "live": {"type": "boolean"}}}
_ADD_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["entry", "reason"], "properties": {
        "entry": {"type": "string", "description": "a domain, URL or Safe Browsing expression; any URL of an "
                  "account, listing or page on a platform is stored as its identity (docs/platforms.md)"},
        "force": {"type": "boolean", "description": "admin only: list a public suffix or a platform's own domain "
                  "or page anyway (refused otherwise with platform_domain; audited)"},
        "reason": _REASON_SCHEMA,
        "list": {"type": "string", "description": f"default {DEFAULT_LIST}; a new name makes a new list"},
        "category": {"type": "string", "description": "for a new list (default phishing); allowlist → trusted"},
        "evidence_url": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time", "description": "the entry stops matching then"}}}}}}
_ADDED = {"201": {"description": "Added", "content": {"application/json": {"schema": {"type": "object", "properties": {
    "entry": _ENTRY, "created": {"type": "boolean"}}}}}}, "200": {"description": "Already there: nothing changed"},
    "409": _ERR, **_AUTH_ERRORS}


def _q(name: str, description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": {"type": "string"}}


openapi_paths: dict[str, Any] = {
    "/v1/admin/entries": {
        "get": {"summary": "Search moderators' entries (and what the running index has for q)", "security": _SEC,
                "parameters": [_q("q", "substring of the expression"), _q("list", "list name"),
                               _q("category", "category"), _q("removed", "true: include removed entries"),
                               _q("limit", "default 100"), _q("offset", "default 0")],
                "responses": {"200": {"description": "Entries, newest first"}, **_AUTH_ERRORS}},
        "post": {"summary": "Put a domain, URL or expression on a list", "security": _SEC, "requestBody": _ADD_BODY,
                 "responses": _ADDED},
    },
    "/v1/admin/entries/{ref}": {
        "get": {"summary": "One entry by id", "security": _SEC, "parameters": [
            {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The entry"}, "404": _ERR, **_AUTH_ERRORS}},
        "delete": {"summary": "Take an entry (id) or an expression off its lists, bundled lists included",
                   "security": _SEC, "parameters": [
                       {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "entry id, or a domain / URL / expression"},
                       _q("reason", "why (required)", True), _q("list", "only this list")],
                   "responses": {"200": {"description": "What was removed"}, "404": _ERR, **_AUTH_ERRORS}},
    },
    "/v1/admin/allowlist": {
        "get": {"summary": "Search allowlist entries", "security": _SEC, "parameters": [_q("q", "substring")],
                "responses": {"200": {"description": "Entries"}, **_AUTH_ERRORS}},
        "post": {"summary": f"Allowlist a site (list {DEFAULT_ALLOWLIST}; verdict trusted)", "security": _SEC,
                 "requestBody": _ADD_BODY, "responses": _ADDED},
    },
    "/v1/admin/import": {"post": {
        "summary": "Import a list file (any supported format); dry_run shows what would change", "security": _SEC,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["text", "reason"], "properties": {
                "text": {"type": "string", "description": f"the file, at most {MAX_IMPORT_BYTES} bytes"},
                "reason": _REASON_SCHEMA, "format": {"type": "string", "description": "default: detected"},
                "list": {"type": "string", "description": "default: the file's `name:` header, else " + DEFAULT_LIST},
                "category": {"type": "string"}, "dry_run": {"type": "boolean"},
                "force": {"type": "boolean", "description": "admin only: also import the refused lines"}}}}}},
        "responses": {"201": {"description": "Imported: list, category, added, unchanged, bad_lines[{line, text, "
                                             "message}], skipped, refused[{entry, problem}] (public suffixes, "
                                             "platforms' own domains)"},
                      "200": {"description": "Dry run or nothing new: the same summary"}, "409": _ERR,
                      "413": _ERR, **_AUTH_ERRORS}}},
    "/v1/admin/export": {"get": {
        "summary": "Export the running index's entries (bundled and moderators')", "security": _SEC,
        "parameters": [_q("format", "plain | hosts | adblock | json | cert-json | cert-csv"),
                       _q("list", "default: every blocklist")],
        "responses": {"200": {"description": "The list file"}, "404": _ERR, **_AUTH_ERRORS}}},
    "/v1/admin/lists": {"get": {"summary": "Lists in the running index with their sizes", "security": _SEC,
                                "responses": {"200": {"description": "Lists"}, **_AUTH_ERRORS}}},
    "/v1/admin/audit": {"get": {
        "summary": "The audit log, newest first", "security": _SEC,
        "parameters": [_q("actor", "token name"), _q("target", "an entry (any form) or key:<id>"),
                       _q("action", "entry.add, entry.remove, import, report.accept, report.reject, key.create, "
                                    "key.revoke"),
                       _q("since", "ISO 8601, inclusive"), _q("until", "ISO 8601, exclusive"),
                       _q("limit", "default 100"),
                       _q("offset", "default 0")],
        "responses": {"200": {"description": "Records: id, at, actor, action, target, reason, detail"},
                      **_AUTH_ERRORS}}},
    "/v1/admin/keys": {
        "get": {"summary": "API keys and moderator tokens (admin)", "security": _SEC,
                "responses": {"200": {"description": "Keys, without secrets, each with `usage`: "
                                                     "{requests, urls, limited}"}, **_AUTH_ERRORS}},
        "post": {"summary": "Create a key (admin); the token is in this response only", "security": _SEC,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["name", "role"], "properties": {
                         "name": {"type": "string"}, "role": {"type": "string", "enum": list(ROLES)},
                         "rate": {"type": "string", "description": "50/second, 1000/minute or none"}}}}}},
                 "responses": {"201": {"description": "{id, name, role, rate, token, ...}"}, **_AUTH_ERRORS}},
    },
    "/v1/admin/keys/{key_id}": {"delete": {
        "summary": "Revoke a key (admin)", "security": _SEC,
        "parameters": [{"name": "key_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The revoked key"}, "404": _ERR, **_AUTH_ERRORS}}},
}
