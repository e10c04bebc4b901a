"""/admin with a TestClient: sign in, CSRF, accept a report (the site is blocked), remove, audit, languages."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.testclient import TestClient

from service.sessions import SESSION_SECONDS
from tests.conftest import Clock

Moderation = tuple[TestClient, dict[str, str], str]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, html[:500]
    return match.group(1)


def test_sign_in_accept_report_and_audit(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    assert "Sign in" in client.get("/admin").text
    assert client.post("/admin/login", data={"token": "abk_wrong"}).status_code == 401
    assert client.post("/admin/login", data={"token": tokens["bank"]}).status_code == 401
    report = client.post("/v1/reports", json={"url": "https://page-scam.kz/", "kind": "scam",
                                               "comment": "<b>bold</b>"}).json()
    signed = client.post("/admin/login", data={"token": tokens["moderator"]})
    assert signed.status_code == 200 and "page-scam.kz/" in signed.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in signed.text and "<b>bold</b>" not in signed.text
    csrf = _csrf(signed.text)
    forged = client.post(f"/admin/reports/{report['id']}", data={"decision": "accept", "note": "n", "csrf": "0" * 64})
    assert forged.status_code == 403
    done = client.post(f"/admin/reports/{report['id']}", data={"decision": "accept", "note": "ok", "csrf": csrf})
    assert done.status_code == 200, done.text
    assert client.get("/v1/check", params={"url": "https://page-scam.kz/"}).json()["verdict"] == "blocked"
    assert "report.accept" in done.text and "moderator-1" in done.text
    added = client.post("/admin/entries", data={"entry": "page-two.kz", "reason": "seen", "csrf": csrf})
    assert added.status_code == 200 and "page-two.kz/" in added.text
    imported = client.post("/admin/import", data={"text": "imp.kz\nnot a domain !!\n", "reason": "r", "csrf": csrf})
    assert "line 2" in imported.text
    assert "Шағымдар" in client.get("/admin", params={"lang": "kk"}).text
    assert "Жалобы" in client.get("/admin", params={"lang": "ru"}).text
    out = client.post("/admin/logout", data={"csrf": csrf})
    assert out.status_code == 200 and "Sign in" in client.get("/admin", params={"lang": "en"}).text


def test_language_follows_accept_language_weights(moderation: Moderation) -> None:
    client, _, _ = moderation
    client.cookies.clear()
    page = client.get("/admin", headers={"Accept-Language": "ru-RU,ru;q=0.9,kk;q=0.8"})
    assert 'lang="ru"' in page.text and "Токен модератора" in page.text  # issue 11 part 8: it used to pick kk
    assert "Модератор токені" in client.get("/admin", headers={"Accept-Language": "en;q=0.5,kk;q=0.9"}).text
    chosen = client.get("/admin", params={"lang": "kk"}, headers={"Accept-Language": "ru"})
    assert "Модератор токені" in chosen.text  # and the cookie keeps the choice over the header
    assert "Модератор токені" in client.get("/admin", headers={"Accept-Language": "ru"}).text


def _session_cookie_value_forged(cookie: str) -> str:
    key_id, expires, session_id, _ = cookie.split(".")
    return f"{key_id}.{int(expires) + 10**6}.{session_id}.{'0' * 64}"  # a longer life, a made-up MAC


def _session_cookie(client: TestClient) -> str:
    return next(c.value for c in client.cookies.jar if c.name == "abaila_admin")


def test_the_session_cookie_is_not_the_token_and_logout_ends_it(moderation: Moderation) -> None:
    # Issue 10: the cookie was the raw, permanent API token: a Bearer token too, and still valid after logout.
    client, tokens, _ = moderation
    signed = client.post("/admin/login", data={"token": tokens["moderator"]})
    cookie = _session_cookie(client)
    assert tokens["moderator"] not in cookie and tokens["moderator"] not in signed.text
    assert client.get("/v1/admin/reports", headers={"Authorization": f"Bearer {cookie}"}).status_code == 401
    client.post("/admin/logout", data={"csrf": _csrf(signed.text)})
    client.cookies.clear()
    client.cookies.set("abaila_admin", cookie)  # replayed after logout
    assert "Sign in" in client.get("/admin", params={"lang": "en"}).text
    client.post("/admin/login", data={"token": tokens["moderator"]})
    client.cookies.clear()
    client.cookies.set("abaila_admin", _session_cookie_value_forged(cookie))
    assert "Sign in" in client.get("/admin", params={"lang": "en"}).text


def test_revoking_the_key_ends_its_sessions(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    client.post("/admin/login", data={"token": tokens["moderator"]})
    assert "Sign in" not in client.get("/admin").text
    keys = client.get("/v1/admin/keys", headers={"Authorization": f"Bearer {tokens['admin']}"}).json()["keys"]
    key_id = next(k["id"] for k in keys if k["name"] == "moderator-1")
    revoked = client.delete(f"/v1/admin/keys/{key_id}", params={"reason": "left"},
                            headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert revoked.status_code == 200, revoked.text
    assert "Sign in" in client.get("/admin", params={"lang": "en"}).text


def test_login_and_forms_refuse_a_foreign_origin(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    evil = {"Origin": "https://evil.example"}
    assert client.post("/admin/login", data={"token": tokens["moderator"]}, headers=evil).status_code == 403
    assert client.post("/admin/login", data={"token": tokens["moderator"]}, headers={"Origin": ""}).status_code == 403
    referer = client.post("/admin/login", data={"token": tokens["moderator"]},
                          headers={"Origin": "", "Referer": "http://testserver/admin?lang=en"})
    assert referer.status_code == 200
    signed = client.post("/admin/login", data={"token": tokens["moderator"]})
    csrf = _csrf(signed.text)
    assert client.post("/admin/entries", data={"entry": "x-site.kz", "reason": "r", "csrf": csrf},
                       headers=evil).status_code == 403


def test_cookie_is_secure_when_the_public_url_is_https(client_factory, tokens, database_url) -> None:
    made = tokens(database_url)
    client = client_factory(ABAILA_DATABASE_URL=database_url, ABAILA_PUBLIC_URL="https://abaila.example.kz")
    signed = client.post("/admin/login", data={"token": made["moderator"]},
                         headers={"Origin": "https://abaila.example.kz"}, follow_redirects=False)
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie and "max-age=28800" in cookie


def test_a_session_ends_after_session_seconds(client_factory: Callable[..., TestClient], database_url: str,
                                             tokens: Callable[..., dict[str, str]], clock: Clock) -> None:
    client = client_factory(ABAILA_DATABASE_URL=database_url, clock=clock)
    signed = client.post("/admin/login", data={"token": tokens(database_url)["moderator"]})
    assert signed.status_code == 200 and "Sign in" not in signed.text
    clock.advance(seconds=SESSION_SECONDS - 1)
    assert "Sign in" not in client.get("/admin", params={"lang": "en"}).text
    clock.advance(seconds=1)  # no sleeping: the app's clock reaches the session's end
    assert "Sign in" in client.get("/admin", params={"lang": "en"}).text
