"""One identity, every URL form (issue 12): listing through each front end stores the identity; every URL
form matches through /v1/check (GET, POST), batch and /v4/threatMatches:find; reports and appeals target
the identity; the platform-domain / public-suffix guard with the admin's audited force."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests._serve import auth

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "instagram.com/kaspi_shop_sale_kz"
FORMS = [
    "https://www.instagram.com/kaspi_shop_sale_kz/",
    "https://www.instagram.com/Kaspi_Shop_Sale_KZ",
    "https://instagram.com/kaspi_shop_sale_kz?igsh=MWQ1ZGUxMzBkMA==",
    "https://m.instagram.com/kaspi_shop_sale_kz/reels/",
    "https://www.instagram.com/stories/kaspi_shop_sale_kz/3300000000000000000/",
    "http://instagr.am/kaspi_shop_sale_kz",
]
Moderation = tuple[TestClient, dict[str, str], str]


@pytest.fixture
def sqlite_moderation(client_factory: Callable[..., TestClient], sqlite_url: str,
                      tokens: Callable[..., dict[str, str]]) -> Moderation:
    made = tokens(sqlite_url)
    return client_factory(ABAILA_DATABASE_URL=sqlite_url), made, sqlite_url


def _verdict(client: TestClient, url: str) -> str:
    response = client.get("/v1/check", params={"url": url})
    assert response.status_code == 200, response.text
    return str(response.json()["verdict"])


def _every_form_blocked(client: TestClient, bank_token: str) -> None:
    for url in FORMS:
        assert _verdict(client, url) == "blocked", url
        posted = client.post("/v1/check", json={"url": url})
        assert posted.json()["verdict"] == "blocked", url
    batch = client.post("/v1/check/batch", json={"urls": FORMS}, headers=auth(bank_token))
    assert batch.status_code == 200, batch.text
    assert [r["verdict"] for r in batch.json()["results"]] == ["blocked"] * len(FORMS)
    sb = client.post("/v4/threatMatches:find", headers=auth(bank_token), json={
        "client": {"clientId": "bank", "clientVersion": "1"},
        "threatInfo": {"threatTypes": ["SOCIAL_ENGINEERING", "MALWARE"], "platformTypes": ["ANY_PLATFORM"],
                       "threatEntryTypes": ["URL"], "threatEntries": [{"url": u} for u in FORMS]}})
    assert sb.status_code == 200, sb.text
    assert {m["threat"]["url"] for m in sb.json()["matches"]} == set(FORMS)
    assert _verdict(client, "https://www.instagram.com/kaspi_shop_sale_kz_two/") != "blocked"
    assert _verdict(client, "https://www.instagram.com/") == "trusted"


def test_admin_api_stores_the_identity_and_every_form_matches(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    made = client.post("/v1/admin/entries", headers=auth(tokens["moderator"]), json={
        "entry": "https://www.instagram.com/Kaspi_Shop_Sale_KZ/reels/?igsh=abc", "reason": "fake Kaspi shop"})
    assert made.status_code == 201, made.text
    assert made.json()["entry"]["entry"] == ACCOUNT
    _every_form_blocked(client, tokens["bank"])
    # Exports other tools read: an AdBlock rule (also blocks www./m./sub-pages) and JSON with the identity.
    adblock = client.get("/v1/admin/export", params={"format": "adblock"}, headers=auth(tokens["moderator"]))
    assert f"||{ACCOUNT}^" in adblock.text.splitlines()
    exported = client.get("/v1/admin/export", params={"format": "json"}, headers=auth(tokens["moderator"])).json()
    assert {"platform": "instagram", "kind": "account", "key": ACCOUNT} in exported["identities"]


def test_phone_and_telegram_forms(sqlite_moderation: Moderation) -> None:
    client, tokens, _ = sqlite_moderation
    for entry in ("https://wa.me/77010001122", "https://telegram.me/s/Halyk_Help_Desk"):
        assert client.post("/v1/admin/entries", headers=auth(tokens["moderator"]),
                           json={"entry": entry, "reason": "r"}).status_code == 201
    for url in ("https://api.whatsapp.com/send?phone=77010001122&text=hi", "https://t.me/+77010001122",
                "https://t.me/halyk_help_desk/42", "https://halyk_help_desk.t.me/",
                "https://telegram.dog/HALYK_HELP_DESK"):
        assert _verdict(client, url) == "blocked", url


def test_a_forbidden_name_is_refused_with_a_clear_error(sqlite_moderation: Moderation) -> None:
    client, tokens, _ = sqlite_moderation
    bad = client.post("/v1/admin/entries", headers=auth(tokens["moderator"]),
                      json={"entry": "https://www.instagram.com/kaspi-shop/", "reason": "r"})
    assert bad.status_code == 400
    assert "Instagram account name" in bad.json()["error"]["message"] and bad.json()["error"]["field"] == "entry"


@pytest.mark.parametrize("entry", ["instagram.com", "https://www.instagram.com/", "t.me", "github.io", "com.kz",
                                   "https://www.olx.kz/", "https://sites.google.com/"])
def test_guard_refuses_platforms_and_suffixes(sqlite_moderation: Moderation, entry: str) -> None:
    client, tokens, _ = sqlite_moderation
    refused = client.post("/v1/admin/entries", headers=auth(tokens["moderator"]), json={"entry": entry, "reason": "r"})
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["code"] == "platform_domain" and error["field"] == "entry"
    assert "public suffix" in error["message"] or "own page" in error["message"] or "domain of" in error["message"]
    assert "admin can force" in error["message"]


def test_only_an_admin_can_force_and_it_is_audited(sqlite_moderation: Moderation) -> None:
    client, tokens, _ = sqlite_moderation
    body = {"entry": "github.io", "reason": "whole zone is abused", "force": True}
    assert client.post("/v1/admin/entries", headers=auth(tokens["moderator"]), json=body).status_code == 403
    forced = client.post("/v1/admin/entries", headers=auth(tokens["admin"]), json=body)
    assert forced.status_code == 201, forced.text
    log = client.get("/v1/admin/audit", params={"target": "github.io/"}, headers=auth(tokens["admin"])).json()
    assert any("public suffix" in str(item.get("detail", {}).get("forced", "")) for item in log["audit"]), log


def test_allowlisting_a_platform_is_allowed_but_not_a_suffix(sqlite_moderation: Moderation) -> None:
    client, tokens, _ = sqlite_moderation
    ok = client.post("/v1/admin/allowlist", headers=auth(tokens["moderator"]),
                     json={"entry": "instagram.com/halykbank", "reason": "the bank's own account"})
    assert ok.status_code == 201, ok.text
    assert _verdict(client, "https://www.instagram.com/HalykBank/") == "trusted"
    assert _verdict(client, "https://www.instagram.com/halykbank.bonus/") != "trusted"
    suffix = client.post("/v1/admin/allowlist", headers=auth(tokens["moderator"]),
                         json={"entry": "com.kz", "reason": "r"})
    assert suffix.status_code == 400 and suffix.json()["error"]["code"] == "platform_domain"


def test_import_stores_identities_and_refuses_platforms(sqlite_moderation: Moderation) -> None:
    client, tokens, _ = sqlite_moderation
    text = ("https://www.instagram.com/Kaspi_Shop_Sale_KZ/\nhttps://t.me/s/halyk_help_desk\n"
            "https://www.olx.kz/d/obyavlenie/iphone-15-IDmBsQ2.html\ninstagram.com\ngithub.io\n"
            "https://www.instagram.com/bad-name/\nscam-shop.kz\n")
    done = client.post("/v1/admin/import", headers=auth(tokens["moderator"]),
                       json={"text": text, "reason": "feed", "format": "urls"})
    assert done.status_code in (200, 201), done.text
    summary = done.json()
    assert summary["added"] == 4
    assert {r["entry"] for r in summary["refused"]} == {"instagram.com/", "github.io/"}
    assert any(bad["line"] == 6 for bad in summary["bad_lines"])
    _every_form_blocked(client, tokens["bank"])
    assert _verdict(client, "https://m.olx.kz/d/obyavlenie/other-slug-IDmBsQ2.html?x=1") == "blocked"


def test_reports_and_appeals_target_the_identity(sqlite_moderation: Moderation) -> None:
    client, tokens, _ = sqlite_moderation
    one = client.post("/v1/reports", json={"url": FORMS[1], "kind": "scam", "comment": "asked for prepayment"})
    two = client.post("/v1/reports", json={"url": "https://www.instagram.com/another_fake_shop/", "kind": "scam"})
    assert one.status_code == two.status_code == 201
    queue = client.get("/v1/admin/reports", headers=auth(tokens["moderator"])).json()["groups"]
    assert {g["entry"] for g in queue} == {ACCOUNT, "instagram.com/another_fake_shop"}
    for report in (one.json(), two.json()):
        decided = client.post(f"/v1/admin/reports/{report['id']}/decision", headers=auth(tokens["moderator"]),
                              json={"decision": "accept", "note": "seen"})
        assert decided.status_code == 200, decided.text
    _every_form_blocked(client, tokens["bank"])  # ...and Instagram itself is still trusted
    appeal = client.post("/v1/reports", json={"url": FORMS[3], "kind": "wrong_warning"})
    group = [g for g in client.get("/v1/admin/reports", headers=auth(tokens["moderator"])).json()["groups"]
             if g["kind"] == "appeal"]
    assert appeal.status_code == 201 and group[0]["entry"] == ACCOUNT


def test_a_report_about_a_platform_page_never_targets_the_platform(sqlite_moderation: Moderation) -> None:
    client, tokens, _ = sqlite_moderation
    client.post("/v1/reports", json={"url": "https://www.instagram.com/p/C1a2B3c4D5e/", "kind": "scam"})
    client.post("/v1/reports", json={"url": "https://www.instagram.com/", "kind": "scam"})
    groups = client.get("/v1/admin/reports", headers=auth(tokens["moderator"])).json()["groups"]
    entries = {g["entry"]: g for g in groups}
    assert set(entries) == {"www.instagram.com/p/C1a2B3c4D5e/", "www.instagram.com/"}
    refused = client.post(f"/v1/admin/reports/{entries['www.instagram.com/']['reports'][0]['id']}/decision",
                          headers=auth(tokens["moderator"]), json={"decision": "accept", "note": "n"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "platform_domain"
    assert _verdict(client, "https://www.instagram.com/") == "trusted"


def test_admin_page_lists_the_identity(sqlite_moderation: Moderation) -> None:
    client, tokens, _ = sqlite_moderation
    signed = client.post("/admin/login", data={"token": tokens["moderator"]})
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', signed.text).group(1)  # type: ignore[union-attr]
    added = client.post("/admin/entries", data={"entry": FORMS[2], "reason": "seen", "csrf": csrf})
    assert added.status_code == 200 and ACCOUNT in added.text
    refused = client.post("/admin/entries", data={"entry": "instagram.com", "reason": "x", "csrf": csrf})
    assert "own page" in refused.text
    _every_form_blocked(client, tokens["bank"])


def test_cli_lists_add_stores_the_identity(tmp_path: Path, sqlite_url: str) -> None:
    env = {"ABAILA_DATABASE_URL": sqlite_url, "ABAILA_VAR_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "service", "lists", *args], capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=120)

    added = run("add", "https://www.instagram.com/Kaspi_Shop_Sale_KZ/?igsh=x", "--reason", "fake shop")
    assert added.returncode == 0, added.stderr
    assert ACCOUNT in added.stdout
    refused = run("add", "instagram.com", "--reason", "x")
    assert refused.returncode == 2 and "own page" in refused.stderr
    forced = run("add", "instagram.com", "--reason", "x", "--force")
    assert forced.returncode == 0, forced.stderr
    bad = run("add", "https://t.me/1halyk", "--reason", "x")
    assert bad.returncode == 2 and "Telegram account name" in bad.stderr
