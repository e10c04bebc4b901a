"""Reason messages and advice in kk, ru, en (service/messages.py, service/data/messages.json)."""

from __future__ import annotations

import re
import string

import pytest

from service import messages
from service.scoring import WEIGHTS

# Latin letters that look like Cyrillic ones: a Kazakh word must not contain them (kz-context §4).
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _kazakh_texts() -> list[str]:
    catalog = messages._catalog()
    texts = [entry["kk"] for entry in catalog["reasons"].values()]
    texts += [entry["kk"] for entry in catalog["advice"].values()]
    texts += [entry["kk"] for entry in catalog["titles"].values()]
    return texts


@pytest.mark.parametrize("code", sorted(WEIGHTS))
def test_every_reason_code_has_three_languages(code: str) -> None:
    entry = messages._catalog()["reasons"].get(code)
    assert entry is not None, f"no message for {code}"
    assert set(entry) >= set(messages.LANGS) and all(entry[lang].strip() for lang in messages.LANGS)
    fields = [{name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name} for lang in messages.LANGS]
    assert fields[0] == fields[1] == fields[2], f"{code}: placeholders differ between languages"


@pytest.mark.parametrize("text", _kazakh_texts())
def test_kazakh_words_use_cyrillic_letters_only(text: str) -> None:
    for word in re.split(r"[\s«»\"(),.:;!?—-]+", _PLACEHOLDER.sub(" ", text)):
        if _CYRILLIC.search(word):
            assert not _LATIN.search(word), f"Latin letter inside the Kazakh word {word!r} in {text!r}"


def test_kazakh_uses_kazakh_letters() -> None:
    joined = "".join(_kazakh_texts())
    assert set("әғқңөұүі") <= set(joined)


def test_placeholders_take_no_kazakh_suffix() -> None:
    for text in _kazakh_texts():
        assert not re.search(r"\}-?[а-яәғқңөұүһі]", text), text


def test_render_fills_evidence_in_each_language() -> None:
    evidence = {"brand": "Kaspi.kz", "official": "kaspi.kz", "keyword": "kz", "domain": "kaspi-kz.top"}
    for lang in messages.LANGS:
        text = messages.render("lookalike.brand_keyword", lang, evidence)
        assert "Kaspi.kz" in text and "kaspi.kz" in text and "?" not in text


def test_unknown_slow_codes_fall_back_to_their_family() -> None:
    assert messages.render("dns.something_new", "ru", {}) == messages._catalog()["reasons"]["dns.*"]["ru"]


def test_advice_and_titles() -> None:
    assert messages.advice("dangerous", "kk")[-1] == "Алданып қалсаңыз, дереу 102-ге хабарласыңыз"
    assert "Не вносите предоплату" in messages.advice("unverified", "ru")
    assert messages.advice("trusted", "en") == []
    assert messages.title("dangerous", "kk") == "Абайлаңыз, алаяқ!"

    class _Reason:
        evidence = {"brand": "OLX.kz"}

    assert 'OLX.kz has no "OLX Delivery" service' in messages.advice("suspicious", "en", [_Reason()])


def test_negotiate_lang() -> None:
    assert messages.negotiate_lang("kk") == "kk"
    assert messages.negotiate_lang(None, "ru-RU,ru;q=0.9,en;q=0.5") == "ru"
    assert messages.negotiate_lang("de", "de-DE") == "en"
