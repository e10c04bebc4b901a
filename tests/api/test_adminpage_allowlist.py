"""/admin: the allowlist (add, search, remove) and audit filters (actor, target, action), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from service import messages

Moderation = tuple[TestClient, dict[str, str], str]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _rows(html: str, cls: str) -> list[str]:
    return re.findall(rf'<tr class="{cls}">(.*?)</tr>', html, flags=re.S)


def _verdict(client: TestClient, url: str) -> str:
    return str(client.get("/v1/check", params={"url": url}).json()["verdict"])


def _sign_in(client: TestClient, token: str) -> str:
    signed = client.post("/admin/login", data={"token": token})
    assert signed.status_code == 200, signed.text
    return _csrf(signed.text)


def test_allowlist_add_search_and_remove(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    url = "https://new-honest-shop.kz/cart"
    assert _verdict(client, url) != "trusted"
    csrf = _sign_in(client, tokens["moderator"])
    assert client.post("/admin/allowlist", data={"entry": "new-honest-shop.kz", "reason": "x"}).status_code == 403
    added = client.post("/admin/allowlist", data={"entry": "New-Honest-Shop.kz", "reason": "verified merchant",
                                                  "csrf": csrf})
    assert added.status_code == 200, added.text
    rows = _rows(added.text, "allow")
    assert len(rows) == 1 and "new-honest-shop.kz/" in rows[0] and "verified merchant" in rows[0]
    assert "abaila-moderators-allowlist" in rows[0] and "moderator-1" in rows[0]
    assert _verdict(client, url) == "trusted"
    bad = client.post("/admin/allowlist", data={"entry": "", "reason": "r", "csrf": csrf})
    assert bad.status_code == 400 and 'id="error"' in bad.text

    # search: another allowlisted site does not match the query
    client.post("/admin/allowlist", data={"entry": "other-merchant.kz", "reason": "verified", "csrf": csrf})
    found = client.get("/admin", params={"aq": "honest"})
    assert [r for r in _rows(found.text, "allow") if "other-merchant" in r] == []
    assert len(_rows(found.text, "allow")) == 1
    # a blocklist entry is not on the allowlist
    client.post("/admin/entries", data={"entry": "blocked-one.kz", "reason": "scam", "csrf": csrf})
    assert not [r for r in _rows(client.get("/admin").text, "allow") if "blocked-one" in r]

    entry_id = re.search(r'action="/admin/entries/(\d+)/remove"', _rows(found.text, "allow")[0])
    assert entry_id
    removed = client.post(f"/admin/entries/{entry_id.group(1)}/remove",
                          data={"reason": "merchant sold the domain", "csrf": csrf})
    assert removed.status_code == 200, removed.text
    assert not [r for r in _rows(removed.text, "allow") if "new-honest-shop" in r]
    assert _verdict(client, url) != "trusted"
    audit = [r for r in _rows(removed.text, "audit") if "new-honest-shop.kz/" in r]
    assert len(audit) == 2 and "entry.remove" in audit[0] and "entry.add" in audit[1]


def test_audit_filters_by_actor_target_and_action(moderation: Moderation) -> None:
    client, tokens, _ = moderation
    csrf = _sign_in(client, tokens["moderator"])
    client.post("/admin/entries", data={"entry": "first-scam.kz", "reason": "r1", "csrf": csrf})
    client.post("/admin/entries", data={"entry": "second-scam.kz", "reason": "r2", "csrf": csrf})
    csrf = _sign_in(client, tokens["moderator2"])  # another moderator at the same desk
    client.post("/admin/entries", data={"entry": "third-scam.kz", "reason": "r3", "csrf": csrf})
    client.post("/admin/allowlist", data={"entry": "fine-shop.kz", "reason": "r4", "csrf": csrf})

    by_actor = _rows(client.get("/admin", params={"actor": "moderator-2"}).text, "audit")
    assert len(by_actor) == 2 and all("moderator-2" in r for r in by_actor)
    assert 'value="moderator-2"' in client.get("/admin", params={"actor": "moderator-2"}).text  # kept in the form
    by_target = _rows(client.get("/admin", params={"target": "https://First-Scam.kz"}).text, "audit")
    assert len(by_target) == 1 and "first-scam.kz/" in by_target[0] and "moderator-1" in by_target[0]
    both = _rows(client.get("/admin", params={"actor": "moderator-1", "target": "third-scam.kz"}).text, "audit")
    assert both == []
    keys = _rows(client.get("/admin", params={"target": "key:1"}).text, "audit")
    assert len(keys) <= 1 and all("key:1" in r for r in keys)
    added = _rows(client.get("/admin", params={"action": "entry.add", "actor": "moderator-2"}).text, "audit")
    assert len(added) == 2
    everything = client.get("/admin")
    assert len(_rows(everything.text, "audit")) >= 4
    # filters never show anything to someone signed out
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 200
    assert _rows(client.get("/admin", params={"actor": "moderator-1"}).text, "audit") == []


def test_page_labels_exist_in_every_language() -> None:
    labels = {lang: messages.strings("admin", lang) for lang in messages.LANGS}
    assert set(labels["kk"]) == set(labels["ru"]) == set(labels["en"])
    assert all(text.strip() for lang in labels.values() for text in lang.values())
