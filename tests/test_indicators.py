"""service.indicators: the written forms of each kind against the shared vectors (also read by the extension)."""

from __future__ import annotations

import pytest

from service import indicators
from service.errors import InvalidIndicator
from tests._env import FIXTURES


def _vectors() -> list[tuple[str, str, str, str]]:
    lines = (FIXTURES / "indicators.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


VECTORS = _vectors()


@pytest.mark.parametrize(("name", "text", "expected", "digest"), VECTORS, ids=[v[0] for v in VECTORS])
def test_canonical_forms(name: str, text: str, expected: str, digest: str) -> None:
    if expected == "!error":
        with pytest.raises(InvalidIndicator) as caught:
            indicators.canonical(text)
        assert isinstance(caught.value, ValueError)
        assert caught.value.code == "invalid_indicator" and caught.value.message
        return
    got = indicators.canonical(text)
    assert got == expected
    assert indicators.canonical(got) == got  # canonical forms are fixed points
    assert indicators.hash_hex(got) == digest
    assert indicators.is_indicator(text)


def test_vectors_cover_every_kind_valid_and_invalid() -> None:
    for kind in ("card", "phone", "iban"):
        assert any(v[2].startswith(kind + ":") for v in VECTORS), kind
        assert any(v[1].lower().startswith(kind + ":") and v[2] == "!error" for v in VECTORS), kind


@pytest.mark.parametrize(("text", "words"), [
    ("card:5100 0000 0000 0009", "Luhn"),
    ("card:510000000008", "12 digits"),
    ("card:51OO", "digits"),
    ("phone:+7 747 000 112", "numbering plan"),
    ("phone:call me", "phone number"),
    ("iban:KZ87125KZT5004100100", "check digits"),
    ("iban:KZ86125KZT50041001", "18 characters; an IBAN of KZ has 20"),
    ("iban:XX86125KZT5004100100", "country that uses IBANs"),
    ("bank:1234", "card:…, phone:… or iban:…"),
    ("card:", "no number"),
    ("card:" + "1" * 300, "at most 200"),
])
def test_errors_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(InvalidIndicator, match=words):
        indicators.canonical(text)


def test_is_indicator_is_about_the_prefix_only() -> None:
    assert indicators.is_indicator("card:nonsense")
    assert indicators.is_indicator(" IBAN : x")
    assert not indicators.is_indicator("kaspi.kz/card:1")
    assert not indicators.is_indicator("87470001122")


def test_range_prefix_and_mask() -> None:
    digest = indicators.hash_hex("card:5100000000000008")
    assert indicators.range_prefix(digest) == digest[:5].upper()
    assert indicators.mask("card:5100000000000008") == "card:510000••••••0008"
    assert indicators.mask("phone:+77470001122") == "phone:+7747•••••22"
    assert indicators.mask("iban:KZ86125KZT5004100100") == "iban:KZ86••••••••••••0100"
    assert indicators.kind_of("Phone:+1") is indicators.Kind.PHONE
