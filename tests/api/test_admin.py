"""/v1/admin/...: tokens and roles, entries applied live, bad input, import, export, audit (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from starlette.testclient import TestClient

from tests._serve import auth, wait_until
from tests.conftest import Clock

Moderation = tuple[TestClient, dict[str, str], str]


def verdict(client: TestClient, url: str) -> str:
    response = client.get("/v1/check", params={"url": url})
    assert response.status_code == 200, response.text
    return str(response.json()["verdict"])


def test_tokens_and_roles(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    missing = client.get("/v1/admin/entries")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/v1/admin/entries", headers=auth("abk_not-a-real-token")).status_code == 401
    assert client.get("/v1/admin/entries", headers={"Authorization": "Basic eDp5"}).status_code == 401
    bank = client.get("/v1/admin/entries", headers=auth(tokens["bank"]))
    assert bank.status_code == 403 and bank.json()["error"]["code"] == "forbidden"
    assert bank.json()["error"]["message"].endswith("this token is 'bank'")  # the role's value, not its repr
    assert client.get("/v1/admin/entries", headers=auth(tokens["moderator"])).status_code == 200
    assert client.get("/v1/admin/keys", headers=auth(tokens["moderator"])).status_code == 403
    assert client.get("/v1/admin/entries", headers=auth(tokens["admin"])).status_code == 200


def test_keys_api_create_use_revoke(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    made = client.post("/v1/admin/keys", json={"name": "new-mod", "role": "moderator"}, headers=auth(tokens["admin"]))
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert client.get("/v1/admin/entries", headers=auth(token)).status_code == 200
    listed = client.get("/v1/admin/keys", headers=auth(tokens["admin"])).json()["keys"]
    assert all("token" not in k and "token_hash" not in k for k in listed)
    assert client.delete(f"/v1/admin/keys/{made.json()['id']}", headers=auth(tokens["admin"])).status_code == 200
    assert client.get("/v1/admin/entries", headers=auth(token)).status_code == 401
    bad = client.post("/v1/admin/keys", json={"name": "x", "role": "root"}, headers=auth(tokens["admin"]))
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "role"


def test_add_and_remove_apply_live_with_audit(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    url = "https://pay.new-scam.kz/card"
    assert verdict(client, url) != "blocked"
    added = client.post("/v1/admin/entries", headers=auth(tokens["moderator"]), json={
        "entry": "https://new-scam.kz/", "reason": "phishing kit", "evidence_url": "https://example.org/e"})
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["created"] and body["entry"]["entry"] == "new-scam.kz/" and body["entry"]["added_by"] == "moderator-1"
    assert verdict(client, url) == "blocked"  # applied before the response
    again = client.post("/v1/admin/entries", headers=auth(tokens["moderator"]),
                        json={"entry": "new-scam.kz", "reason": "dup"})
    assert again.status_code == 200 and not again.json()["created"]
    found = client.get("/v1/admin/entries", params={"q": "new-scam"}, headers=auth(tokens["moderator"])).json()
    assert [e["entry"] for e in found["entries"]] == ["new-scam.kz/"]
    removed = client.delete("/v1/admin/entries/new-scam.kz", params={"reason": "mistake"},
                            headers=auth(tokens["moderator2"]))
    assert removed.status_code == 200, removed.text
    assert verdict(client, url) != "blocked"
    log = client.get("/v1/admin/audit", params={"target": "new-scam.kz"}, headers=auth(tokens["moderator"])).json()
    assert [(r["actor"], r["action"], r["reason"]) for r in log["audit"]] == [
        ("moderator-2", "entry.remove", "mistake"), ("moderator-1", "entry.add", "phishing kit")]


def test_remove_bundled_entry_survives_restart(client_factory: Callable[..., TestClient],
                                               moderation: Moderation) -> None:
    client, tokens, url = moderation
    assert verdict(client, "https://kaspi-kz.top/") == "blocked"  # from the bundled test list
    response = client.delete("/v1/admin/entries/kaspi-kz.top", params={"reason": "appeal upheld"},
                             headers=auth(tokens["moderator"]))
    assert response.status_code == 200, response.text
    assert response.json()["removed"][0]["list"] == "test-scam"
    assert verdict(client, "https://kaspi-kz.top/") != "blocked"
    restarted = client_factory(ABAILA_DATABASE_URL=url)
    assert verdict(restarted, "https://kaspi-kz.top/") != "blocked"
    missing = client.delete("/v1/admin/entries/never-listed.kz", params={"reason": "x"},
                            headers=auth(tokens["moderator"]))
    assert missing.status_code == 404


def test_remove_by_id_and_new_list(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    made = client.post("/v1/admin/entries", headers=auth(tokens["moderator"]), json={
        "entry": "fake-olx.kz/pay/", "reason": "r", "list": "olx-fakes", "category": "scam"}).json()
    assert made["entry"]["list"] == "olx-fakes" and made["entry"]["category"] == "scam"
    assert verdict(client, "https://fake-olx.kz/pay/now") == "blocked"
    entry_id = made["entry"]["id"]
    assert client.get(f"/v1/admin/entries/{entry_id}", headers=auth(tokens["moderator"])).status_code == 200
    assert client.delete(f"/v1/admin/entries/{entry_id}", params={"reason": "r"},
                         headers=auth(tokens["moderator"])).status_code == 200
    assert verdict(client, "https://fake-olx.kz/pay/now") != "blocked"
    conflict = client.post("/v1/admin/entries", headers=auth(tokens["moderator"]), json={
        "entry": "x.kz", "reason": "r", "list": "olx-fakes", "category": "allowlist"})
    assert conflict.status_code == 409


def test_allowlist_makes_trusted(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    assert verdict(client, "https://honest-shop.kz/") != "trusted"
    response = client.post("/v1/admin/allowlist", headers=auth(tokens["moderator"]),
                           json={"entry": "honest-shop.kz", "reason": "verified merchant"})
    assert response.status_code == 201 and response.json()["entry"]["category"] == "allowlist"
    assert verdict(client, "https://honest-shop.kz/") == "trusted"
    listed = client.get("/v1/admin/allowlist", headers=auth(tokens["moderator"])).json()["entries"]
    assert [e["entry"] for e in listed] == ["honest-shop.kz/"]


def test_expired_entry_stops_matching(client_factory: Callable[..., TestClient], database_url: str,
                                      tokens: Callable[..., dict[str, str]], clock: Clock) -> None:
    client = client_factory(ABAILA_DATABASE_URL=database_url, clock=clock)
    moderator = auth(tokens(database_url)["moderator"])
    soon = (clock() + dt.timedelta(hours=1)).isoformat()
    response = client.post("/v1/admin/entries", headers=moderator,
                           json={"entry": "brief.kz", "reason": "campaign", "expires_at": soon})
    assert response.status_code == 201, response.text
    assert verdict(client, "https://brief.kz/") == "blocked"
    clock.advance(minutes=59)
    assert client.post("/v1/admin/entries", headers=moderator,  # a write applies changes (and expiries) at once
                       json={"entry": "other.kz", "reason": "r"}).status_code == 201
    assert verdict(client, "https://brief.kz/") == "blocked"
    clock.advance(minutes=2)  # no sleeping: the app's clock moves past expires_at
    # The live updater's next poll of the store (every POLL_SECONDS) takes it off the index.
    wait_until(lambda: verdict(client, "https://brief.kz/") != "blocked", "the expired entry left the index")
    listed = client.get("/v1/admin/entries", params={"q": "brief.kz"}, headers=moderator).json()["entries"]
    assert [e["live"] for e in listed] == [False]


def test_bad_input(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    h = auth(tokens["moderator"])
    cases = [
        ({"entry": "evil.kz"}, "reason"),
        ({"entry": "evil.kz", "reason": "   "}, "reason"),
        ({"reason": "r"}, "entry"),
        ({"entry": "http://exa mple.kz/", "reason": "r"}, "entry"),
        ({"entry": 42, "reason": "r"}, "entry"),
        ({"entry": "evil.kz", "reason": "r", "list": "Bad Name!"}, "list"),
        ({"entry": "evil.kz", "reason": "r", "category": "Not A Category"}, "category"),
        ({"entry": "evil.kz", "reason": "r", "expires_at": "tomorrow"}, "expires_at"),
        ({"entry": "evil.kz", "reason": "r", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"entry": "evil.kz", "reason": "r", "evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"entry": "evil.kz", "reason": "x" * 5000}, "reason"),
    ]
    for body, field in cases:
        response = client.post("/v1/admin/entries", json=body, headers=h)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["field"] == field, body
    assert client.post("/v1/admin/entries", content=b"not json", headers=h).status_code == 400
    assert client.delete("/v1/admin/entries/evil.kz", headers=h).json()["error"]["field"] == "reason"
    assert client.get("/v1/admin/audit", params={"since": "yesterday"}, headers=h).status_code == 400
    assert client.get("/v1/admin/export", params={"format": "xml"}, headers=h).status_code == 400
    assert client.get("/v1/admin/entries", params={"limit": "-1"}, headers=h).status_code == 400


IMPORT = """\
# name: feed-2025
# category: phishing
feed-one.kz
feed-two.kz
this is not a domain !!
feed-three.kz
"""


def test_import_dry_run_and_bad_lines(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    h = auth(tokens["moderator"])
    dry = client.post("/v1/admin/import", json={"text": IMPORT, "reason": "feed", "dry_run": True}, headers=h)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert (body["list"], body["added"], body["unchanged"], body["dry_run"]) == ("feed-2025", 3, 0, True)
    assert [(b["line"], b["text"]) for b in body["bad_lines"]] == [(5, "this is not a domain !!")]
    assert verdict(client, "https://feed-one.kz/") != "blocked"
    real = client.post("/v1/admin/import", json={"text": IMPORT, "reason": "feed"}, headers=h)
    assert real.status_code == 201 and real.json()["added"] == 3
    assert verdict(client, "https://feed-one.kz/") == "blocked"
    again = client.post("/v1/admin/import", json={"text": IMPORT, "reason": "feed", "list": "feed-2025"}, headers=h)
    assert (again.json()["added"], again.json()["unchanged"]) == (0, 3)
    hosts = client.post("/v1/admin/import", json={"text": "0.0.0.0 hosts-one.kz\n", "reason": "r", "list": "h",
                                                  "category": "malware"}, headers=h).json()
    assert (hosts["format"], hosts["category"], hosts["added"]) == ("hosts", "malware", 1)
    assert client.post("/v1/admin/import", json={"text": "x", "reason": "r", "format": "nope"},
                       headers=h).json()["error"]["field"] == "format"


def test_a_big_import_is_in_force_when_it_is_answered(moderation: Moderation) -> None:
    # Issue 10: after a 2xx for 50,000 entries the last was unlisted for 3 s (10,000 changes applied per refresh).
    client, tokens, _ = moderation
    text = "\n".join(f"bulk-{i}.example.kz" for i in range(25_000)) + "\n"
    made = client.post("/v1/admin/import", json={"text": text, "reason": "bulk feed", "list": "bulk"},
                       headers=auth(tokens["moderator"]))
    assert made.status_code == 201 and made.json()["added"] == 25_000
    assert verdict(client, "https://bulk-24999.example.kz/") == "blocked"  # at once, not after polls


def test_export_formats(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    h = auth(tokens["moderator"])
    client.post("/v1/admin/entries", json={"entry": "exported.kz", "reason": "r"}, headers=h)
    plain = client.get("/v1/admin/export", params={"format": "plain"}, headers=h)
    assert plain.status_code == 200 and "exported.kz" in plain.text and "kaspi-kz.top" in plain.text
    assert "halykbank.kz" not in plain.text  # the allowlist is not a blocklist
    assert "0.0.0.0 exported.kz" in client.get("/v1/admin/export", params={"format": "hosts"}, headers=h).text
    assert "||exported.kz^" in client.get("/v1/admin/export", params={"format": "adblock"}, headers=h).text
    only = client.get("/v1/admin/export", params={"format": "json", "list": "abaila-moderators"}, headers=h).json()
    assert only["expressions"] == ["exported.kz/"]
    assert client.get("/v1/admin/export", params={"list": "nope"}, headers=h).status_code == 404


def test_audit_filters(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    client.post("/v1/admin/entries", json={"entry": "a1.kz", "reason": "r"}, headers=auth(tokens["moderator"]))
    client.post("/v1/admin/entries", json={"entry": "a2.kz", "reason": "r"}, headers=auth(tokens["moderator2"]))
    h = auth(tokens["moderator"])

    def targets(**params: str) -> list[str]:
        response = client.get("/v1/admin/audit", params=params, headers=h)
        assert response.status_code == 200, response.text
        return [r["target"] for r in response.json()["audit"] if r["action"] == "entry.add"]

    assert targets(actor="moderator-2") == ["a2.kz/"]
    assert targets(target="https://a1.kz") == ["a1.kz/"]
    assert targets(since=start.isoformat()) == ["a2.kz/", "a1.kz/"]
    assert targets(until=start.isoformat()) == []
    assert targets(action="entry.add", actor="moderator-1") == ["a1.kz/"]


def test_readyz_reports_store(moderation: Moderation) -> None:
    client, _, url = moderation
    store = client.get("/readyz").json()["checks"]["store"]
    assert store["ok"] and store["backend"] in url


def test_openapi_documents_every_admin_route(moderation: Moderation) -> None:
    client, _, _ = moderation
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/admin/entries", "/v1/admin/entries/{ref}", "/v1/admin/allowlist", "/v1/admin/import",
                 "/v1/admin/export", "/v1/admin/audit", "/v1/admin/keys", "/v1/admin/keys/{key_id}",
                 "/v1/admin/reports", "/v1/admin/reports/{report_id}/decision", "/v1/reports",
                 "/v1/reports/{report_id}", "/v1/admin/lists"):
        assert path in paths, path
