"""Identities on platforms are judged as themselves (service.scoring with service.platforms)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.checker import Checker
from service.index import IndexBuilder, ListInfo
from service.urls import parse
from service.verdicts import Level, PageContext

SCAM = ListInfo("scam", "phishing", "tests")
ALLOW = ListInfo("allow", "allowlist", "tests")


@pytest.fixture
def checker(tmp_path: Path) -> Checker:
    builder = IndexBuilder()
    scam, allow = builder.add_list(SCAM), builder.add_list(ALLOW)
    builder.add("instagram.com/kaspi_shop_sale_kz", scam)  # listed by its identity key
    builder.add("phone:+77010001122", scam)
    builder.add("instagram.com/halykbank_official", allow)  # a bank's verified account
    builder.add("olx.kz/", allow)  # the platform itself is official
    builder.add("instagram.com/", allow)
    return Checker(builder.build(tmp_path / "i.snap"))


async def _check(checker: Checker, url: str, context: PageContext | None = None):  # type: ignore[no-untyped-def]
    return await checker.check(parse(url), url=url, offline=True, context=context)


@pytest.mark.parametrize("url", [
    "https://www.instagram.com/aruzhan_bakery_taraz/",
    "https://t.me/some_shop_almaty",
    "https://www.olx.kz/d/obyavlenie/iphone-15-IDmBsQ2.html",
    "https://kolesa.kz/a/show/170000001",
    "https://wa.me/77470001122",
    "https://sites.google.com/view/bakery-taraz",
    "https://docs.google.com/forms/d/e/1FAIpQLSdAbCdEfGhIjKlMnOpQrStUvWxYz0123456789/viewform",
    "https://linktr.ee/aruzhan_bakery",
    "https://bakery-taraz.tilda.ws/",
    "https://t.me/+AbCdEfGhIjKlMnOp",
])
async def test_an_identity_is_never_trusted_for_its_platform(checker: Checker, url: str) -> None:
    verdict = await _check(checker, url)
    assert verdict.verdict is Level.UNVERIFIED, (url, [r.code for r in verdict.reasons])
    assert verdict.reasons[0].code.startswith("identity.")
    assert "identity" in verdict.signals
    assert not any(r.code in ("brand.official", "allowlist.official") for r in verdict.reasons)


async def test_the_reason_says_what_it_is_in_each_language(checker: Checker) -> None:
    url = "https://www.instagram.com/aruzhan_bakery_taraz/"
    en = await _check(checker, url)
    assert "nobody has verified this account" in en.messages[0] and "Instagram" in en.messages[0]
    ru = await checker.check(parse(url), url=url, offline=True, lang="ru")
    assert "никто не проверял" in ru.messages[0]
    kk = await checker.check(parse(url), url=url, offline=True, lang="kk")
    assert "ешкім тексермеген" in kk.messages[0]


async def test_a_listing_carries_the_marketplace_rule(checker: Checker) -> None:
    verdict = await _check(checker, "https://m.olx.kz/d/obyavlenie/iphone-15-IDmBsQ2.html")
    assert [r.code for r in verdict.reasons] == ["identity.listing", "rule.olx"]
    assert "never follow a payment or delivery link" in verdict.messages[1]
    kolesa = await _check(checker, "https://kolesa.kz/a/show/170000001")
    assert "rule.kolesa" in [r.code for r in kolesa.reasons]


@pytest.mark.parametrize("url", [
    "https://www.instagram.com/",
    "https://www.instagram.com/accounts/login/",
    "https://www.olx.kz/",
    "https://t.me/",
    "https://kaspi.kz/shop/p/apple-iphone-15-128gb-113137790/",
])
async def test_platforms_own_pages_stay_trusted(checker: Checker, url: str) -> None:
    assert (await _check(checker, url)).verdict is Level.TRUSTED


async def test_an_unknown_shape_is_not_trusted(checker: Checker) -> None:
    verdict = await _check(checker, "https://www.instagram.com/p/C1a2B3c4D5e/")
    assert verdict.verdict is Level.NO_KNOWN_RISK
    assert [r.code for r in verdict.reasons] == ["platform.other_page"]


@pytest.mark.parametrize("url", [
    "https://www.instagram.com/halykbank_official/",
    "https://instagram.com/HalykBank_Official?igsh=abc",
    "https://m.instagram.com/halykbank_official/reels/",
])
async def test_an_allowlisted_account_is_trusted_for_itself(checker: Checker, url: str) -> None:
    verdict = await _check(checker, url)
    assert verdict.verdict is Level.TRUSTED
    assert verdict.reasons[0].code == "allowlist.identity"


async def test_the_allowlisted_account_lends_nothing_to_others(checker: Checker) -> None:
    verdict = await _check(checker, "https://www.instagram.com/halykbank_official2/")
    assert verdict.verdict is not Level.TRUSTED


@pytest.mark.parametrize("url", [
    "https://www.instagram.com/kaspi_shop_sale_kz/",
    "https://www.instagram.com/Kaspi_Shop_Sale_KZ",
    "https://instagram.com/kaspi_shop_sale_kz?igsh=MWQ1ZGUxMzBkMA==",
    "https://www.instagram.com/kaspi_shop_sale_kz/reels/",
    "https://www.instagram.com/stories/kaspi_shop_sale_kz/3300000000000000000/",
    "https://instagr.am/kaspi_shop_sale_kz",
    "https://wa.me/77010001122?text=hi",
    "https://api.whatsapp.com/send?phone=77010001122",
    "https://t.me/+77010001122",
])
async def test_a_listed_identity_is_blocked_in_every_url_form(checker: Checker, url: str) -> None:
    verdict = await _check(checker, url)
    assert verdict.verdict is Level.BLOCKED, url


@pytest.mark.parametrize(("url", "brand"), [
    ("https://www.instagram.com/kaspi.sale.bonus/", "Kaspi.kz"),
    ("https://t.me/halyk_help_desk", "Halyk Bank / Homebank"),
    ("https://www.instagram.com/egov.tolemder/", "eGov"),
    ("https://t.me/homebank_support", "Halyk Bank / Homebank"),
    ("https://www.tiktok.com/@kaspi.bonus.kz", "Kaspi.kz"),
    ("https://sites.google.com/view/kaspi-bonus-2026", "Kaspi.kz"),
])
async def test_names_that_use_a_protected_brand_are_suspicious(checker: Checker, url: str, brand: str) -> None:
    verdict = await _check(checker, url)
    assert verdict.verdict is Level.SUSPICIOUS, (url, [r.code for r in verdict.reasons])
    reason = next(r for r in verdict.reasons if r.code == "lookalike.account_name")
    assert reason.evidence["brand"] == brand and reason.evidence["official"]
    assert brand in verdict.messages[verdict.reasons.index(reason)]


async def test_a_brand_name_asking_for_a_card_is_dangerous(checker: Checker) -> None:
    verdict = await _check(checker, "https://sites.google.com/view/kaspi-bonus-2026",
                           PageContext(payment_form=True, asks_for=("card",)))
    assert verdict.verdict is Level.DANGEROUS


@pytest.mark.parametrize("url", [
    "https://www.instagram.com/aruzhan_bakery_taraz/",
    "https://t.me/forte_music_club",
    "https://t.me/google_sheets",
    "https://t.me/telegram_tips",
])
async def test_ordinary_names_are_not_look_alikes(checker: Checker, url: str) -> None:
    verdict = await _check(checker, url)
    assert "lookalike.account_name" not in [r.code for r in verdict.reasons]
