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


def _entries() -> list[tuple[str, dict[str, str]]]:
    """Every translated entry of the catalog, each surface's section included (`admin`, `page`, `bot`)."""
    return [(f"{section}.{key}", entry) for section, entries in messages._catalog().items()
            if isinstance(entries, dict) for key, entry in entries.items() if isinstance(entry, dict)]


def _kazakh_texts() -> list[str]:
    return [entry["kk"] for _, entry in _entries()]


@pytest.mark.parametrize(("key", "entry"), _entries(), ids=[key for key, _ in _entries()])
def test_every_entry_has_three_languages_with_the_same_placeholders(key: str, entry: dict[str, str]) -> None:
    assert list(entry) == list(messages.LANGS), f"{key}: languages missing or out of order"
    assert all(entry[lang].strip() for lang in messages.LANGS), key
    fields = [{name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name} for lang in messages.LANGS]
    assert fields[0] == fields[1] == fields[2], f"{key}: placeholders differ between languages"


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
    assert messages.negotiate_lang(None, None, default="ru") == "ru"


@pytest.mark.parametrize(("header", "expected"), [
    ("ru-RU,ru;q=0.9,kk;q=0.8", "ru"),          # issue 11 part 8: /admin used to pick kk here
    ("kk;q=0.8,ru-RU,ru;q=0.9", "ru"),          # the weight decides, not the position
    ("en;q=0.5, kk-KZ;q=0.7", "kk"),
    ("kk, ru", "kk"),                           # equal weights keep the header's order
    ("ru ; q=0.3, en ; q = 0.4", "en"),         # spaces around ; and =
    ("kk;q=0, ru;q=0.1", "ru"),                 # q=0 means "not acceptable"
    ("kk;q=0, *", "en"),                        # * is the default, never a refused language
    ("de-DE,fr;q=0.9", "en"),                   # nothing supported
    ("kk;q=2, ru;q=abc, en;q=0.2", "en"),       # malformed weights are skipped, not trusted
    ("KK-kz", "kk"),
    ("", "en"),
    (",;,q=,;q=0.5,-", "en"),
    ("x," * 5000 + "kk", "en"),                 # only the first items of a hostile header are read
])
def test_negotiate_honours_quality_values(header: str, expected: str) -> None:
    assert messages.negotiate(header) == expected


def test_choose_lang_prefers_explicit_choices_in_order() -> None:
    assert messages.choose_lang("ru", "kk", accept_language="en") == "ru"
    assert messages.choose_lang("de", "kk", accept_language="en") == "kk"
    assert messages.choose_lang(None, "", accept_language="ru-RU,ru;q=0.9,kk;q=0.8") == "ru"
    assert messages.choose_lang(None, accept_language=None, default="ru") == "ru"


def test_strings_give_one_surface_in_one_language() -> None:
    admin = {lang: messages.strings("admin", lang) for lang in messages.LANGS}
    assert admin["kk"]["reports"] == "Шағымдар" and admin["ru"]["reports"] == "Жалобы"
    assert list(admin["kk"]) == list(admin["ru"]) == list(admin["en"])


def test_list_names_categories_and_sources_are_translated() -> None:
    evidence = {"list": "Abaila KZ scam shops and phishing", "category": "scam",
                "source": "Abaila moderators (blocklists/README.md); patterns ..."}
    assert messages.labels("list.scam", "ru", evidence) == {
        "list": "Abaila: мошеннические магазины и фишинг в Казахстане", "category": "мошеннический сайт",
        "source": "модераторы Abaila"}
    assert "Abaila: мошеннические магазины" in messages.render("list.scam", "ru", evidence)
    # A list the catalog does not know keeps its own name and source; its category is still translated.
    other = messages.labels("list.phishing", "kk", {"list": "feed-x", "category": "phishing", "source": "https://x"})
    assert other == {"list": "feed-x", "category": "фишинг (жалған банк немесе қызмет беті)", "source": "https://x"}
    assert messages.labels("lookalike.brand", "en", {"brand": "Kaspi.kz"}) == {}


def test_every_list_name_category_and_source_has_three_languages() -> None:
    catalog = messages._catalog()
    for section in ("categories", "list_names", "list_sources"):
        for key, entry in catalog[section].items():
            assert set(entry) == set(messages.LANGS) and all(entry.values()), f"{section}.{key}"


def test_the_advice_that_fits_comes_first() -> None:
    class _Code:
        code = "context.asks_code"
        evidence: dict[str, str] = {}

    assert messages.advice("dangerous", "en")[0] == "Do not enter your card details on this site"
    assert messages.advice("dangerous", "en", [_Code()])[0] == "Never share SMS codes with anyone"
    assert messages.advice("unverified", "en")[0] == "Do not pay in advance"
