"""Signals to a verdict (service/scoring.py): levels, weights, reasons, and the acceptance cases of issue 4."""

from __future__ import annotations

from typing import Any

import pytest

from service.brands import default_brands
from service.scoring import SUSPICIOUS_AT, WEIGHTS, Facts, score
from service.urls import parse, registrable_domain
from service.verdicts import Level, ListHit, PageContext, Reason, Severity

CARD = PageContext(payment_form=True, asks_for=("card", "cvv"))


BRANDS = default_brands()


def _facts(url: str, **kwargs: Any) -> Facts:
    parsed = parse(url)
    kwargs.setdefault("brands", BRANDS)
    return Facts(url=parsed, registrable_domain=registrable_domain(parsed.host), raw_url=url, **kwargs)


def _young(days: int = 5) -> Reason:
    return Reason("domain.young", Severity.MEDIUM, 0, {"days": days, "registered_on": "2026-08-01"})


@pytest.mark.parametrize("url, level", [
    # the `abaila check --offline` acceptance cases (issue 4)
    ("kaspi-kz.top", Level.SUSPICIOUS),
    ("hоmebank.kz", Level.SUSPICIOUS),  # Cyrillic о
    ("olx-kz.deal.online", Level.SUSPICIOUS),
    ("kaspi.kz", Level.TRUSTED),
    ("halykbank.kz", Level.TRUSTED),
    ("google.com", Level.TRUSTED),
    # more look-alikes and ordinary sites
    ("kaspi.kz.secure-pay.top", Level.SUSPICIOUS),
    ("homebank.kz.com", Level.SUSPICIOUS),
    ("egov-shtraf.kz", Level.SUSPICIOUS),
    ("halyk-bonus.com", Level.SUSPICIOUS),
    ("kaspii.kz", Level.SUSPICIOUS),
    ("guide.kaspi.kz", Level.TRUSTED),
    ("kgd.gov.kz", Level.TRUSTED),
    ("example.com", Level.NO_KNOWN_RISK),
    ("tengrinews.kz", Level.NO_KNOWN_RISK),
    ("new-shop.top", Level.NO_KNOWN_RISK),  # a cheap TLD alone is not enough
])
def test_offline_verdicts(url: str, level: Level) -> None:
    assessment = score(_facts(url, offline=True))
    assert assessment.level is level, assessment
    if level is Level.SUSPICIOUS:
        assert any(r.code.startswith("lookalike.") for r in assessment.reasons)
        assert assessment.score >= SUSPICIOUS_AT


def test_list_hit_blocks_and_allowlist_trusts() -> None:
    hit = ListHit("kaspi-kz.top/", "abaila-kz-scam", "phishing", "moderator")
    assert score(_facts("kaspi-kz.top", list_hits=(hit,))).level is Level.BLOCKED
    allow = ListHit("shop.example/", "allowlist", "allowlist", "moderator")
    assert score(_facts("shop.example", allow_hits=(allow,))).level is Level.TRUSTED


def test_lookalike_asking_for_a_card_is_dangerous() -> None:
    assessment = score(_facts("kaspi-kz.top", context=CARD))
    assert assessment.level is Level.DANGEROUS and assessment.score >= 90
    assert {"lookalike.brand_keyword", "context.asks_card"} <= {r.code for r in assessment.reasons}
    code = PageContext(payment_form=False, asks_for=("sms_code",))
    assert score(_facts("hоmebank.kz", context=code)).level is Level.DANGEROUS


def test_young_domain_alone_is_unverified_never_dangerous() -> None:
    assert score(_facts("new-shop.example", slow_reasons=(_young(),))).level is Level.UNVERIFIED
    assert score(_facts("new-shop.example", slow_reasons=(_young(),), context=CARD)).level is Level.UNVERIFIED
    worst = score(_facts("new-shop.top", slow_reasons=(_young(),), context=CARD))
    assert worst.level is not Level.DANGEROUS


def test_payment_page_with_unknown_age_is_unverified() -> None:
    facts = _facts("shop.example", context=CARD, pending=("domain_age",))
    assessment = score(facts)
    assert assessment.level is Level.UNVERIFIED
    assert "domain.age_unknown" in {r.code for r in assessment.reasons}
    failed = Reason("domain.lookup_failed", Severity.INFO, 0, {})
    assert score(_facts("shop.example", context=CARD, slow_reasons=(failed,))).level is Level.UNVERIFIED
    assert score(_facts("shop.example", context=CARD)).level is Level.NO_KNOWN_RISK


def test_reasons_carry_table_weights_and_explain_the_score() -> None:
    assessment = score(_facts("http://user@kaspi-kz.top:8080/oplata"))
    for r in assessment.reasons:
        assert (r.severity, r.weight) == WEIGHTS[r.code]
    assert assessment.score == min(100, sum(r.weight for r in assessment.reasons))
    assert len({r.code for r in assessment.reasons}) == len(assessment.reasons)


def test_slow_reasons_are_reweighted_and_unknown_codes_keep_theirs() -> None:
    slow = (Reason("dns.private_address", Severity.LOW, 1, {"address": "10.0.0.1"}),
            Reason("dns.brand_new_signal", Severity.LOW, 12, {}))
    reasons = {r.code: r for r in score(_facts("shop.example", slow_reasons=slow)).reasons}
    assert reasons["dns.private_address"].weight == WEIGHTS["dns.private_address"][1]
    assert reasons["dns.brand_new_signal"].weight == 12


def test_every_official_brand_domain_is_trusted() -> None:
    for brand in default_brands():
        for domain in brand.official:
            assert score(_facts(f"http://{domain}/")).level is Level.TRUSTED, domain


def test_few_false_positives_on_popular_sites() -> None:
    from tests._env import require_shared_data

    path = require_shared_data() / "popular" / "tranco_top100k_domains.txt"
    domains = path.read_text(encoding="utf-8").split()[:10000]
    flagged = [d for d in domains
               if score(_facts(f"http://{d}/")).level in (Level.SUSPICIOUS, Level.DANGEROUS)]
    assert len(flagged) / len(domains) <= 0.005, flagged[:20]


def test_every_slow_signal_code_is_weighed_and_worded() -> None:
    """Every code service.signals.slow can find has a weight here and a message in kk, ru and en."""
    import json

    from service.scoring import WEIGHTS
    from service.signals.slow import CODES
    from tests._env import ROOT

    assert {"domain.young", "dns.nxdomain", "dns.timeout", "dns.kz_hosted_abroad"} <= set(CODES)
    catalog = json.loads((ROOT / "service" / "data" / "messages.json").read_text("utf-8"))
    for code in sorted(CODES):
        assert code in WEIGHTS, f"{code} has no weight in service.scoring.WEIGHTS"
        assert set(catalog["reasons"].get(code, {})) >= {"kk", "ru", "en"}, f"{code} has no kk/ru/en message"


# The payment moment read from the page (issue 13): codes from extension/lib/pagereader.js.
def _moment(*asks: str, **page: int) -> PageContext:
    return PageContext(asks_for=asks, page=tuple(sorted(page.items())))


@pytest.mark.parametrize("name, url, context, slow, level", [
    ("5-day-old domain, transfer to a private card", "stilnaya-moda.shop",
     _moment("prepayment", "transfer_card", "private_recipient"), (_young(),), Level.DANGEROUS),
    ("5-day-old domain, Kaspi transfer by phone", "iphone-sale.com",
     _moment("prepayment", "transfer_phone"), (_young(),), Level.DANGEROUS),
    ("look-alike asks a transfer", "kaspi-kz.top", _moment("transfer_card"), (), Level.DANGEROUS),
    ("young domain, refund pattern", "vozvrat-zakaz.info", _moment("refund_pattern"), (_young(),), Level.DANGEROUS),
    ("look-alike offers an app", "halyk-bonus.com", _moment("app_download"), (), Level.DANGEROUS),
    ("old site, transfer to a card: do not prepay", "old-shop.kz", _moment("transfer_card"), (), Level.UNVERIFIED),
    ("old site, messenger-only order", "old-shop.kz", _moment("prepayment", "messenger_only"), (), Level.UNVERIFIED),
    ("old site, IBAN to a person", "old-shop.kz", _moment("transfer_iban", "private_recipient"), (),
     Level.UNVERIFIED),
    ("refund pattern alone is suspicious", "old-shop.kz", _moment("refund_pattern"), (), Level.SUSPICIOUS),
    ("young domain, messenger-only: suspicious, not dangerous", "new-shop.kz", _moment("messenger_only"),
     (_young(),), Level.SUSPICIOUS),
    ("allowlisted bank's help page on transfers", "halykbank.kz", _moment("transfer_phone"), (), Level.TRUSTED),
    ("marketplace", "kaspi.kz", _moment("prepayment", "transfer_card"), (), Level.TRUSTED),
    ("nothing asked", "old-shop.kz", _moment(), (), Level.NO_KNOWN_RISK),
    ("demand words alone weigh nothing", "old-shop.kz", _moment("prepayment", "send_receipt"), (),
     Level.NO_KNOWN_RISK),
])
def test_payment_moment_levels(name: str, url: str, context: PageContext, slow: tuple[Reason, ...],
                               level: Level) -> None:
    assert score(_facts(url, context=context, slow_reasons=slow)).level is level, name


def test_payment_moment_reasons_carry_codes_not_details() -> None:
    context = _moment("prepayment", "transfer_card", "private_recipient", "send_receipt", pressure=1, cards=1)
    reasons = {r.code: r for r in score(_facts("stilnaya-moda.shop", context=context)).reasons}
    assert reasons["context.transfer_card"].evidence == {"asks_for": ["transfer_card"], "private_recipient": True}
    assert reasons["context.prepayment"].evidence == {"asks_for": ["prepayment", "send_receipt"]}
    assert "context.pressure" in reasons
    assert all(reasons[c].weight == WEIGHTS[c][1] for c in reasons)


def test_payment_moment_advice_comes_first() -> None:
    from service import messages

    assessment = score(_facts("old-shop.kz", context=_moment("transfer_card")))
    lines = messages.advice(assessment.level.value, "ru", assessment.reasons)
    assert lines[:2] == ["Не вносите предоплату", "Не переводите деньги на карту частного лица"]


@pytest.mark.parametrize("url, level", [
    # app files (issue 13): today's miss `dostavka-kz.com/track/KZ12345.apk`, and a bank's own app
    ("dostavka-kz.com/track/KZ12345.apk", Level.SUSPICIOUS),
    ("new-shop.kz/setup.exe", Level.UNVERIFIED),
    ("kaspi-kz.top/app/Kaspi.APK", Level.SUSPICIOUS),
    ("kaspi.kz/app/kaspi.apk", Level.TRUSTED),
    ("shop.kz/catalog.apk.pdf", Level.NO_KNOWN_RISK),
    ("shop.kz/download?file=a.apk", Level.NO_KNOWN_RISK),  # only the path's last segment names the file
])
def test_app_file_urls(url: str, level: Level) -> None:
    assessment = score(_facts(url, offline=True))
    assert assessment.level is level, assessment
    if level is not Level.TRUSTED and level is not Level.NO_KNOWN_RISK:
        assert "lexical.app_file" in {r.code for r in assessment.reasons}
