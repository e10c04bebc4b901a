"""Indicators (card:, phone:, iban:) as entries: added, searched, masked, revealed (audited), removed,
imported, exported, expiring — through the admin API and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from service.indicators import hash_hex
from service.store import DEFAULT_INDICATOR_LIST, INDICATOR_LISTING_DAYS
from tests._serve import auth
from tests.conftest import Clock
from tests.test_cli import run

Moderation = tuple[TestClient, dict[str, str], str]
CARD = "card:4400430212345679"


def _audit(client: TestClient, token: str, **params: str) -> list[dict[str, object]]:
    response = client.get("/v1/admin/audit", params=params, headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()["audit"]  # type: ignore[no-any-return]


def test_an_indicator_in_any_written_form_is_one_entry(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    mod = auth(tokens["moderator"])
    added = client.post("/v1/admin/entries", headers=mod,
                        json={"entry": "card:4400 4302 1234 5679", "reason": "dropper card, 14 reports"})
    assert added.status_code == 201, added.text
    entry = added.json()["entry"]
    assert entry["entry"] == CARD and entry["list"] == DEFAULT_INDICATOR_LIST and entry["category"] == "fraud"
    assert entry["indicator_hash"] == hash_hex(CARD)
    expires = dt.datetime.fromisoformat(entry["expires_at"].replace("Z", "+00:00"))
    days = (expires - dt.datetime.now(dt.UTC)).days
    assert INDICATOR_LISTING_DAYS - 2 <= days <= INDICATOR_LISTING_DAYS  # personal data: listed for a year
    again = client.post("/v1/admin/entries", headers=mod, json={"entry": "CARD:4400-4302-1234-5679", "reason": "r",
                                                                "expires_at": entry["expires_at"]})
    assert again.status_code == 200 and not again.json()["created"]
    # Not a URL: URL exports leave it out, and no site is blocked by it.
    urls = client.get("/v1/admin/export", headers=mod).text
    assert "card:" not in urls
    assert client.get("/v1/check", params={"url": "https://shop.kz/"}).json()["verdict"] != "blocked"


def test_search_is_masked_and_reveal_is_audited(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    mod = auth(tokens["moderator"])
    assert client.post("/v1/admin/entries", headers=mod,
                       json={"entry": "phone:8 (747) 000-11-22", "reason": "Kaspi transfers"}).status_code == 201
    masked = client.get("/v1/admin/entries", params={"q": "phone:+7 747 000 11 22"}, headers=mod).json()["entries"]
    assert [e["entry"] for e in masked] == ["phone:+7747•••••22"]
    assert masked[0]["indicator_hash"] == hash_hex("phone:+77470001122")
    assert not [r for r in _audit(client, tokens["moderator"]) if r["action"] == "indicator.read"]
    full = client.get("/v1/admin/entries", params={"q": "phone:", "reveal": "true"}, headers=mod).json()["entries"]
    assert [e["entry"] for e in full] == ["phone:+77470001122"]
    reads = [r for r in _audit(client, tokens["moderator2"], action="indicator.read")]
    assert [(r["actor"], r["detail"]) for r in reads] == [("moderator-1", {"where": "GET /v1/admin/entries"})]
    assert reads[0]["target"] == "phone:+7747•••••22"  # the audit log masks too, unless revealed
    one = client.get(f"/v1/admin/entries/{full[0]['id']}", headers=mod).json()["entry"]
    assert one["entry"] == "phone:+7747•••••22"


def test_remove_by_written_form_and_by_id(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    mod = auth(tokens["moderator"])
    made = client.post("/v1/admin/entries", headers=mod, json={"entry": "iban:kz86 125k zt50 0410 0100",
                                                               "reason": "r"}).json()["entry"]
    gone = client.delete("/v1/admin/entries/iban:KZ86 125K ZT50 0410 0100", params={"reason": "appeal granted"},
                         headers=mod)
    assert gone.status_code == 200, gone.text
    assert gone.json()["removed"][0]["entry"] == "iban:KZ86125KZT5004100100"
    readd = client.post("/v1/admin/entries", headers=mod, json={"entry": made["entry"], "reason": "again"}).json()
    by_id = client.delete(f"/v1/admin/entries/{readd['entry']['id']}", params={"reason": "x"}, headers=mod)
    assert by_id.json()["removed"][0]["entry"] == "iban:KZ86••••••••••••0100"  # not typed: masked


@pytest.mark.parametrize(("entry", "words"), [
    ("card:4400 4302 1234 5675", "Luhn"),
    ("phone:+7 747 000 112", "numbering plan"),
    ("iban:KZ87125KZT5004100100", "check digits"),
    ("card:", "no number"),
])
def test_bad_indicators_are_400_naming_what_is_wrong(moderation: Moderation, entry: str, words: str) -> None:
    client, tokens, _ = moderation
    bad = client.post("/v1/admin/entries", headers=auth(tokens["moderator"]), json={"entry": entry, "reason": "r"})
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "invalid_indicator" and error["field"] == "entry" and words in error["message"]
    gone = client.delete(f"/v1/admin/entries/{entry}", params={"reason": "r"}, headers=auth(tokens["moderator"]))
    assert gone.status_code == 400 and gone.json()["error"]["code"] == "invalid_indicator"


def test_import_mixes_urls_and_indicators_and_export_is_audited(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    mod = auth(tokens["moderator"])
    text = ("fresh-scam.kz\ncard:4400 4302 1234 5679  # from report r1\nphone:87470001122\n"
            "card:4400 4302 1234 5675\niban:KZ86125KZT5004100100\n")
    made = client.post("/v1/admin/import", headers=mod, json={"text": text, "reason": "police bulletin 12"})
    assert made.status_code == 201, made.text
    summary = made.json()
    assert summary["added"] == 1 and summary["indicators"]["added"] == 3
    assert summary["indicators"]["list"] == DEFAULT_INDICATOR_LIST
    assert [(b["line"], "Luhn" in b["message"]) for b in summary["bad_lines"]] == [(4, True)]
    plain = client.get("/v1/admin/export", params={"kind": "indicators"}, headers=mod)
    assert plain.status_code == 200
    assert plain.text.splitlines() == ["card:4400430212345679", "iban:KZ86125KZT5004100100", "phone:+77470001122"]
    as_json = client.get("/v1/admin/export", params={"kind": "indicators", "format": "json"}, headers=mod).json()
    assert {i["entry"] for i in as_json["indicators"]} == set(plain.text.split())
    reads = _audit(client, tokens["moderator"], action="indicator.read", reveal="1")
    assert len(reads) == 6 and {r["target"] for r in reads} == set(plain.text.split())
    bad = client.get("/v1/admin/export", params={"kind": "indicators", "format": "hosts"}, headers=mod)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "format"
    assert client.get("/v1/admin/export", params={"kind": "cards"}, headers=mod).status_code == 400


def test_an_expired_listing_is_not_exported(client_factory: Callable[..., TestClient], database_url: str,
                                            tokens: Callable[..., dict[str, str]], clock: Clock) -> None:
    client = client_factory(ABAILA_DATABASE_URL=database_url, clock=clock)
    mod = auth(tokens(database_url)["moderator"])
    soon = (clock() + dt.timedelta(days=3)).isoformat()
    assert client.post("/v1/admin/entries", headers=mod,
                       json={"entry": CARD, "reason": "r", "expires_at": soon}).status_code == 201
    assert client.get("/v1/admin/export", params={"kind": "indicators"}, headers=mod).text == CARD + "\n"
    clock.advance(days=3)  # no sleeping: the store's clock reaches expires_at
    assert client.get("/v1/admin/export", params={"kind": "indicators"}, headers=mod).text == ""


def test_request_log_never_holds_an_indicator(moderation: Moderation, caplog: pytest.LogCaptureFixture) -> None:
    client, tokens, _ = moderation
    mod = auth(tokens["moderator"])
    client.post("/v1/admin/entries", headers=mod, json={"entry": CARD, "reason": "r"})
    with caplog.at_level(logging.INFO):
        client.delete(f"/v1/admin/entries/{CARD}", params={"reason": "r"}, headers=mod)
        client.delete("/v1/admin/entries/card%3A4400430212345679", params={"reason": "r"}, headers=mod)
    ours = [r for r in caplog.records if r.name.startswith("abaila")]  # not the test client's own log
    text = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in ours)
    assert "DELETE /v1/admin/entries/" in text  # the route template (or the path with its indicator cut)
    assert "4400430212345679" not in text and "0212345679" not in text


def test_cli_adds_imports_and_exports_indicators(tmp_path: Path, lists_dir: Path) -> None:
    added = run(tmp_path, lists_dir, "lists", "add", "card:4400 4302 1234 5679", "--reason", "report r1")
    assert added.returncode == 0, added.stderr
    assert f"added {CARD} on {DEFAULT_INDICATOR_LIST} (fraud)" in added.stdout
    bad = run(tmp_path, lists_dir, "lists", "add", "card:4400 4302 1234 5675", "--reason", "r")
    assert bad.returncode == 2 and "Luhn" in bad.stderr
    (tmp_path / "feed.txt").write_text("phone:+7 747 000 11 22\niban:XX00\n", encoding="utf-8")
    imported = run(tmp_path, lists_dir, "lists", "import", str(tmp_path / "feed.txt"), "--reason", "feed")
    assert imported.returncode == 0, imported.stderr
    assert "(indicators): added 1" in imported.stdout and "feed.txt:2:" in imported.stderr
    exported = run(tmp_path, lists_dir, "lists", "export", "--kind", "indicators", "--actor", "aigerim")
    assert exported.stdout.split() == [CARD, "phone:+77470001122"]
    urls = run(tmp_path, lists_dir, "lists", "export")
    assert "card:" not in urls.stdout


LINKS = ["https://wa.me/77470001122", "https://api.whatsapp.com/send?phone=77470001122&text=salem",
         "https://t.me/+77470001122", "https://wa.me/77470001122?text=%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7"]


def test_a_listed_phone_blocks_its_whatsapp_and_telegram_links(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    mod = auth(tokens["moderator"])
    assert all(client.get("/v1/check", params={"url": u}).json()["verdict"] != "blocked" for u in LINKS)
    assert client.post("/v1/admin/entries", headers=mod,
                       json={"entry": "phone:8 (747) 000-11-22", "reason": "Kaspi prepayments"}).status_code == 201
    for url in LINKS:
        verdict = client.get("/v1/check", params={"url": url}).json()
        assert verdict["verdict"] == "blocked", (url, verdict["reasons"])
        assert verdict["signals"]["identity"]["key"] == "phone:+77470001122"
    other = client.get("/v1/check", params={"url": "https://wa.me/77470001123"}).json()
    assert other["verdict"] != "blocked"
    assert "phone:" not in client.get("/v1/admin/export", headers=mod).text  # URL exports hold no indicators
    client.delete("/v1/admin/entries/phone:+77470001122", params={"reason": "owner's appeal"}, headers=mod)
    assert all(client.get("/v1/check", params={"url": u}).json()["verdict"] != "blocked" for u in LINKS)
