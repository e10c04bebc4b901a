"""service.moderation: the field parsers and the import plan every front end shares (pure, a fixed clock)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from service.errors import InvalidField
from service.moderation import (
    EVIDENCE_PATTERN,
    NOT_BLANK_PATTERN,
    parse_addition,
    parse_category,
    parse_comment,
    parse_entry,
    parse_evidence,
    parse_list_name,
    parse_rate,
    parse_text,
    parse_time,
    plan_import,
)
from service.store import DEFAULT_ALLOWLIST, DEFAULT_LIST

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param(" https://Pay.Kaspi-KZ.top/card?x=1 ", "pay.kaspi-kz.top/card?x=1", id="url"),
    pytest.param("kaspi-kz.top", "kaspi-kz.top/", id="domain"),
])
def test_parse_entry(value: str, expected: str) -> None:
    assert parse_entry(value) == expected


@pytest.mark.parametrize("value", [
    pytest.param("", id="empty"), pytest.param("   ", id="blank"), pytest.param(None, id="none"),
    pytest.param(5, id="number"), pytest.param("a" * 2049, id="too-long"), pytest.param("javascript:x", id="opaque"),
])
def test_parse_entry_refuses(value: object) -> None:
    with pytest.raises(InvalidField) as caught:
        parse_entry(value, "--entry")
    assert caught.value.field == "--entry"


def test_field_parsers() -> None:
    assert parse_text("  why  ", "reason") == "why"
    assert parse_text(None, "note", required=False) == ""
    assert parse_list_name("", default="x") == "x" and parse_list_name("my.list-1") == "my.list-1"
    assert parse_category(None) is None and parse_category("scam") == "scam"
    assert parse_rate(None) is None and parse_rate("50/second") == "50/second"
    assert parse_time("2026-06-01", "since") == dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert parse_comment("  hi\x00 there ") == "hi there" and parse_comment("\x01") is None
    for call in (lambda: parse_text(" ", "reason"), lambda: parse_list_name("Bad Name"),
                 lambda: parse_category("Phishing"), lambda: parse_rate("fast"), lambda: parse_time("soon", "since"),
                 lambda: parse_comment("x" * 1001)):
        with pytest.raises(InvalidField):
            call()


def test_parse_addition_defaults_and_names_cli_fields() -> None:
    plain = parse_addition(entry="kaspi-kz.top", reason="kit", now=NOW)
    assert (plain.expression, plain.list_name, plain.category) == ("kaspi-kz.top/", DEFAULT_LIST, None)
    allow = parse_addition(entry="kaspi.kz", reason="official", category="allowlist", now=NOW)
    assert allow.list_name == DEFAULT_ALLOWLIST
    later = parse_addition(entry="x.kz", reason="r", expires_at="2026-06-02T00:00:00Z", now=NOW)
    assert later.expires_at == dt.datetime(2026, 6, 2, tzinfo=dt.UTC)
    with pytest.raises(InvalidField) as caught:
        parse_addition(entry="x.kz", reason="r", expires_at="2026-05-01", now=NOW,
                       fields={"expires_at": "--expires-at"})
    assert caught.value.field == "--expires-at" and "past" in caught.value.message


def test_plan_import_names_the_list_and_category() -> None:
    text = "# name: feed-one\n# category: scam\nbad-one.kz\nbad two\nbad-three.kz\n"
    plan = plan_import(text, known_lists=[])
    assert (plan.list_name, plan.category, plan.expressions) == ("feed-one", "scam", ("bad-one.kz/", "bad-three.kz/"))
    assert [p["line"] for p in plan.bad_lines()] == [4]
    assert plan_import(text, known_lists=["feed-one"]).category is None  # an existing list keeps its own
    assert plan_import("x.kz\n", known_lists=[]).category == "phishing"
    assert plan_import("# name: Not Valid\nx.kz\n", known_lists=[]).list_name == DEFAULT_LIST
    with pytest.raises(InvalidField) as caught:
        plan_import("x.kz\n", known_lists=[], fmt="nope")
    assert caught.value.field == "format"



# The API schema hands service.moderation's patterns to ECMA-262 readers (issue 11 part 9), so a space in
# either language's \s is no content, and a value is matched whole, a final newline included.
PYTHON_SPACES = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
ECMA_SPACES = "\t\n\v\f\r \xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


@pytest.mark.parametrize("space", sorted(set(PYTHON_SPACES + ECMA_SPACES)), ids=lambda c: f"U+{ord(c):04X}")
def test_a_space_in_python_or_ecma_is_no_content(space: str) -> None:
    assert not re.search(NOT_BLANK_PATTERN, space) and re.search(NOT_BLANK_PATTERN, f"{space}x{space}")
    assert not re.fullmatch(EVIDENCE_PATTERN, f"https://example.org/{space}")


@pytest.mark.parametrize("call", [
    lambda: parse_list_name("feed\n"), lambda: parse_category("scam\n"), lambda: parse_rate("5/second\n"),
    lambda: parse_evidence("https://example.org/\n"),
    lambda: parse_rate("\u0665/second"),  # an Arabic-Indic 5: a digit to Python's \d, none to ECMA's
], ids=["list", "category", "rate", "evidence", "rate-digit"])
def test_values_are_matched_whole(call: Callable[[], object]) -> None:
    with pytest.raises(InvalidField):
        call()
