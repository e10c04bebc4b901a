"""service.platforms: every platform's URL shapes (shared vectors with the extension), the listing guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import platforms
from service.platforms import Identity, InvalidIdentity, Where, guard_problem, identify, identity_for_entry, place

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "tests" / "fixtures" / "platforms.tsv"


def _vectors() -> list[tuple[str, str, str, str, str, str]]:
    rows = []
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, url, where, platform, kind, key = line.split("\t")
        rows.append((name, url, where, platform, kind, key))
    return rows


@pytest.mark.parametrize(("name", "url", "where", "platform", "kind", "key"), _vectors(), ids=lambda v: v)
def test_vectors(name: str, url: str, where: str, platform: str, kind: str, key: str) -> None:
    placement = place(url)
    if where == "none":
        assert placement is None
        assert identify(url) is None
        return
    assert placement is not None
    assert placement.where.value == where
    assert placement.platform.id == platform
    if where == "identity":
        assert placement.identity == Identity(platform, kind, key)
        assert identify(url) == placement.identity
        # The key names the same identity again: a stored key is found by the same rules.
        if not key.startswith("phone:"):
            assert identify("https://" + key) == placement.identity
    else:
        assert placement.identity is None


def test_vectors_cover_every_platform() -> None:
    covered = {row[3] for row in _vectors()}
    ids = {p.id for p in platforms.platforms() if p.hosts or p.sites}
    assert ids - covered <= {"cloud_storage", "google_cloud", "wordpress"}, ids - covered


def test_javascript_twin_is_the_table() -> None:
    generated = (ROOT / "extension" / "lib" / "platforms_table.js").read_text(encoding="utf-8")
    assert generated == platforms.javascript(), \
        "run: .venv/bin/python -m service.platforms --js > extension/lib/platforms_table.js"


@pytest.mark.parametrize(("entry", "key"), [
    ("https://www.instagram.com/Kaspi_Shop_Sale_KZ/?igsh=abc", "instagram.com/kaspi_shop_sale_kz"),
    ("instagram.com/kaspi_shop_sale_kz", "instagram.com/kaspi_shop_sale_kz"),
    ("phone:+7 701 000 11 22", "phone:+77010001122"),
    ("t.me/joinchat/AbCdEfGhIjKlMnOp", "t.me/+AbCdEfGhIjKlMnOp"),
])
def test_identity_for_entry(entry: str, key: str) -> None:
    identity = identity_for_entry(entry)
    assert identity is not None and identity.key == key


@pytest.mark.parametrize(("entry", "words"), [
    ("https://www.instagram.com/kaspi-shop/", "Instagram account name"),
    ("https://t.me/1halyk", "Telegram account name"),
    ("https://wa.me/0000000", "not an international phone number"),
    ("phone:12", "phone:"),
])
def test_forbidden_names_are_refused_when_listed(entry: str, words: str) -> None:
    with pytest.raises(InvalidIdentity) as info:
        identity_for_entry(entry)
    assert words in info.value.message
    assert place(entry.replace("phone:12", "https://example.com/")) is None or identify(entry) is None


def test_own_and_other_pages_have_no_identity() -> None:
    assert place("https://www.instagram.com/accounts/login/").where is Where.OWN
    assert place("https://www.instagram.com/p/C1a2B3c4D5e/").where is Where.OTHER
    assert identify("not a url at all \x00") is None


@pytest.mark.parametrize(("expression", "problem"), [
    ("github.io/", "public suffix"),
    ("com.kz/", "public suffix"),
    ("instagram.com/", "own page"),
    ("www.instagram.com/", "own page"),
    ("www.instagram.com/accounts/login/", "own page"),
    ("t.me/", "own page"),
    ("olx.kz/", "own page"),
    ("docs.google.com/", "own page"),
    ("google.com/", "domain of"),
    ("tilda.ws/", "domain of"),
])
def test_guard_refuses_platforms_and_suffixes(expression: str, problem: str) -> None:
    assert problem in guard_problem(expression)


@pytest.mark.parametrize("expression", [
    "instagram.com/kaspi_shop_sale_kz", "t.me/halyk_help", "olx.kz/IDmBsQ2", "kaspi-bonus.tilda.ws/",
    "phone:+77010001122", "kaspi-kz.top/", "www.instagram.com/p/C1a2B3c4D5e/", "evil.example/pay.html?x=1",
])
def test_guard_allows_identities_and_ordinary_sites(expression: str) -> None:
    assert guard_problem(expression) == ""
