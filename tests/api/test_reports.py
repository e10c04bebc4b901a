"""POST /v1/reports and the moderators' queue: grouping, accept / reject, appeals, limits (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from service.api import reports as reports_api
from service.app import create_app
from service.settings import Settings
from tests._serve import auth

Moderation = tuple[TestClient, dict[str, str], str]


def verdict(client: TestClient, url: str) -> str:
    return str(client.get("/v1/check", params={"url": url}).json()["verdict"])


def test_report_accepted_blocks_the_site(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    first = client.post("/v1/reports", json={"url": "https://fake-kaspi.shop/pay?x=1", "kind": "scam",
                                             "comment": "<script>alert(1)</script> took my money"})
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "open"
    second = client.post("/v1/reports", json={"url": "http://FAKE-KASPI.shop/other", "kind": "phishing"})
    queue = client.get("/v1/admin/reports", headers=auth(tokens["moderator"])).json()["groups"]
    assert len(queue) == 1 and queue[0]["count"] == 2 and queue[0]["entry"] == "fake-kaspi.shop/"
    assert queue[0]["reports"][0]["comment"] == "<script>alert(1)</script> took my money"  # JSON, never rendered
    decided = client.post(f"/v1/admin/reports/{second.json()['id']}/decision", headers=auth(tokens["moderator"]),
                          json={"decision": "accept", "note": "confirmed with the bank"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["reports"] == 2
    assert verdict(client, "https://fake-kaspi.shop/anything") == "blocked"
    status = client.get(f"/v1/reports/{first.json()['id']}").json()
    assert (status["status"], status["note"]) == ("accepted", "confirmed with the bank")
    assert "decided_by" not in status
    assert client.get("/v1/admin/reports", headers=auth(tokens["moderator"])).json()["groups"] == []
    again = client.post(f"/v1/admin/reports/{first.json()['id']}/decision", headers=auth(tokens["moderator"]),
                        json={"decision": "reject", "note": "late"})
    assert again.status_code == 409
    log = client.get("/v1/admin/audit", params={"target": "fake-kaspi.shop"}, headers=auth(tokens["moderator"]))
    assert [r["action"] for r in log.json()["audit"]] == ["entry.add", "report.accept"]


def test_report_rejected_is_closed(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    made = client.post("/v1/reports", json={"url": "https://my-rival.kz/", "kind": "scam"}).json()
    decided = client.post(f"/v1/admin/reports/{made['id']}/decision", headers=auth(tokens["moderator"]),
                          json={"decision": "reject", "note": "no evidence"})
    assert decided.json()["status"] == "rejected" and decided.json()["entries"] == []
    assert client.get(f"/v1/reports/{made['id']}").json()["status"] == "rejected"
    assert verdict(client, "https://my-rival.kz/") != "blocked"
    closed = client.get("/v1/admin/reports", params={"status": "rejected"}, headers=auth(tokens["moderator"]))
    assert [g["id"] for g in closed.json()["groups"]] == [made["id"]]


def test_appeal_accepted_removes_the_entry(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    assert verdict(client, "https://olx-kz.deal-safe.online/item") == "blocked"  # bundled test list
    appeal = client.post("/v1/reports", json={"url": "https://olx-kz.deal-safe.online/item", "kind": "wrong_warning",
                                              "comment": "this is my real shop"}).json()
    queue = client.get("/v1/admin/reports", headers=auth(tokens["moderator"])).json()["groups"]
    assert queue[0]["kind"] == "appeal" and queue[0]["entry"] == "olx-kz.deal-safe.online/"
    decided = client.post(f"/v1/admin/reports/{appeal['id']}/decision", headers=auth(tokens["moderator"]),
                          json={"decision": "accept", "note": "verified the merchant"})
    assert decided.status_code == 200, decided.text
    assert verdict(client, "https://olx-kz.deal-safe.online/item") != "blocked"


def test_report_input_is_validated(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    cases = [({"kind": "scam"}, "url"), ({"url": "javascript:alert(1)", "kind": "scam"}, "url"),
             ({"url": "https://x.kz", "kind": "spam"}, "kind"), ({"url": "https://x.kz"}, "kind"),
             ({"url": "https://x.kz", "kind": "scam", "comment": "x" * 5000}, "comment"),
             ({"url": "https://x.kz", "kind": "scam", "comment": 5}, "comment")]
    for body, field in cases:
        response = client.post("/v1/reports", json=body)
        assert response.status_code == 400, body
        assert response.json()["error"]["field"] == field, body
    assert client.get("/v1/reports/nope").status_code == 404
    assert client.get("/v1/reports/r0000000000000000").status_code == 404
    h = auth(tokens["moderator"])
    assert client.post("/v1/admin/reports/r0000000000000000/decision", json={"decision": "accept", "note": "n"},
                       headers=h).status_code == 404
    made = client.post("/v1/reports", json={"url": "https://x.kz", "kind": "scam"}).json()
    bad = client.post(f"/v1/admin/reports/{made['id']}/decision", json={"decision": "maybe", "note": "n"}, headers=h)
    assert bad.json()["error"]["field"] == "decision"
    assert client.post(f"/v1/admin/reports/{made['id']}/decision", json={"decision": "accept"},
                       headers=h).json()["error"]["field"] == "note"
    assert client.get("/v1/admin/reports").status_code == 401
    assert client.get("/v1/admin/reports", headers=auth(tokens["bank"])).status_code == 403


def test_reports_are_rate_limited_per_client(moderation: Moderation) -> None:
    client, _, _ = moderation
    codes = [client.post("/v1/reports", json={"url": f"https://s{i}.kz", "kind": "scam"}).status_code
             for i in range(reports_api.REPORTS_PER_WINDOW + 2)]
    assert codes[:reports_api.REPORTS_PER_WINDOW] == [201] * reports_api.REPORTS_PER_WINDOW
    assert codes[-1] == 429


@pytest.fixture
def behind_proxy(settings_factory: Callable[..., Settings], moderation: Moderation) -> Iterator[TestClient]:
    """The moderation app's store, reached through a trusted proxy (10.0.0.1) that names each client."""
    _, _, database_url = moderation
    settings = settings_factory(ABAILA_DATABASE_URL=database_url, ABAILA_TRUSTED_PROXIES="10.0.0.1")
    with TestClient(create_app(settings), client=("10.0.0.1", 4000)) as proxy:
        yield proxy


def _report_from(proxy: TestClient, address: str, url: str) -> int:
    response = proxy.post("/v1/reports", json={"url": url, "kind": "scam"}, headers={"X-Forwarded-For": address})
    return response.status_code


def test_a_flood_cannot_hide_a_genuine_report(moderation: Moderation, behind_proxy: TestClient) -> None:
    # Issue 10: 200 reports from rotating addresses pushed a genuine one out of a 100-group, unpaged queue.
    client, tokens, _ = moderation
    for i in range(200):
        assert _report_from(behind_proxy, f"198.51.{i // 250}.{i % 250 + 1}", f"http://flood{i}.example/") == 201
    assert _report_from(behind_proxy, "203.0.113.7", "http://real-scam.kz/pay?card=4400&cvv=1#x") == 201
    moderator = auth(tokens["moderator"])
    newest = client.get("/v1/admin/reports", params={"sort": "newest", "per_page": 10}, headers=moderator).json()
    assert newest["total"] == 201 and newest["next_page"] == 2 and len(newest["groups"]) == 10
    assert newest["groups"][0]["entry"] == "real-scam.kz/"
    assert newest["groups"][0]["reports"][-1]["url"] == "http://real-scam.kz/pay"  # no query string kept
    pages, page = [], 1
    while page:
        body = client.get("/v1/admin/reports", params={"page": page, "per_page": 100}, headers=moderator).json()
        pages.append([g["entry"] for g in body["groups"]])
        page = body["next_page"]
    assert [len(p) for p in pages] == [100, 100, 1] and "real-scam.kz/" in sum(pages, [])
    assert client.get("/v1/admin/reports", params={"per_page": 0}, headers=moderator).status_code == 400
    assert client.get("/v1/admin/reports", params={"sort": "x"}, headers=moderator).json()["error"]["field"] == "sort"


def test_reporters_are_counted_so_one_address_does_not_outrank_many(moderation: Moderation,
                                                                    behind_proxy: TestClient) -> None:
    client, tokens, _ = moderation
    for _ in range(8):
        _report_from(behind_proxy, "198.51.100.9", "http://honest-rival.kz/")
    for i in range(3):
        _report_from(behind_proxy, f"203.0.113.{i + 1}", "http://many-victims.kz/")
    moderator = auth(tokens["moderator"])
    by_count = client.get("/v1/admin/reports", headers=moderator).json()["groups"]
    assert [(g["entry"], g["count"], g["reporters"], g["by_reporter"]) for g in by_count] == [
        ("honest-rival.kz/", 8, 1, [8]), ("many-victims.kz/", 3, 3, [1, 1, 1])]
    by_reporters = client.get("/v1/admin/reports", params={"sort": "reporters"}, headers=moderator).json()["groups"]
    assert by_reporters[0]["entry"] == "many-victims.kz/"
