"""The admin API's generated contract (service/api/admintypes.py): real answers, indicators, reports and
imports included, validate against the schemas their operations document, and the request types refuse
what their schemas forbid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from starlette.testclient import TestClient

from tests._serve import auth

CARD = "card:4400 4302 1234 5679"


def _check(document: dict[str, Any], path: str, method: str, response: httpx.Response) -> None:
    """Asserts response's status is documented for the operation and its JSON body matches that schema."""
    responses = document["paths"][path][method]["responses"]
    assert str(response.status_code) in responses, (path, method, response.status_code, response.text)
    content = responses[str(response.status_code)].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None or not response.headers["content-type"].startswith("application/json"):
        return
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]},
                                                   validate_formats=True)
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(response.json())]
    assert not errors, (path, method, errors, response.json())


@pytest.fixture
def admin(client_factory: Any, tmp_path: Path, tokens: Any) -> tuple[TestClient, dict[str, str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    made = tokens(url)
    return client_factory(ABAILA_DATABASE_URL=url), made


def test_answers_match_their_schemas(admin: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = admin
    document = client.get("/openapi.json").json()
    h = auth(tokens["admin"])

    def call(method: str, path: str, template: str | None = None, **kwargs: Any) -> httpx.Response:
        response = client.request(method, path, headers=h, **kwargs)
        _check(document, template or path, method.lower(), response)
        return response

    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    added = call("POST", "/v1/admin/entries", json={"entry": "https://contract-scam.kz/pay", "reason": "kit",
                                                    "evidence_url": "https://example.org/e", "expires_at": soon})
    assert added.status_code == 201
    assert call("POST", "/v1/admin/entries", json={"entry": CARD, "reason": "dropper card"}).status_code == 201
    assert call("POST", "/v1/admin/allowlist", json={"entry": "honest-shop.kz", "reason": "checked"}).status_code == 201
    found = call("GET", "/v1/admin/entries", params={"q": "contract-scam.kz", "removed": "true"}).json()
    assert found["entries"] and "index" in found
    masked = call("GET", "/v1/admin/entries", params={"q": "card:"}).json()["entries"]
    assert masked and "indicator_hash" in masked[0]
    entry_id = added.json()["entry"]["id"]
    call("GET", f"/v1/admin/entries/{entry_id}", "/v1/admin/entries/{ref}", params={"reveal": "true"})
    gone = call("DELETE", f"/v1/admin/entries/{entry_id}", "/v1/admin/entries/{ref}", params={"reason": "done"})
    assert gone.json()["removed"]
    imported = call("POST", "/v1/admin/import", json={
        "text": f"imported-one.kz\nnot a domain !!\ncom.kz\n{CARD}\n",
        "reason": "feed", "list": "contract-feed"}).json()
    assert imported["bad_lines"] and imported["refused"] and imported["indicators"]["added"] == 1
    for fmt in ("plain", "json", "cert-json"):
        call("GET", "/v1/admin/export", params={"format": fmt})
    call("GET", "/v1/admin/export", params={"kind": "indicators", "format": "json"})
    call("GET", "/v1/admin/lists")
    call("GET", "/v1/admin/audit", params={"since": "2020-01-01T00:00:00Z", "reveal": "1"})
    masked_target = call("GET", "/v1/admin/audit", params={"target": masked[0]["entry"]})  # as the queue shows it
    assert masked_target.status_code == 200 and masked_target.json()["audit"] == []
    key = call("POST", "/v1/admin/keys", json={"name": "contract", "role": "bank", "rate": "50/second"}).json()
    call("GET", "/v1/admin/keys")
    call("DELETE", f"/v1/admin/keys/{key['id']}", "/v1/admin/keys/{key_id}", params={"reason": "test"})

    report = client.post("/v1/reports", json={"url": "https://reported-shop.kz/x", "kind": "scam",
                                              "indicators": [CARD]}).json()
    queue = call("GET", "/v1/admin/reports", params={"status": "all", "sort": "newest", "per_page": "10"}).json()
    assert {g["kind"] for g in queue["groups"]} == {"report"} and any("indicator_hash" in g for g in queue["groups"])
    decided = call("POST", f"/v1/admin/reports/{report['id']}/decision", "/v1/admin/reports/{report_id}/decision",
                   json={"decision": "accept", "note": "confirmed", "list": "reported"})
    assert decided.json()["entries"]
    again = call("POST", f"/v1/admin/reports/{report['id']}/decision", "/v1/admin/reports/{report_id}/decision",
                 json={"decision": "reject", "note": "late"})
    assert again.status_code == 409


@pytest.mark.parametrize(("method", "path", "kwargs", "field"), [
    ("POST", "/v1/admin/entries", {"json": {"entry": "a.kz", "reason": "r", "colour": "red"}}, "colour"),
    ("POST", "/v1/admin/entries", {"json": {"entry": "", "reason": "r"}}, "entry"),
    ("POST", "/v1/admin/entries", {"json": {"entry": "a.kz", "reason": "r", "force": None, "list": ""}}, "list"),
    ("POST", "/v1/admin/entries", {"json": {"entry": "a.kz", "reason": "r", "expires_at": "2030-01-01"}},
     "expires_at"),  # a date is no RFC 3339 time
    ("POST", "/v1/admin/entries", {"json": {"entry": "a.kz", "reason": "\x1f\ufeff"}}, "reason"),  # spaces
    ("POST", "/v1/admin/import", {"json": {"text": "a.kz", "reason": "r", "list": "feed\n"}}, "list"),
    ("POST", "/v1/admin/import", {"json": {"text": "a.kz", "reason": "r", "format": ""}}, "format"),
    ("POST", "/v1/admin/import", {"json": {"text": "a.kz", "reason": "r", "dry_run": "yes"}}, "dry_run"),
    ("POST", "/v1/admin/keys", {"json": {"name": "k", "role": "bank", "rate": "٥/second"}}, "rate"),
    ("POST", "/v1/admin/keys", {"json": {"name": "k" * 201, "role": "bank"}}, "name"),
    ("GET", "/v1/admin/audit", {"params": {"until": "0.5"}}, "until"),  # not a Unix time
    ("GET", "/v1/admin/audit", {"params": {"since": "2026-06-01T00:00:00"}}, "since"),  # no offset
    ("GET", "/v1/admin/entries", {"params": {"removed": "maybe"}}, "removed"),
    ("GET", "/v1/admin/entries", {"params": {"limit": "1001"}}, "limit"),
    ("GET", "/v1/admin/export", {"params": {"format": ""}}, "format"),
    ("GET", "/v1/admin/export", {"params": {"kind": "indicators", "format": "hosts"}}, "format"),  # semantic
    ("GET", "/v1/admin/reports", {"params": {"status": "AAA"}}, "status"),
    ("GET", "/v1/admin/reports", {"params": {"page": "0"}}, "page"),
    ("DELETE", "/v1/admin/entries/exa%20mple.kz", {"params": {"reason": "r"}}, "ref"),  # semantic
    ("DELETE", "/v1/admin/entries/a.kz", {"params": {"reason": ""}}, "reason"),
], ids=lambda v: str(v)[:50])
def test_refused_with_the_field(admin: tuple[TestClient, dict[str, str]], method: str, path: str,
                                kwargs: dict[str, Any], field: str) -> None:
    client, tokens = admin
    response = client.request(method, path, headers=auth(tokens["admin"]), **kwargs)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field


def test_semantic_refusals_are_declared(client: TestClient) -> None:
    """An operation whose parser judges a field beyond its schema names that field in its 400 response."""
    paths = client.get("/openapi.json").json()["paths"]

    def refused(path: str, method: str) -> list[str]:
        return list(paths[path][method]["responses"]["400"].get("x-refused-fields", []))

    assert refused("/v1/admin/entries", "post") == refused("/v1/admin/allowlist", "post") == ["entry", "expires_at"]
    assert refused("/v1/admin/entries/{ref}", "delete") == ["ref"]
    assert refused("/v1/admin/export", "get") == ["format"]
    assert refused("/v1/admin/reports/{report_id}/decision", "post") == ["entry"]
    assert refused("/v1/admin/entries", "get") == refused("/v1/admin/import", "post") == []
    assert refused("/v1/admin/keys", "post") == refused("/v1/admin/audit", "get") == []
