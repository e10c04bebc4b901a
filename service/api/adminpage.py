"""`/admin`: the moderators' web page — sign in with a token, the reports queue, entries, import, audit.

    GET /admin ──session cookie──> reports queue, entries (search, add, remove), allowlist (search, add,
        remove), import, audit log (filter: ?actor=&target=&action=)
    POST /admin/login {token} ──> cookie;
    POST /admin/{entries,entries/{id}/remove,allowlist,import,reports/{id},logout}

Server-rendered (Jinja2, autoescaped), no external assets, in kk / ru / en (`?lang=`, then the cookie,
then Accept-Language). The session cookie holds the moderator's token (HttpOnly, SameSite=Strict, Secure
over https), so it works on any instance behind a load balancer. Every POST carries a CSRF token derived
from the session (HMAC of the token's hash), checked in constant time; a form posted from another site has
neither the cookie (SameSite) nor the token. Changes go through the same store methods as the admin API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from service import messages
from service.api.admin import index_lists
from service.api.reports import report_paging
from service.auth import Principal, principal_for_token
from service.errors import AbailaError, Forbidden, InvalidURL
from service.lists import Category
from service.moderation import import_text, parse_addition, parse_list_name, parse_text
from service.store import DEFAULT_LIST, ReportStatus
from service.urls import entry_to_expression

__all__ = ["openapi_paths", "routes"]

_COOKIE = "abaila_admin"
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
                          autoescape=True)



def _lang(request: Request) -> str:
    return messages.choose_lang(request.query_params.get("lang"), request.cookies.get("abaila_lang"),
                                accept_language=request.headers.get("accept-language"))


def _t(request: Request) -> dict[str, str]:
    return messages.strings("admin", _lang(request))


def _audit_target(target: str) -> str | None:
    """The audit filter's target as the log writes it: a domain or URL as its expression (`Shop.kz` →
    `shop.kz/`); a list name or `key:N` as typed."""
    if not target or "." not in target or target.startswith("key:"):
        return target or None
    try:
        return entry_to_expression(target)
    except InvalidURL:
        return target


def _csrf(token: str) -> str:
    return hmac.new(hashlib.sha256(token.encode()).digest(), b"abaila-admin-csrf", "sha256").hexdigest()


async def _session(request: Request) -> tuple[Principal | None, str]:
    token = request.cookies.get(_COOKIE, "")
    principal = await principal_for_token(request.app.state.store, token) if token else None
    if principal is not None and principal.role not in ("moderator", "admin"):
        principal = None
    return principal, token


async def _render(request: Request, *, message: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    lang = _lang(request)
    principal, token = await _session(request)
    params = request.query_params
    context: dict[str, Any] = {"lang": lang, "langs": messages.LANGS, "t": messages.strings("admin", lang),
                               "principal": principal,
                               "message": message, "error": error, "q": params.get("q", ""),
                               "aq": params.get("aq", ""), "actor": params.get("actor", "").strip(),
                               "target": params.get("target", "").strip(), "action": params.get("action", "").strip()}
    if principal is not None:
        store = request.app.state.store
        page, per_page, sort = report_paging(params, prefix="r")
        groups, total = await store.report_page(status=ReportStatus.OPEN, sort=sort, offset=(page - 1) * per_page,
                                                limit=per_page)
        context.update(rpage=page, rsort=sort, rnext=page + 1 if page * per_page < total else None, rtotal=total)
        context.update(csrf=_csrf(token), groups=groups,
                       entries=await store.search_entries(context["q"].strip().lower(), limit=50),
                       allowlist=await store.search_entries(context["aq"].strip().lower(), category=Category.ALLOWLIST,
                                                            limit=50),
                       audit=await store.audit_log(actor=context["actor"] or None,
                                                   target=_audit_target(context["target"]),
                                                   action=context["action"] or None, limit=50))
    response = HTMLResponse(_env.get_template("admin.html").render(context), status_code=status, headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                   "frame-ancestors 'none'", "Cache-Control": "no-store"})
    if request.query_params.get("lang") in messages.LANGS:
        response.set_cookie("abaila_lang", lang, samesite="strict")
    return response


async def page(request: Request) -> HTMLResponse:
    return await _render(request)


async def login(request: Request) -> Response:
    form = await request.form()
    token = str(form.get("token", "")).strip()
    principal = await principal_for_token(request.app.state.store, token) if token else None
    if principal is None or principal.role not in ("moderator", "admin"):
        return await _render(request, error=_t(request)["bad_token"], status=401)
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/admin")
    return response


async def _form(request: Request) -> tuple[Principal, dict[str, str]]:
    principal, token = await _session(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if principal is None:
        raise Forbidden("sign in first")
    if not hmac.compare_digest(form.get("csrf", ""), _csrf(token)):
        raise Forbidden(_t(request)["csrf"])
    return principal, form


async def _act(request: Request, action: str) -> Response:
    try:
        principal, form = await _form(request)
        store = request.app.state.store
        if action == "logout":
            response = RedirectResponse("/admin", status_code=303)
            response.delete_cookie(_COOKIE, path="/admin")
            return response
        if action in ("allow", "add"):
            allow = action == "allow"
            addition = parse_addition(entry=form.get("entry"), reason=form.get("reason"),
                                      list_name=None if allow else form.get("list"),
                                      category=Category.ALLOWLIST if allow else None, now=dt.datetime.now(dt.UTC))
            await store.add_entry(addition.expression, reason=addition.reason, actor=principal.name,
                                  list_name=addition.list_name, category=addition.category)
            message = _t(request)["done"]
        elif action == "remove":
            entry = await store.get_entry(int(request.path_params["entry_id"]))
            await store.remove_entry(entry.expression, reason=parse_text(form.get("reason"), "reason"),
                                     actor=principal.name, list_name=entry.list,
                                     lists_hint=index_lists(request, entry.expression))
            message = _t(request)["done"]
        elif action == "import":
            plan, summary = await import_text(
                store, str(form.get("text", "")), reason=parse_text(form.get("reason"), "reason"),
                actor=principal.name, dry_run=form.get("dry_run") == "1",
                list_name=parse_list_name(form.get("list")) or DEFAULT_LIST)
            bad = "; ".join(f"line {p.line}: {p.text}" for p in plan.problems[:20])
            refused = "; ".join(f"{r['entry']}: {r['problem']}" for r in summary["refused"][:10])
            message = f"+{summary['added']} ={summary['unchanged']}" + (f" ✖ {bad}" if bad else "") \
                + (f" ✖ {refused}" if refused else "")
        else:
            report = await store.get_report(request.path_params["report_id"])
            await store.decide(report.id, decision=form.get("decision", ""), note=parse_text(form.get("note"), "note"),
                               actor=principal.name, lists_hint=index_lists(request, report.expression))
            message = _t(request)["done"]
    except AbailaError as exc:
        return await _render(request, error=exc.message, status=exc.status)
    await request.app.state.live.notify()
    return await _render(request, message=message)


def _action(name: str) -> Any:
    """Returns the endpoint for one form action of the page (they differ only in the action's name)."""

    async def endpoint(request: Request) -> Response:
        return await _act(request, name)

    endpoint.__name__ = f"admin_{name}"
    return endpoint


routes = [
    Route("/admin", page, methods=["GET"]),
    Route("/admin/login", login, methods=["POST"]),
    Route("/admin/logout", _action("logout"), methods=["POST"]),
    Route("/admin/entries", _action("add"), methods=["POST"]),
    Route("/admin/entries/{entry_id:int}/remove", _action("remove"), methods=["POST"]),
    Route("/admin/allowlist", _action("allow"), methods=["POST"]),
    Route("/admin/import", _action("import"), methods=["POST"]),
    Route("/admin/reports/{report_id}", _action("decide"), methods=["POST"]),
]

openapi_paths: dict[str, Any] = {
    "/admin": {"get": {"summary": "The moderators' web page (HTML; sign in with a moderator token)",
                       "responses": {"200": {"description": "HTML"}}}},
}
