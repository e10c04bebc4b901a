"""POST /v1/indicators/check and GET /v1/indicators/range/{5 hex}: answers checked against a brute-force
computation over every listed indicator, the padding rule, bad input on every route, rate limits."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from starlette.testclient import TestClient
from stdnum import luhn

from service.api.indicators import LINE_BYTES, RANGE_LINES, RANGE_PER_MINUTE, range_lines
from service.indicators import hash_hex, range_prefix
from tests._serve import auth

Moderation = tuple[TestClient, dict[str, str], str]


def _cards(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        base = "4400" + "".join(rng.choice("0123456789") for _ in range(11))
        out.append(f"card:{base}{luhn.calc_check_digit(base)}")
    return out


def _parse(text: str) -> dict[str, int]:
    lines = text.split("\n")
    assert lines[-1] == "" and all(len(line) + 1 == LINE_BYTES for line in lines[:-1]), "fixed-length lines"
    assert lines[:-1] == sorted(lines[:-1])
    return {line[:64]: int(line[65:]) for line in lines[:-1]}


def test_range_answers_match_a_brute_force_over_every_listing(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    mod = auth(tokens["moderator"])
    listed = _cards(40, seed=1) + ["phone:+77470001122", "iban:KZ86125KZT5004100100"]
    removed, allowed = _cards(1, seed=2)[0], _cards(1, seed=3)[0]
    text = "\n".join([*listed, removed, allowed])
    assert client.post("/v1/admin/import", headers=mod, json={"text": text, "reason": "bulletin"}).status_code == 201
    assert client.delete(f"/v1/admin/entries/{removed}", params={"reason": "appeal"}, headers=mod).status_code == 200
    assert client.delete(f"/v1/admin/entries/{allowed}", params={"reason": "x"}, headers=mod).status_code == 200
    assert client.post("/v1/admin/allowlist", headers=mod, json={"entry": allowed, "reason": "bank's own"}).status_code
    for _ in range(3):
        made = client.post("/v1/reports", json={"kind": "scam", "indicators": [listed[0]]})
        assert made.status_code == 201, made.text
    hashes = {hash_hex(c): (3 if c == listed[0] else 0) for c in listed}
    prefixes = {range_prefix(h) for h in hashes} | {"00000", "fffff", range_prefix(hash_hex(removed))}
    for prefix in sorted(prefixes):
        answer = client.get(f"/v1/indicators/range/{prefix}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
        got = _parse(answer.text)
        assert len(got) == RANGE_LINES and len(answer.content) == RANGE_LINES * LINE_BYTES  # padded, fixed size
        assert all(h.startswith(prefix.lower()) for h in got)
        expected = {h: n for h, n in hashes.items() if h.startswith(prefix.lower())}  # the brute force
        assert {h: got[h] for h in got if h in hashes} == expected
        assert hash_hex(removed) not in got and hash_hex(allowed) not in got
        assert all(n == 0 for h, n in got.items() if h not in hashes)  # decoys
    assert _parse(client.get(f"/v1/indicators/range/{range_prefix(hash_hex(listed[0])).lower()}").text)[
        hash_hex(listed[0])] == 3


def test_padding_rule_for_crowded_ranges() -> None:
    for n in (0, 1, 31, 32, 33, 64, 65):
        listed = [(f"abcde{i:059x}", i) for i in range(n)]
        lines = range_lines("ABCDE", listed)
        assert len(lines) == max(1, -(-n // RANGE_LINES)) * RANGE_LINES
        assert all(len(line) + 1 == LINE_BYTES and line.startswith("abcde") for line in lines)
        assert {line[:64] for line in lines} >= {h for h, _ in listed}
    assert range_lines("ABCDE", []) == range_lines("abcde", [])  # deterministic: cacheable
    assert range_lines("ABCDE", [("abcde" + "0" * 59, 123456)])[0].endswith(":9999")


def test_range_is_cacheable(moderation: Moderation) -> None:
    client, _, _ = moderation
    first = client.get("/v1/indicators/range/4032C")
    assert "public" in first.headers["cache-control"] and "max-age=" in first.headers["cache-control"]
    again = client.get("/v1/indicators/range/4032c", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("prefix", ["4032", "4032CC", "4032G", "zzzzz", "%20%20%20%20%20", "40 32"])
def test_range_refuses_anything_but_five_hex_digits(moderation: Moderation, prefix: str) -> None:
    client, _, _ = moderation
    bad = client.get(f"/v1/indicators/range/{prefix}")
    assert bad.status_code == 400
    assert bad.json()["error"] | {"message": ""} == {"code": "invalid_field", "field": "prefix", "message": ""}


def test_range_is_rate_limited_per_address(moderation: Moderation) -> None:
    client, _, _ = moderation
    statuses = [client.get(f"/v1/indicators/range/{i:05x}").status_code for i in range(RANGE_PER_MINUTE + 1)]
    assert statuses[:RANGE_PER_MINUTE] == [200] * RANGE_PER_MINUTE and statuses[-1] == 429


def test_check_answers_in_request_order(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    mod, bank = auth(tokens["moderator"]), auth(tokens["bank"])
    card = _cards(1, seed=9)[0]
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    assert client.post("/v1/admin/entries", headers=mod, json={"entry": card, "reason": "r"}).status_code == 201
    assert client.post("/v1/reports", json={"kind": "scam", "indicators": ["phone:8 747 000 11 22"],
                                            "url": "https://shop-kz.top/"}).status_code == 201
    sent = [card.replace("card:", "card: ") , "phone:+7 747 000 11 22", "card:4400 0000 0000 0000", 12,
            "iban:KZ86125KZT5004100100", card]
    answer = client.post("/v1/indicators/check", headers=bank, json={"indicators": sent})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["indicator"] for r in results] == [s if isinstance(s, str) else None for s in sent]
    first = results[0]
    assert first["canonical"] == card and first["listed"] and first["reports"] == 0
    assert first["lists"] == [{"list": "abaila-indicators", "category": "fraud"}]
    seen = dt.datetime.fromisoformat(first["first_seen"].replace("Z", "+00:00"))
    assert before <= seen <= dt.datetime.now(dt.UTC)
    phone = results[1]
    assert phone["canonical"] == "phone:+77470001122" and not phone["listed"] and phone["reports"] == 1
    assert phone["lists"] == [] and phone["first_seen"] == phone["last_seen"] is not None
    assert results[2]["error"]["code"] == "invalid_indicator" and "Luhn" in results[2]["error"]["message"]
    assert results[3]["error"]["code"] == "invalid_indicator" and results[3]["indicator"] is None
    assert results[4] | {"first_seen": None} == {"indicator": "iban:KZ86125KZT5004100100", "listed": False,
                                                 "canonical": "iban:KZ86125KZT5004100100", "reports": 0,
                                                 "first_seen": None, "last_seen": None, "lists": []}
    assert results[5] == results[0] | {"indicator": card}
    assert client.post("/v1/indicators/check", headers=mod, json={"indicators": [card]}).status_code == 200


@pytest.mark.parametrize(("body", "status", "field"), [
    ({}, 400, "indicators"),
    ({"indicators": []}, 400, "indicators"),
    ({"indicators": "card:4400430212345679"}, 400, "indicators"),
    ({"indicators": ["card:4400430212345679"] * 501}, 400, "indicators"),
])
def test_check_bad_bodies(moderation: Moderation, body: dict[str, object], status: int, field: str) -> None:
    client, tokens, _ = moderation
    bad = client.post("/v1/indicators/check", headers=auth(tokens["bank"]), json=body)
    assert bad.status_code == status and bad.json()["error"]["field"] == field


def test_check_needs_a_bank_or_moderator_key(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    body = {"indicators": ["card:4400430212345679"]}
    assert client.post("/v1/indicators/check", json=body).status_code == 401
    assert client.post("/v1/indicators/check", json=body, headers=auth("abk_nope")).status_code == 401
    assert client.post("/v1/indicators/check", content=b"{", headers=auth(tokens["bank"])).json()["error"][
        "code"] == "invalid_json"
    limited = client.post("/v1/indicators/check", json=body, headers=auth(tokens["bank"]))
    assert "ratelimit-limit" in limited.headers  # limited per key, like /v1/check/batch
