"""service.urls against the shared Safe Browsing vectors, our own cases, and properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service import urls
from service.errors import InvalidURL
from service.urls import (
    canonicalize,
    entry_to_expression,
    expressions,
    is_ip_host,
    registrable_domain,
    validate_for_api,
)
from tests._env import FIXTURES, require_vectors


def _rows(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [tuple(line.split("\t", 1)) for line in lines if line]  # type: ignore[misc]


def _unescape(text: str) -> str:
    return text.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r")


CANON = _rows(FIXTURES / "vectors" / "canonicalization.tsv")
EXPR = _rows(FIXTURES / "vectors" / "expressions.tsv")


def test_fixture_vectors_equal_shared_vectors() -> None:
    shared = require_vectors()
    for name in ("canonicalization.tsv", "expressions.tsv"):
        assert (shared / name).read_text(encoding="utf-8") == (FIXTURES / "vectors" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("url", "expected"), CANON, ids=[row[0][:60] for row in CANON])
def test_canonicalization_vectors(url: str, expected: str) -> None:
    assert canonicalize(_unescape(url)) == expected


@pytest.mark.parametrize(("url", "expected"), EXPR, ids=[row[0] for row in EXPR])
def test_expression_vectors(url: str, expected: str) -> None:
    got = expressions(url)
    assert sorted(got) == sorted(expected.split())
    assert len(got) == len(set(got))


OWN_CASES = [
    # IPv4 in every inet_aton spelling
    ("octal", "http://0300.0250.01.01/", "http://192.168.1.1/"),
    ("hex", "http://0xC0.0xA8.0x1.0x1/", "http://192.168.1.1/"),
    ("hex-integer", "http://0xC0A80101/", "http://192.168.1.1/"),
    ("integer", "http://3232235777/", "http://192.168.1.1/"),
    ("short-2", "http://127.1/", "http://127.0.0.1/"),
    ("short-3", "http://192.168.257/", "http://192.168.1.1/"),
    ("octal-integer", "http://017700000001/", "http://127.0.0.1/"),
    ("not-ip-too-big", "http://256.1.1.1/", "http://256.1.1.1/"),
    ("not-ip-5-parts", "http://1.2.3.4.5/", "http://1.2.3.4.5/"),
    # IPv6
    ("ipv6-short", "http://[2001:DB8:0:0:0:0:0:1]:8080/x", "http://[2001:db8::1]/x"),
    ("ipv6-mapped-v4", "http://[::ffff:192.168.1.1]/", "http://192.168.1.1/"),
    ("ipv6-nat64", "http://[64:ff9b::c0a8:101]/", "http://192.168.1.1/"),
    ("ipv6-loopback", "http://[::1]/", "http://[::1]/"),
    # IDN to punycode (Cyrillic о in a Latin brand; a Kazakh IDN TLD)
    ("idn-homoglyph", "http://hоmebank.kz/", "http://xn--hmebank-9ig.kz/"),
    ("idn-kaz", "http://мысал.қаз/", "http://xn--80awbu3c.xn--80ao21a/"),
    ("idn-escaped", "http://%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.kz/", "http://xn--e1afmkfd.kz/"),
    ("idn-fullwidth-dot", "http://kaspi。kz/", "http://kaspi.kz/"),
    # userinfo and ports
    ("userinfo", "http://user:pass@kaspi.kz@evil.top/x", "http://evil.top/x"),
    ("userinfo-brand", "https://kaspi.kz@kaspi-pay.top/", "https://kaspi-pay.top/"),
    ("port", "https://Kaspi.KZ:8443/shop", "https://kaspi.kz/shop"),
    ("host-port-no-scheme", "example.kz:8080/a", "http://example.kz/a"),
    ("scheme-relative", "//example.kz/a", "http://example.kz/a"),
    ("path-dots", "http://a.kz/a/b/../../c/./d/..", "http://a.kz/c/"),
    ("dotdot-above-root", "http://a.kz/../../x", "http://a.kz/x"),
    ("uppercase-escape", "http://a.kz/%7e%2a", "http://a.kz/~*"),
    ("unicode-path", "http://a.kz/оплата", "http://a.kz/%D0%BE%D0%BF%D0%BB%D0%B0%D1%82%D0%B0"),
]


@pytest.mark.parametrize(("url", "expected"), [c[1:] for c in OWN_CASES], ids=[c[0] for c in OWN_CASES])
def test_own_canonicalization_cases(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize("url", ["", "   ", "http://", "http:///path", "http://.../", "http://@/", "http://:80/",
                                 "javascript:alert(1)", "mailto:a@b.kz", "data:text/html,hi", "http://[zz::1]/"])
def test_no_valid_host_raises_invalid_url(url: str) -> None:
    with pytest.raises(InvalidURL) as info:
        canonicalize(url)
    assert isinstance(info.value, ValueError)
    assert info.value.message


def test_ip_hosts_get_no_suffix_expressions() -> None:
    assert expressions("http://1.2.3.4/a/b") == ["1.2.3.4/a/b", "1.2.3.4/", "1.2.3.4/a/"]
    assert expressions("http://[2001:db8::1]/") == ["[2001:db8::1]/"]
    assert is_ip_host("1.2.3.4") and is_ip_host("[::1]") and not is_ip_host("kaspi.kz")


def test_expressions_are_capped_at_30_and_skip_bare_tld() -> None:
    got = expressions("http://a.b.c.d.e.f.g/1/2/3/4/5/6.html?q=1")
    assert len(got) == 30
    assert not any(e.startswith("g/") for e in got)
    assert "a.b.c.d.e.f.g/1/2/3/" in got and "a.b.c.d.e.f.g/1/2/3/4/" not in got


def test_empty_query_adds_no_question_mark_expression() -> None:
    assert expressions("http://a.b/?") == ["a.b/"]


@pytest.mark.parametrize(("host", "domain"), [
    ("pay.kaspi.kz", "kaspi.kz"), ("kaspi.kz", "kaspi.kz"), ("shop.example.com.kz", "example.com.kz"),
    ("a.b.xn--80ao21a", "b.xn--80ao21a"), ("1.2.3.4", "1.2.3.4"), ("kz", "kz"),
])
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


@pytest.mark.parametrize(("entry", "expression"), [
    ("evil.example", "evil.example/"), ("http://Evil.Example", "evil.example/"), ("evil.example/a/", "evil.example/a/"),
    ("https://a.b/x.html?y=1#f", "a.b/x.html?y=1"), ("a.b/?", "a.b/"),
])
def test_entry_to_expression(entry: str, expression: str) -> None:
    assert entry_to_expression(entry) == expression


@pytest.mark.parametrize(("url", "needle"), [
    (123, "string"), ("", "empty"), ("x" * 9000, "longer"), ("ftp://a.kz/", "only http"),
    ("javascript:alert(1)", "hierarchical"), ("http://exa mple.kz/", "not a valid"), ("http://a<b>.kz/", "not a valid"),
    ("http://a{b}.kz/", "not a valid"), ("http://a%22b.kz/", "not a valid"), ("http:///x", "no host"),
    ("http://" + "a" * 64 + ".kz/", "not a valid"),
])
def test_api_validation_refuses(url: object, needle: str) -> None:
    with pytest.raises(InvalidURL) as info:
        validate_for_api(url)
    assert needle in info.value.message
    assert info.value.field == "url"


def test_api_validation_accepts_lenient_but_valid() -> None:
    assert str(validate_for_api("Kaspi.kz")) == "http://kaspi.kz/"
    assert str(validate_for_api("https://hоmebank.kz/login")) == "https://xn--hmebank-9ig.kz/login"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_canonicalize_raises_only_its_error_and_is_idempotent(text: str) -> None:
    try:
        once = canonicalize(text)
    except InvalidURL:
        return
    assert canonicalize(once) == once


_url_chars = st.sampled_from(
    list("abcxyz019-._~%/?#@:[]!$&'()*+,;= \t\n") + ["%2e", "%2F", "%25", "%41", "ә", "і", "о"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_url_chars, max_size=60).map("".join), st.sampled_from(["http://", "https://", "", "//"]))
def test_url_shaped_input_is_idempotent_and_expressions_are_bounded(body: str, scheme: str) -> None:
    try:
        once = canonicalize(scheme + body)
    except InvalidURL:
        return
    assert canonicalize(once) == once
    got = expressions(once)
    assert 1 <= len(got) <= 30
    assert len(set(got)) == len(got)


@pytest.mark.parametrize("host", ["0-1", "0x-1", "+7", "1_000", "0x1_0", "09", "1.2.3.-4", "٣"])
def test_not_ipv4_spellings_stay_hostnames(host: str) -> None:
    from service.urls import parse

    canonical = parse(f"http://{host}/").host
    assert not is_ip_host(canonical)
    assert canonicalize(f"http://{canonical}/") == f"http://{canonical}/"


def _unescape_pass_by_pass(data: bytes) -> bytes:
    # The spec's loop, spelled out: unescape until nothing changes (quadratic on nested %25).
    while True:
        decoded = urls._unescape_once(data)
        if decoded == data:
            return data
        data = decoded


@given(st.binary(max_size=24).map(lambda b: bytes(b"%25Aa41x"[c % 8] for c in b)))
def test_linear_unescape_reaches_the_same_fixed_point(data: bytes) -> None:
    assert urls._unescape_fully(data) == _unescape_pass_by_pass(data)


@pytest.mark.timeout(30)
def test_nested_percent_25_is_unescaped_in_linear_time() -> None:
    # Issue 10: "%" + "25"*k + "41" took 34 s at 512 KB when each pass peeled one level off.
    url = "https://a.kz/%" + "25" * (256 * 1024) + "41"
    assert canonicalize(url) == "https://a.kz/A"
    assert canonicalize("http://h.kz/%%34%31%2541") == "http://h.kz/AA"
