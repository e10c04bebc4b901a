"""Lexical signals of the URL itself (service/signals/lexical.py)."""

from __future__ import annotations

import pytest

from service.signals.lexical import keywords_in, lexical_findings, suspicious_tlds
from service.urls import parse, public_suffix, registrable_domain


def _codes(url: str) -> set[str]:
    parsed = parse(url)
    host = parsed.host
    return {f.code for f in lexical_findings(parsed, registrable_domain(host), public_suffix(host), url)}


@pytest.mark.parametrize("url, code", [
    ("http://192.168.10.5/pay", "lexical.ip_host"),
    ("http://kaspi.kz@evil.example/", "lexical.userinfo"),
    ("http://shop.example:8443/", "lexical.port"),
    ("http://shop.top/", "lexical.suspicious_tld"),
    ("http://shop.tk/", "lexical.free_tld"),
    ("http://olx.dostavka-shop.example/", "lexical.keyword"),
    ("http://oplata.example/", "lexical.keyword"),
    ("http://xn--80aa5alfu.example/", "lexical.keyword"),  # оплата
    ("http://secure-login-verify.example/", "lexical.keywords"),
    ("http://a-b-c-d.example/", "lexical.many_hyphens"),
    ("http://a.b.c.d.example.com/", "lexical.many_labels"),
    ("https://bit.ly/abc", "lexical.shortener"),
    ("https://my-shop.netlify.app/", "lexical.free_hosting"),
    ("http://" + "a" * 31 + ".com/", "lexical.long_label"),
    ("http://xk2j3h4k5j6h7q.com/", "lexical.random_label"),
    ("http://paypal.com-secure.info/", "lexical.fake_tld_label"),
    ("http://kaspi.kz.pay.top/", "lexical.fake_tld_label"),
    ("http://hоmebank.kz/", "lexical.mixed_script"),
])
def test_signal_fires(url: str, code: str) -> None:
    assert code in _codes(url)


@pytest.mark.parametrize("url", [
    "https://kaspi.kz/shop", "https://www.google.com/", "http://shop.example:80/", "https://example.com:443/",
    "https://қаз.example/", "https://tengrinews.kz/", "https://krisha.kz/",
])
def test_ordinary_addresses_have_no_findings(url: str) -> None:
    assert _codes(url) == set()


def test_keywords_cover_kk_ru_en_and_transliterations() -> None:
    assert set(keywords_in("dostavka-oplata")) >= {"dostavka", "oplata"}
    assert "tolem" in keywords_in("kaspi-tolem")
    assert "login" in keywords_in("mylogin")
    assert keywords_in("payday") == []  # "pay" only as a whole word


def test_suspicious_tld_table_is_documented_data() -> None:
    table = suspicious_tlds()
    assert table["tk"] == "free" and table["top"] == "cheap" and "kz" not in table and "com" not in table
