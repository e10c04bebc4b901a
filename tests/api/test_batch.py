"""POST /v1/check/batch: order, duplicates, bad URLs in their slot, limits, key required."""

from __future__ import annotations

import asyncio

from service.api import batch


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_batch_results_in_request_order_with_error_slots(bank_client, make_key):
    client = bank_client()
    token = make_key(client)
    urls = ["https://pay.kaspi-kz.top/card", "https://kaspi.kz/", "not a url at all", "https://exa mple.kz/",
            "http://shop.example-host.kz/fake/checkout.html", 42]
    response = client.post("/v1/check/batch", json={"urls": urls, "lang": "ru"}, headers=_auth(token))
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(urls)
    assert [r["url"] for r in results[:3]] == urls[:3]
    assert results[0]["verdict"] == "blocked" and results[0]["lang"] == "ru"
    assert results[1]["verdict"] == "trusted"
    assert results[2]["error"]["code"] == "invalid_url" and "verdict" not in results[2]
    assert results[3]["error"]["code"] == "invalid_url"
    assert results[4]["verdict"] == "blocked"
    assert results[5] == {"error": {"code": "invalid_url", "message": "url must be a string, not int", "field": "url"},
                          "url": None}
    assert response.headers["ratelimit-limit"]


def test_batch_duplicates_are_checked_once(bank_client, make_key, monkeypatch):
    client = bank_client()
    token = make_key(client)
    checker = client.app.state.checker
    calls: list[str] = []
    original = checker.check

    async def counting(parsed, **kwargs):
        calls.append(str(parsed))
        return await original(parsed, **kwargs)

    monkeypatch.setattr(checker, "check", counting)
    urls = ["https://kaspi-kz.top/", "HTTPS://KASPI-KZ.TOP/", "https://kaspi-kz.top/", "https://halyk-bonus.xyz/"]
    response = client.post("/v1/check/batch", json={"urls": urls}, headers=_auth(token))
    assert response.status_code == 200
    results = response.json()["results"]
    assert sorted(calls) == ["https://halyk-bonus.xyz/", "https://kaspi-kz.top/"]
    assert [r["url"] for r in results] == urls  # each slot echoes its own text
    assert {r["canonical_url"] for r in results[:3]} == {"https://kaspi-kz.top/"}


def test_batch_shares_one_deadline(bank_client, make_key, monkeypatch):
    client = bank_client(ABAILA_CHECK_DEADLINE_MS="100")
    token = make_key(client)
    checker = client.app.state.checker
    original = checker.check

    async def slow_unless_offline(parsed, **kwargs):
        if not kwargs.get("offline"):
            await asyncio.sleep(5)
        return await original(parsed, **kwargs)

    monkeypatch.setattr(checker, "check", slow_unless_offline)
    urls = [f"https://shop{i}.example.kz/" for i in range(200)]
    response = client.post("/v1/check/batch", json={"urls": urls}, headers=_auth(token))
    assert response.status_code == 200
    # 200 checks of 5 s each: one deadline for the whole batch leaves every one pending (bench/ times it)
    results = response.json()["results"]
    assert all(r["complete"] is False and r["pending"] for r in results)
    assert results[0]["url"] == urls[0] and results[-1]["url"] == urls[-1]


def test_batch_needs_a_valid_key(bank_client):
    client = bank_client()
    response = client.post("/v1/check/batch", json={"urls": ["https://kaspi.kz/"]})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    response = client.post("/v1/check/batch", json={"urls": ["https://kaspi.kz/"]}, headers=_auth("abk_wrong"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_batch_bad_bodies(bank_client, make_key):
    client = bank_client()
    headers = _auth(make_key(client))
    too_many = {"urls": [f"https://a{i}.kz/" for i in range(batch.MAX_URLS + 1)]}
    cases = [({"urls": "https://kaspi.kz/"}, "invalid_field"), ({}, "invalid_field"), (too_many, "invalid_field"),
             ({"urls": [], "lang": "de"}, "invalid_field")]
    for body, code in cases:
        response = client.post("/v1/check/batch", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == code
    assert client.post("/v1/check/batch", content=b"[", headers=headers).json()["error"]["code"] == "invalid_json"
    ok = client.post("/v1/check/batch", json={"urls": [f"https://a{i}.kz/" for i in range(batch.MAX_URLS)]},
                     headers=headers)
    assert ok.status_code == 200 and len(ok.json()["results"]) == batch.MAX_URLS
    assert client.post("/v1/check/batch", json={"urls": []}, headers=headers).json() == {"results": []}
