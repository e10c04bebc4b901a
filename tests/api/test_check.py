"""GET/POST /v1/check: verdicts from lists, and a clear 4xx for every kind of bad input."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

VERDICT_KEYS = {"url", "canonical_url", "host", "registrable_domain", "verdict", "score", "reasons", "signals",
                "complete", "pending", "checked_at", "ttl"}


def test_listed_host_is_blocked_with_reason(client: TestClient) -> None:
    response = client.get("/v1/check", params={"url": "https://Pay.Kaspi-KZ.top:443/card?x=1#frag"})
    assert response.status_code == 200
    body = response.json()
    assert VERDICT_KEYS <= body.keys()
    assert body["verdict"] == "blocked" and body["score"] == 100
    assert body["canonical_url"] == "https://pay.kaspi-kz.top/card?x=1"
    assert body["host"] == "pay.kaspi-kz.top" and body["registrable_domain"] == "kaspi-kz.top"
    [reason] = body["reasons"]
    assert reason["code"] == "list.phishing" and reason["severity"] == "critical"
    assert reason["evidence"]["list"] == "test-scam" and reason["evidence"]["expression"] == "kaspi-kz.top/"
    assert "test-scam" in reason["message"]
    assert body["signals"]["lists"][0]["list"] == "test-scam"
    assert body["complete"] is True and body["pending"] == []


def test_url_list_entry_blocks_only_that_page(client: TestClient) -> None:
    hit = client.post("/v1/check", json={"url": "http://shop.example-host.kz/fake/checkout.html"}).json()
    assert hit["verdict"] == "blocked" and hit["reasons"][0]["code"] == "list.scam_shop"
    path_hit = client.get("/v1/check", params={"url": "https://sites.example.com/evil-page/pay"}).json()
    assert path_hit["verdict"] == "blocked"


def test_allowlisted_domain_is_trusted(client: TestClient) -> None:
    body = client.get("/v1/check", params={"url": "https://guide.kaspi.kz/shop"}).json()
    assert body["verdict"] == "trusted" and body["score"] == 0


@pytest.mark.parametrize(("lang", "needle"), [("kk", "тізімінде"), ("ru", "список"), ("en", "list")])
def test_messages_in_requested_language(client: TestClient, lang: str, needle: str) -> None:
    body = client.get("/v1/check", params={"url": "kaspi-kz.top", "lang": lang}).json()
    assert needle in body["reasons"][0]["message"]
    assert body["advice"], "blocked verdicts carry the police advice"


def test_accept_language_picks_language(client: TestClient) -> None:
    body = client.get("/v1/check", params={"url": "kaspi-kz.top"},
                      headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}).json()
    assert "список" in body["reasons"][0]["message"]


def test_post_with_context(client: TestClient) -> None:
    response = client.post("/v1/check", json={"url": "https://kaspi-kz.top/", "lang": "en",
                                              "context": {"payment_form": True, "asks_for": ["card", "sms_code"]}})
    assert response.status_code == 200
    assert response.json()["signals"]["context"] == {"payment_form": True, "asks_for": ["card", "sms_code"]}


def test_post_with_payment_moment(client: TestClient) -> None:
    context = {"asks_for": ["prepayment", "transfer_card", "private_recipient"],
               "page": {"pressure": True, "cards": 1, "bin_valid": False}}
    response = client.post("/v1/check", json={"url": "https://dostavka-kz.top/", "lang": "kk", "context": context})
    assert response.status_code == 200
    body = response.json()
    assert body["signals"]["context"] == {"payment_form": False, **context}
    codes = [r["code"] for r in body["reasons"]]
    assert "context.transfer_card" in codes and body["verdict"] in ("unverified", "suspicious", "dangerous")
    assert "Алдын ала төлем жасамаңыз" in body["advice"]


def test_get_and_post_agree(client: TestClient) -> None:
    a = client.get("/v1/check", params={"url": "olx-kz.deal-safe.online/x"}).json()
    b = client.post("/v1/check", json={"url": "olx-kz.deal-safe.online/x"}).json()
    for key in ("canonical_url", "verdict", "score", "reasons"):
        assert a[key] == b[key]


BAD_GET = [
    ({}, "invalid_field"),
    ({"url": ""}, "invalid_url"),
    ({"url": "   "}, "invalid_url"),
    ({"url": "http://" + "a" * 9000 + ".kz/"}, "invalid_url"),
    ({"url": "ftp://kaspi.kz/"}, "invalid_url"),
    ({"url": "javascript:alert(document.cookie)"}, "invalid_url"),
    ({"url": "http:///nohost"}, "invalid_url"),
    ({"url": "http://exa mple.kz/"}, "invalid_url"),
    ({"url": "http://<script>.kz/"}, "invalid_url"),
    ({"url": "kaspi.kz", "lang": "de"}, "invalid_field"),
]


@pytest.mark.parametrize(("params", "code"), BAD_GET, ids=[str(p)[:40] for p, _ in BAD_GET])
def test_bad_get_input_is_a_clear_4xx(client: TestClient, params: dict[str, str], code: str) -> None:
    response = client.get("/v1/check", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert "Traceback" not in response.text


def test_two_url_params_refused(client: TestClient) -> None:
    response = client.get("/v1/check?url=a.kz&url=b.kz")
    assert response.status_code == 400 and response.json()["error"]["field"] == "url"


BAD_POST = [
    (b"", "invalid_json", 400),
    (b"not json", "invalid_json", 400),
    (b"[1,2]", "invalid_json", 400),
    (b'"kaspi.kz"', "invalid_json", 400),
    (b"\xff\xfe\x00", "invalid_json", 400),
    (b"{}", "invalid_field", 400),
    (b'{"url": 42}', "invalid_field", 400),
    (b'{"url": ["kaspi.kz"]}', "invalid_field", 400),
    (b'{"url": null}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "lang": 7}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": "card"}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"payment_form": "yes"}}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"asks_for": ["card", 1]}}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"asks_for": ["bitcoin"]}}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"page": []}}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"page": {"text": "4400 4302"}}}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"page": {"cards": "1"}}}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"page": {"cards": true}}}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"page": {"cards": 4400430212345679}}}', "invalid_field", 400),
    (b'{"url": "kaspi.kz", "context": {"page": {"pressure": 1}}}', "invalid_field", 400),
    (b'{"url": "mailto:a@b.kz"}', "invalid_url", 400),
    (json.dumps({"url": "a.kz", "pad": "x" * 70_000}).encode(), "payload_too_large", 413),
]


@pytest.mark.parametrize(("body", "code", "status"), BAD_POST, ids=[b[:30].decode("latin-1") for b, _, _ in BAD_POST])
def test_bad_post_input_is_a_clear_4xx(client: TestClient, body: bytes, code: str, status: int) -> None:
    response = client.post("/v1/check", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_huge_streamed_body_without_length_is_refused(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"url": "a.kz", "pad": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = client.post("/v1/check", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


def test_unknown_route_and_method_are_json_errors(client: TestClient) -> None:
    assert client.get("/v1/nope").json()["error"]["code"] == "not_found"
    response = client.put("/v1/check", json={})
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


def test_health_ready_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["lists"]["entries"] == 7
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"get", "post"} <= spec["paths"]["/v1/check"].keys()
    assert {"Verdict", "Error"} <= spec["components"]["schemas"].keys()
    for path in ("/healthz", "/readyz", "/openapi.json"):
        assert path in spec["paths"]


def test_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz", headers={"X-Request-ID": "bad id\n"}).headers["x-request-id"]) == 16
