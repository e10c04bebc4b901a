"""Look-alike detection against the protected brands (service/signals/lookalike.py, blocklists/brands.toml)."""

from __future__ import annotations

import pytest

from service.brands import BrandsFileError, load_brands, parse_brands
from service.signals.lookalike import account_name_findings, lookalike_findings, skeleton
from service.urls import parse, public_suffix, registrable_domain
from tests._env import ROOT

BRANDS = load_brands(ROOT / "blocklists" / "brands.toml")


def _finding(url: str, brands=BRANDS):  # type: ignore[no-untyped-def]
    host = parse(url).host
    found = lookalike_findings(host, registrable_domain(host), public_suffix(host), brands)
    return found[0] if found else None


@pytest.mark.parametrize("url, code, brand", [
    ("kaspi-kz.top", "lookalike.brand_keyword", "Kaspi.kz"),
    ("hоmebank.kz", "lookalike.homoglyph", "Halyk Bank / Homebank"),  # Cyrillic о
    ("kаspі.kz", "lookalike.homoglyph", "Kaspi.kz"),  # Cyrillic а, Kazakh і
    ("һalykbank.com", "lookalike.homoglyph", "Halyk Bank / Homebank"),  # Kazakh һ
    ("olx-kz.deal.online", "lookalike.brand_in_subdomain", "OLX.kz"),
    ("olx-kz.deal-safe.online", "lookalike.brand_in_subdomain", "OLX.kz"),
    ("kaspi.kz.secure-pay.top", "lookalike.brand_in_subdomain", "Kaspi.kz"),
    ("homebank.kz.com", "lookalike.other_tld", "Halyk Bank / Homebank"),
    ("kaspi.com", "lookalike.other_tld", "Kaspi.kz"),
    ("halyk-bonus.com", "lookalike.brand_keyword", "Halyk Bank / Homebank"),
    ("egov-shtraf.kz", "lookalike.brand_keyword", "eGov"),
    ("kaspii.kz", "lookalike.brand", "Kaspi.kz"),
    ("homeybank.com", "lookalike.brand", "Halyk Bank / Homebank"),
    ("paypa1.com", "lookalike.brand", "PayPal"),
    ("rnicrosoft.com", "lookalike.brand", "Microsoft"),
    ("kaspikz.online", "lookalike.brand_keyword", "Kaspi.kz"),
    ("wildberries-dostavka.ru", "lookalike.brand_keyword", "Wildberries"),
    ("wb-oplata.site", "lookalike.brand_keyword", "Wildberries"),
    ("kazpost-tracking.com", "lookalike.brand_keyword", "Kazpost (QazPost)"),
    ("mykaspishop.com", "lookalike.brand_keyword", "Kaspi.kz"),
    ("mykаspishop.com", "lookalike.homoglyph", "Kaspi.kz"),  # Cyrillic а inside a longer word
    ("kаspі-dostavka.kz", "lookalike.homoglyph", "Kaspi.kz"),  # a look-alike hyphen word beside a keyword
    ("mykaspi.secure-pay.top", "lookalike.brand_in_subdomain", "Kaspi.kz"),  # inside a longer subdomain label
    ("kaspiguideblog.com", "lookalike.brand_token", "Kaspi.kz"),
    ("apple-support.top", "lookalike.brand_keyword", "Apple"),
])
def test_lookalikes_are_caught(url: str, code: str, brand: str) -> None:
    finding = _finding(url)
    assert finding is not None, url
    assert (finding.code, finding.evidence["brand"]) == (code, brand)
    assert finding.evidence["official"] in next(b for b in BRANDS if b.name == brand).official


@pytest.mark.parametrize("url", [
    "kaspi.kz", "guide.kaspi.kz", "halykbank.kz", "epay.homebank.kz", "kgd.gov.kz", "google.com", "google.de",
    "olx.ua", "example.com", "pineapple.com", "finance.com", "mail.ru", "pcloud.com", "busan.com",
    "origin-apple.com.akadns.net", "telegraf.rs", "egov.uz",
])
def test_official_and_unrelated_names_are_not_lookalikes(url: str) -> None:
    assert _finding(url) is None


@pytest.mark.parametrize("text, expected", [
    ("kаspі", "kaspi"), ("hоmebank", "homebank"), ("paypa1", "paypal"), ("g00gle", "google"),
    ("rnicrosoft", "microsoft"), ("һalyk", "halyk"), ("ұ", "y"), ("ө", "o"), ("ү", "y"), ("ә", "e"), ("қ", "k"),
])
def test_skeleton(text: str, expected: str) -> None:
    assert skeleton(text) == expected


def test_every_official_domain_is_official() -> None:
    for brand in BRANDS:
        for domain in brand.official:
            assert BRANDS.official_brand(domain) is not None, domain


def test_brands_file_errors_name_the_brand_and_field() -> None:
    with pytest.raises(BrandsFileError, match="brand 'x': official"):
        parse_brands('[[brand]]\nid = "x"\nofficial = ["not a domain"]\n')
    with pytest.raises(BrandsFileError, match="appears twice"):
        parse_brands('[[brand]]\nid = "x"\nofficial = ["x.kz"]\n[[brand]]\nid = "x"\nofficial = ["y.kz"]\n')


# A deployment's brands.toml may give only `exact` or short tokens: then no name is matched by typos or
# inside longer words (there is no fuzzy pattern at all), and exact words are still found.
EXACT_ONLY = parse_brands('[[brand]]\nid = "forte"\nname = "ForteBank"\ncategory = "bank"\n'
                          'official = ["forte.kz"]\nexact = ["forte"]\ntokens = ["fb"]\n')


@pytest.mark.parametrize("url, code", [
    ("forte-bonus.kz", "lookalike.brand_keyword"),
    ("forte.secure-pay.top", "lookalike.brand_in_subdomain"),
    ("login.fortebonus.top", None),
    ("myforteshop.kz", None),
    ("forte.kz", None),
])
def test_brands_with_only_exact_tokens(url: str, code: str | None) -> None:
    finding = _finding(url, EXACT_ONLY)
    assert (finding.code if finding else None) == code


@pytest.mark.parametrize("name, brand", [
    ("kaspi.sale.bonus", "Kaspi.kz"), ("halyk_help_desk", "Halyk Bank / Homebank"),
    ("aruzhan_bakery_taraz", None), ("kz", None), ("k_", None),
])
def test_account_names(name: str, brand: str | None) -> None:
    found = account_name_findings(name, BRANDS)
    assert (found[0].evidence["brand"] if found else None) == brand
    assert account_name_findings(name, parse_brands("")) == []  # no brands: nothing is a look-alike
