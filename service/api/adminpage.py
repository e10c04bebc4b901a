"""`/admin`: the moderators' web page — sign in with a token, the reports queue, entries, import, audit.

    GET /admin ──session cookie──> reports queue, entries (search, add, remove), allowlist (search, add,
        remove), import, audit log (filter: ?actor=&target=&action=)
    POST /admin/login {token} ──> cookie;
    POST /admin/{entries,entries/{id}/remove,allowlist,import,reports/{id},logout}

Server-rendered (Jinja2, autoescaped), no external assets, in kk / ru / en (`?lang=`, then the cookie,
then Accept-Language). The session cookie holds a server-checked session (service.sessions: random id,
8 h expiry, ended by logout and by revoking the key; never the token), HttpOnly, SameSite=Strict, and Secure
when served over https or when ABAILA_PUBLIC_URL is https; any instance behind a load balancer can check it.
Every POST, login included, must come from this site's own origin (`Origin`, else `Referer`; the
ABAILA_PUBLIC_URL origin when set) and, once signed in, carry a CSRF token derived from the session id,
checked in constant time. Changes go through the same store methods as the admin API.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from service import messages, sessions
from service.api.admin import index_lists
from service.api.reports import report_paging
from service.auth import Principal, principal_for_token
from service.errors import AbailaError, Forbidden, InvalidURL
from service.indicators import is_indicator
from service.lists import Category
from service.moderation import import_text, parse_addition, parse_list_name, parse_text, search_text
from service.store import ReportStatus, Role, hash_token, shown
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


def _now(request: Request) -> float:
    """Returns the app's clock (Settings.clock) as a Unix time: a session's start and expiry."""
    return float(request.app.state.settings.clock().timestamp())


def _csrf(session_id: str) -> str:
    return hmac.new(session_id.encode(), b"abaila-admin-csrf", "sha256").hexdigest()


async def _session(request: Request) -> tuple[Principal | None, str]:
    """Returns the signed-in principal and the session id, or (None, "")."""
    cookie = request.cookies.get(_COOKIE, "")
    session = await sessions.resolve(request.app.state.store, cookie, _now(request)) if cookie else None
    return (session.principal, session.id) if session is not None else (None, "")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _is_same_origin(request: Request) -> bool:
    """Reports whether a POST comes from this site's page (login CSRF and form CSRF, issue 10)."""
    public = getattr(request.app.state.settings, "public_url", None)
    expected = _origin_of(public) if public else f"{request.url.scheme}://{request.url.netloc}".lower()
    origin = request.headers.get("origin") or _origin_of(request.headers.get("referer", ""))
    return bool(origin) and origin.lower() == expected


def _is_secure(request: Request) -> bool:
    public = getattr(request.app.state.settings, "public_url", None) or ""
    return request.url.scheme == "https" or public.startswith("https://")


async def _render(request: Request, *, message: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    lang = _lang(request)
    principal, session_id = await _session(request)
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
        context.update(csrf=_csrf(session_id), groups=groups,
                       entries=await store.search_entries(search_text(context["q"]), limit=50),
                       allowlist=await store.search_entries(context["aq"].strip().lower(), category=Category.ALLOWLIST,
                                                            limit=50),
                       audit=await store.audit_log(actor=context["actor"] or None,
                                                   target=_audit_target(context["target"]),
                                                   action=context["action"] or None, limit=50))
        # Indicators are masked unless the moderator asks; each value then shown is audited (docs/privacy.md).
        on_screen = [g.expression for g in context["groups"]] + [e.expression for e in context["entries"]] + \
            [r.target for r in context["audit"]]
        revealed = params.get("reveal") == "1"
        if revealed:
            await store.audit_reads(principal.name, on_screen, where="/admin")
        others = [(k, v) for k, v in params.multi_items() if k != "reveal"]
        context.update(has_indicators=any(is_indicator(x) for x in on_screen), revealed=revealed,
                       reveal_on="/admin?" + urlencode([*others, ("reveal", "1")]),
                       reveal_off="/admin?" + urlencode(others),
                       shown=lambda expression: shown(expression, revealed))
    response = HTMLResponse(_env.get_template("admin.html").render(context), status_code=status, headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                   "frame-ancestors 'none'", "Cache-Control": "no-store"})
    if request.query_params.get("lang") in messages.LANGS:
        response.set_cookie("abaila_lang", lang, samesite="strict")
    return response


async def page(request: Request) -> HTMLResponse:
    return await _render(request)


async def login(request: Request) -> Response:
    if not _is_same_origin(request):
        return await _render(request, error=_t(request)["origin"], status=403)
    form = await request.form()
    token = str(form.get("token", "")).strip()
    principal = await principal_for_token(request.app.state.store, token) if token else None
    if principal is None or principal.role not in (Role.MODERATOR, Role.ADMIN):
        return await _render(request, error=_t(request)["bad_token"], status=401)
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(_COOKIE, sessions.issue(principal.id, hash_token(token), _now(request)), httponly=True,
                        samesite="strict", secure=_is_secure(request), path="/admin",
                        max_age=sessions.SESSION_SECONDS)
    return response


async def _form(request: Request) -> tuple[Principal, dict[str, str], str]:
    if not _is_same_origin(request):
        raise Forbidden(_t(request)["origin"])
    principal, session_id = await _session(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if principal is None:
        raise Forbidden("sign in first")
    if not hmac.compare_digest(form.get("csrf", ""), _csrf(session_id)):
        raise Forbidden(_t(request)["csrf"])
    return principal, form, session_id


async def _act(request: Request, action: str) -> Response:
    try:
        principal, form, session_id = await _form(request)
        store = request.app.state.store
        if action == "logout":
            await store.end_session(session_id, actor=principal.name)
            response = RedirectResponse("/admin", status_code=303)
            response.delete_cookie(_COOKIE, path="/admin", httponly=True, samesite="strict", secure=_is_secure(request))
            return response
        if action in ("allow", "add"):
            allow = action == "allow"
            addition = parse_addition(entry=form.get("entry"), reason=form.get("reason"),
                                      list_name=None if allow else form.get("list"),
                                      category=Category.ALLOWLIST if allow else None,
                                      now=request.app.state.settings.clock())
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
                actor=principal.name, dry_run=form.get("dry_run") == "1", list_name=parse_list_name(form.get("list")))
            if "indicators" in summary:
                summary = {**summary, "added": summary["added"] + summary["indicators"]["added"],
                           "unchanged": summary["unchanged"] + summary["indicators"]["unchanged"]}
            # A bad line is quoted back only when it is not an indicator (no card numbers in the page).
            bad = "; ".join(f"line {p.line}: {p.message if is_indicator(p.text) else p.text}"
                            for p in plan.problems[:20])
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

def _form_action(summary: str, fields: dict[str, str], path_param: str | None = None) -> dict[str, Any]:
    """Returns the OpenAPI operation of one /admin form action (a cookie session plus a CSRF field)."""
    operation: dict[str, Any] = {
        "summary": summary,
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "properties": {"csrf": {"type": "string"},
                                             **{name: {"type": kind} for name, kind in fields.items()}}}}}},
        "responses": {"200": {"description": "HTML: the page with the outcome"},
                      "303": {"description": "redirect back to /admin"},
                      "400": {"description": "HTML: what was wrong"}, "403": {"description": "HTML: not signed in"}}}
    if path_param:
        operation["parameters"] = [{"name": path_param, "in": "path", "required": True,
                                    "schema": {"type": "integer" if path_param == "entry_id" else "string"}}]
    return {"post": operation}


openapi_paths: dict[str, Any] = {
    "/admin": {"get": {"summary": "The moderators' web page (HTML; sign in with a moderator token)",
                       "responses": {"200": {"description": "HTML"}}}},
    "/admin/login": _form_action("Sign in to /admin with a moderator token", {"token": "string"}),
    "/admin/logout": _form_action("Sign out of /admin", {}),
    "/admin/entries": _form_action("Add an entry (form)", {"entry": "string", "reason": "string", "list": "string"}),
    "/admin/entries/{entry_id}/remove": _form_action("Remove an entry (form)", {"reason": "string"}, "entry_id"),
    "/admin/allowlist": _form_action("Allowlist an entry (form)", {"entry": "string", "reason": "string"}),
    "/admin/import": _form_action("Import list text (form)", {"text": "string", "reason": "string", "list": "string",
                                                               "dry_run": "string"}),
    "/admin/reports/{report_id}": _form_action("Decide a report group (form)", {"decision": "string",
                                                                                "note": "string"}, "report_id"),
}
