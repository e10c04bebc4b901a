"""The generated contract tells the truth: real answers validate against /openapi.json's schemas, and the
request types refuse what their schemas forbid, with the usual error envelope."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from starlette.testclient import TestClient

from tests._serve import ROOT, abaila, environ, serve


def _validator(document: dict[str, Any], name: str) -> jsonschema_rs.Draft202012Validator:
    """Returns a validator (formats checked) for component `name`, its $refs resolved within the document."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


@pytest.mark.parametrize(("method", "url", "lang", "context"), [
    ("get", "https://Pay.Kaspi-KZ.top/card", "ru", None),  # blocked, a list reason with labels
    ("get", "https://guide.kaspi.kz/shop", None, None),  # trusted
    ("post", "http://shop.example-host.kz/fake/checkout.html", "kk",
     {"payment_form": True, "asks_for": ["card", "cvv", "card"], "page": {"prepayment": True, "cards": 2}}),
    ("post", "http://new-shop-unknown.kz/", "en", {"asks_for": ["sms_code"]}),
], ids=["blocked", "trusted", "context", "unknown"])
def test_verdicts_match_the_schema(client: TestClient, method: str, url: str, lang: str | None,
                                   context: dict[str, Any] | None) -> None:
    if method == "get":
        response = client.get("/v1/check", params={"url": url, **({"lang": lang} if lang else {})})
    else:
        response = client.post("/v1/check", json={"url": url, "lang": lang, "context": context})
    assert response.status_code == 200, response.text
    body = response.json()
    errors = [e.message for e in _validator(client.get("/openapi.json").json(), "Verdict").iter_errors(body)]
    assert not errors, errors
    assert body["reasons"], "a verdict with reasons exercises the Reason schema"


def _response_validator(document: dict[str, Any], path: str, method: str, status: str) -> Any:
    """Returns a validator for an operation's documented JSON answer, its $refs resolved within the document."""
    schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]},
                                              validate_formats=True)


def test_batch_and_safe_browsing_answers_match_the_schema(bank_client: Callable[..., TestClient],
                                                          make_key: Callable[..., str]) -> None:
    client = bank_client()
    headers = {"Authorization": f"Bearer {make_key(client)}"}
    document = client.get("/openapi.json").json()
    batch = client.post("/v1/check/batch", headers=headers,
                        json={"urls": ["https://pay.kaspi-kz.top/", "ftp://x.kz/", 5, "guide.kaspi.kz"]})
    assert batch.status_code == 200
    assert [("error" in r) for r in batch.json()["results"]] == [False, True, True, False]
    validator = _response_validator(document, "/v1/check/batch", "post", "200")
    assert not [e.message for e in validator.iter_errors(batch.json())]
    found = client.post("/v4/threatMatches:find", headers=headers, json={"threatInfo": {
        "threatTypes": ["SOCIAL_ENGINEERING"], "threatEntries": [{"url": "http://kaspi-kz.top/"}]}})
    assert found.status_code == 200 and found.json()["matches"]
    empty = client.post("/v4/threatMatches:find", headers=headers, json={"threatInfo": {"threatEntries": [{}]}})
    assert empty.status_code == 400 and empty.json()["error"]["status"] == "INVALID_ARGUMENT"  # was a 500


def test_errors_match_the_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    response = client.post("/v1/check", json={"url": "kaspi.kz", "context": {"page": {"cards": 101}}})
    assert response.status_code == 400
    assert not list(_validator(document, "Error").iter_errors(response.json()))
    assert response.json()["error"] == {"code": "invalid_field", "field": "context.page.cards",
                                        "message": response.json()["error"]["message"]}


@pytest.mark.parametrize(("body", "field"), [
    ({"url": 5}, "url"),
    ({}, "url"),
    ({"url": "kaspi.kz", "lang": "de"}, "lang"),
    ({"url": "kaspi.kz", "lang": "KK"}, "lang"),  # the schema's enum is exact; so is the parser
    ({"url": "kaspi.kz", "context": []}, "context"),
    ({"url": "kaspi.kz", "context": {"payment_form": "yes"}}, "context.payment_form"),
    ({"url": "kaspi.kz", "context": {"asks_for": ["card"] * 21}}, "context.asks_for"),
    ({"url": "kaspi.kz", "context": {"asks_for": ["pin"]}}, "context.asks_for[0]"),
    ({"url": "kaspi.kz", "context": {"colour": "red"}}, "context.colour"),  # additionalProperties: false
    ({"url": "kaspi.kz", "context": {"page": {"secret_text": True}}}, "context.page.secret_text"),
    ({"url": "kaspi.kz", "context": {"page": {"checkout": 1}}}, "context.page.checkout"),
], ids=lambda v: str(v)[:40])
def test_check_body_refused_where_the_schema_forbids(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = client.post("/v1/check", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_field" and error["field"] == field and error["message"]


@pytest.mark.parametrize(("raw", "code"), [
    (b"[1, 2]", "invalid_json"),
    (b'"kaspi.kz"', "invalid_json"),
    (b'{"url": "a.kz", "x": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", "invalid_json"),  # nesting, not a 500
    (b"\xff\xfe", "invalid_json"),
], ids=["array", "string", "deep", "not-utf8"])
def test_check_body_not_an_object(client: TestClient, raw: bytes, code: str) -> None:
    response = client.post("/v1/check", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_every_schema_is_generated_from_a_type(client: TestClient) -> None:
    """Each component schema carries the title msgspec gives a type: none is written by hand."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"Verdict", "Reason", "PageContext", "Error"} <= schemas.keys()
    assert {name for name, schema in schemas.items() if schema.get("title") != name} == set()


# The JSON API. The HTML pages (/, /share, /report, /admin...) answer people with a page, not a contract;
# they keep their path entries (tests/api/test_openapi.py) but are not fuzzed here.
API_PATHS = r"^/(v1|v4|healthz|readyz)"
MAX_EXAMPLES = 10  # per operation in the fuzzing phase; the coverage phase adds its boundary cases


@pytest.mark.timeout(900)  # a few minutes on a loaded 2-core machine: most of it is the coverage phase
def test_schemathesis_finds_no_failure(tmp_path: Path, lists_dir: Path) -> None:
    """Schemathesis, every check, against a live `abaila serve` with an admin token: what the schema allows is
    accepted (unless a documented semantic refusal: tests/api/contract_hooks.py), what it forbids refused with a
    4xx, every status and body is the documented one. Deterministic (`--generation-deterministic`: the same
    cases each run) and bounded (MAX_EXAMPLES)."""
    # Limits high enough not to answer 429 to the fuzzer (reports keep their own per-address limit, a
    # documented 429); the shortest check deadline, as the upstreams are offline anyway.
    env = environ(tmp_path, lists_dir, ABAILA_ANON_RATE="100000/minute", ABAILA_KEY_RATE="100000/second",
                  ABAILA_BAD_TOKEN_RATE="none", ABAILA_CHECK_DEADLINE_MS="50")
    created = abaila(env, "keys", "create", "--role", "admin", "--name", "schemathesis", "--json")
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    with serve(env) as base:
        run = subprocess.run(
            # positive_data_accepted (tests/api/contract_hooks.py) replaces the built-in positive check.
            [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/openapi.json", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance",
             "--max-examples", str(MAX_EXAMPLES), "--generation-deterministic", "--workers", "1", "--no-color",
             "--include-path-regex", API_PATHS,
             "-H", f"Authorization: Bearer {key['token']}", "--request-timeout", "60"],
            cwd=ROOT, env={**env, "SCHEMATHESIS_HOOKS": "tests.api.contract_hooks",
                                "ABAILA_CONTRACT_KEY_ID": str(key["id"])}, capture_output=True,
            text=True, timeout=840, check=False)
    summary = run.stdout[run.stdout.rfind("SUMMARY"):]
    assert "Tested:" in summary, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-2000:]
