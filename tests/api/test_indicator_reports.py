"""POST /v1/reports with indicators ("I paid to this card"): grouped per indicator in the moderators' queue,
masked unless revealed (every full read audited), decided like site reports, appealed by the card's owner;
and /admin showing them the same way."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from service.indicators import hash_hex, range_prefix
from tests._serve import auth

Moderation = tuple[TestClient, dict[str, str], str]
CARD = "card:4400430212345679"
MASKED = "card:440043••••••5679"


def _queue(client: TestClient, token: str, **params: str) -> list[dict[str, object]]:
    response = client.get("/v1/admin/reports", params=params, headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()["groups"]  # type: ignore[no-any-return]


def _in_range(client: TestClient, indicator: str) -> bool:
    digest = hash_hex(indicator)
    return digest in client.get(f"/v1/indicators/range/{range_prefix(digest)}").text


def test_reports_with_indicators_group_per_indicator(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    one = client.post("/v1/reports", json={"kind": "scam", "indicators": ["card:4400 4302 1234 5679"],
                                           "comment": "paid 45 000 ₸ for an iPhone"})
    assert one.status_code == 201, one.text
    assert len(one.json()["ids"]) == 1 and one.json()["id"] == one.json()["ids"][0]
    two = client.post("/v1/reports", json={"kind": "scam", "url": "https://iphone-sale.kz/",
                                           "indicators": ["CARD:4400-4302-1234-5679", "phone:87470001122"]})
    assert two.status_code == 201 and len(two.json()["ids"]) == 3  # the site, the card, the phone
    mine = client.get(f"/v1/reports/{one.json()['id']}").json()
    assert mine["indicator"] == MASKED and mine["url"] is None and CARD not in str(mine)
    groups = _queue(client, tokens["moderator"])
    by_entry = {g["entry"]: g for g in groups}
    assert set(by_entry) == {MASKED, "phone:+7747•••••22", "iphone-sale.kz/"}
    card = by_entry[MASKED]
    assert card["count"] == 2 and card["indicator_hash"] == hash_hex(CARD)
    assert [r["url"] for r in card["reports"]] == [None, "https://iphone-sale.kz/"]
    assert groups[0]["entry"] == MASKED  # the most reported first
    audit = client.get("/v1/admin/audit", params={"action": "indicator.read"}, headers=auth(tokens["moderator"]))
    assert audit.json()["audit"] == []  # nothing was shown in full yet
    full = _queue(client, tokens["moderator"], reveal="true")
    assert CARD in {g["entry"] for g in full}
    reads = client.get("/v1/admin/audit", params={"action": "indicator.read", "reveal": "1"},
                       headers=auth(tokens["moderator2"])).json()["audit"]
    assert {r["target"] for r in reads} == {CARD, "phone:+77470001122"}  # the site is not an indicator
    assert {r["actor"] for r in reads} == {"moderator-1"}
    assert client.get("/v1/admin/reports", headers=auth(tokens["bank"])).status_code == 403


def test_accepting_lists_the_indicator_and_its_owner_can_appeal(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    report = client.post("/v1/reports", json={"kind": "scam", "indicators": [CARD]}).json()
    assert not _in_range(client, CARD)
    decided = client.post(f"/v1/admin/reports/{report['id']}/decision", headers=auth(tokens["moderator"]),
                          json={"decision": "accept", "note": "three victims, same card"})
    assert decided.status_code == 200, decided.text
    entry = decided.json()["entries"][0]
    assert entry["list"] == "abaila-indicators" and entry["entry"] == MASKED and entry["expires_at"]
    assert _in_range(client, CARD)
    assert client.get(f"/v1/reports/{report['id']}").json()["status"] == "accepted"
    appeal = client.post("/v1/reports", json={"kind": "wrong_warning", "indicators": ["card:4400 4302 1234 5679"],
                                              "comment": "this is my salary card; I sold nothing"}).json()
    kinds = {g["kind"] for g in _queue(client, tokens["moderator"])}
    assert kinds == {"appeal"}
    granted = client.post(f"/v1/admin/reports/{appeal['id']}/decision", headers=auth(tokens["moderator"]),
                          json={"decision": "accept", "note": "card was stolen, owner verified"})
    assert granted.status_code == 200, granted.text
    assert not _in_range(client, CARD)


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"kind": "scam"}, "url", "required"),
    ({"kind": "scam", "indicators": []}, "url", "required"),
    ({"kind": "scam", "indicators": "card:4400430212345679"}, "indicators", "list"),
    ({"kind": "scam", "indicators": [CARD, "card:4400 4302 1234 5670"]}, "indicators[1]", "Luhn"),
    ({"kind": "scam", "indicators": [CARD, 5]}, "indicators[1]", "card:…"),
    ({"kind": "scam", "indicators": ["https://x.kz/"]}, "indicators[0]", "card:…"),
    ({"kind": "scam", "indicators": [CARD] * 11}, "indicators", "at most 10"),
    ({"kind": "scam", "indicators": [CARD], "url": "not a url"}, "url", ""),
    ({"kind": "fraud", "indicators": [CARD]}, "kind", "kind"),
])
def test_bad_reports_store_nothing(moderation: Moderation, body: dict[str, object], field: str, words: str) -> None:
    client, tokens, _ = moderation
    bad = client.post("/v1/reports", json=body)
    assert bad.status_code == 400, bad.text
    error = bad.json()["error"]
    assert error.get("field") == field and words in error["message"]
    assert _queue(client, tokens["moderator"]) == []


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, html[:500]
    return match.group(1)


def test_admin_page_masks_until_revealed_and_audits(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    client.post("/v1/reports", json={"kind": "scam", "indicators": [CARD], "url": "https://iphone-sale.kz/"})
    page = client.post("/admin/login", data={"token": tokens["moderator"]})
    assert page.status_code == 200
    assert MASKED in page.text and CARD[5:] not in page.text and 'id="reveal"' in page.text
    added = client.post("/admin/entries", data={"entry": "phone:8 747 000 11 22", "reason": "r",
                                                "csrf": _csrf(page.text)})
    assert added.status_code == 200 and "phone:+7747•••••22" in added.text and "abaila-indicators" in added.text
    shown = client.get("/admin", params={"reveal": "1", "lang": "ru"})
    assert CARD in shown.text and "phone:+77470001122" in shown.text and "записан в журнал" in shown.text
    reads = client.get("/v1/admin/audit", params={"action": "indicator.read", "reveal": "1"},
                       headers=auth(tokens["moderator2"])).json()["audit"]
    assert {r["target"] for r in reads} >= {CARD, "phone:+77470001122"}
    assert {r["detail"]["where"] for r in reads} == {"/admin"}
    searched = client.get("/admin", params={"q": "phone:+7 (747) 000-11-22"})
    assert "phone:+7747•••••22" in searched.text
    bad = client.post("/admin/entries", data={"entry": "card:1234", "reason": "r", "csrf": _csrf(page.text)})
    assert bad.status_code == 400 and "digits" in bad.text


def test_the_public_check_page_says_a_pasted_number_was_reported(moderation: Moderation) -> None:
    client, _, _ = moderation
    message = "Оплата только переводом на карту 4400 4302 1234 5679 или Kaspi по номеру 8 747 000 11 22"
    assert client.post("/v1/reports", json={"kind": "scam", "indicators": [CARD]}).status_code == 201
    page = client.post("/", data={"text": message, "lang": "ru"})
    assert page.status_code == 200
    assert page.text.count('data-reported="true"') == 1 and page.text.count('data-reported="false"') == 1
