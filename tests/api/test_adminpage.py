"""/admin with a TestClient: sign in, CSRF, accept a report (the site is blocked), remove, audit, languages."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

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
