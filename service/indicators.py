"""Payment indicators: the card, phone or IBAN a fraudster is paid to, written `card:…`, `phone:…`, `iban:…`.

A person writes an indicator in any human form; it has exactly one canonical form, which is what the store
keeps, what the index hashes and what `/v1/indicators/range/{5 hex}` answers with::

    canonical("card:5100 0000 0000 0008")      -> "card:5100000000000008"     (13-19 digits, Luhn-valid)
    canonical("phone:8 (747) 000-11-22")       -> "phone:+77470001122"        (E.164; Kazakh 8… is +7…)
    canonical("iban:kz86 125k zt50 0410 0100") -> "iban:KZ86125KZT5004100100" (upper case, checksum-valid)
    hash_hex("card:5100000000000008")          -> "2c4f…" (64 hex: SHA-256 of the canonical text)
    range_prefix(hash_hex(...))                -> "2C4F6" (the 5 hex digits the extension sends)

The rules come from well-kept libraries rather than our own tables: `phonenumbers` (Google's
libphonenumber metadata: which numbers exist, with Kazakhstan as the default region so a national
`8 7xx …` or `7xx …` number reads as +7) and `python-stdnum` (the Luhn check, and ISO 13616 IBANs with
each country's length and BBAN structure). The extension's twin, `extension/lib/indicators.js`, gives the
same canonical form for every valid indicator (tests/fixtures/indicators.tsv holds the shared vectors).

Pure: no I/O, no clock. An invalid indicator raises InvalidIndicator (a ValueError) whose message says what
is wrong, and whose `field` the API passes on.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import NewType

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn, numdb
from stdnum.exceptions import InvalidChecksum, ValidationError

from service.errors import InvalidIndicator

__all__ = [
    "CARD_DIGITS", "IndicatorHash", "InvalidIndicator", "Kind", "RANGE_DIGITS", "canonical", "hash_hex",
    "iban_length", "is_indicator", "kind_of", "mask", "range_prefix", "split_lines",
]

IndicatorHash = NewType("IndicatorHash", str)  # 64 lowercase hex digits: SHA-256 of a canonical indicator
RANGE_DIGITS = 5  # hex digits of a hash the range lookup takes (20 bits, as Have I Been Pwned's API)
CARD_DIGITS = (13, 19)  # ISO/IEC 7812 primary account numbers: 13 to 19 digits
MAX_TEXT = 200  # characters of a written indicator; anything longer is not a number someone typed
DEFAULT_REGION = "KZ"  # a phone number written without +country is read as Kazakh (8 7xx… or 7xx…)


class Kind(StrEnum):
    """What an indicator identifies; the value is its written prefix (without the colon)."""

    CARD = "card"  # a payment card number (PAN)
    PHONE = "phone"  # a phone number: transfers by number (Kaspi, Halyk), WhatsApp / Telegram orders
    IBAN = "iban"  # a bank account (ISO 13616)


_PREFIX = re.compile(r"^\s*(card|phone|iban)\s*:", re.IGNORECASE)
_CARD_SEPARATORS = re.compile(r"[\s\-.]")  # how people group card digits: 5100 0000…, 5100-0000…
_PHONE_TEXT = re.compile(r"^\+?[\d\s\-.()/]+$")  # digits, one leading +, and the usual grouping marks
_IBAN_SEPARATORS = re.compile(r"[\s\-.]")
_BBAN_PART = re.compile(r"(\d+)!?[nac]")  # an IBAN registry BBAN structure: 3!n13!c → 3 digits, 13 any


def is_indicator(text: str) -> bool:
    """Reports whether text is written as an indicator (`card:`, `phone:` or `iban:`), valid or not."""
    return bool(_PREFIX.match(text))


def kind_of(text: str) -> Kind:
    """Returns the kind an indicator is written as; raises InvalidIndicator when it has no known prefix."""
    match = _PREFIX.match(text)
    if match is None:
        raise InvalidIndicator(f"{_shown(text)} is not an indicator: write card:…, phone:… or iban:…")
    return Kind(match.group(1).lower())


def canonical(text: str) -> str:
    """Returns the canonical form of an indicator written in any human form; raises InvalidIndicator."""
    if len(text) > MAX_TEXT:
        raise InvalidIndicator(f"an indicator is at most {MAX_TEXT} characters, not {len(text)}")
    kind = kind_of(text)
    value = text[_PREFIX.match(text).end():].strip()  # type: ignore[union-attr]
    if not value:
        raise InvalidIndicator(f"{kind.value}: has no number after the colon")
    if kind is Kind.CARD:
        return "card:" + _card(value)
    if kind is Kind.PHONE:
        return "phone:" + _phone(value)
    return "iban:" + _iban_text(value)


def hash_hex(canonical_text: str) -> IndicatorHash:
    """Returns the SHA-256 hex digest of a canonical indicator's UTF-8 text (what the range lookup lists)."""
    assert is_indicator(canonical_text), "hash_hex takes a canonical indicator"
    return IndicatorHash(hashlib.sha256(canonical_text.encode("utf-8")).hexdigest())


def range_prefix(digest: str) -> str:
    """Returns the range a hash falls in: its first RANGE_DIGITS hex digits, upper case (as HIBP writes them)."""
    return digest[:RANGE_DIGITS].upper()


def mask(canonical_text: str) -> str:
    """Returns a canonical indicator with its middle hidden, for screens that need not show the full value.

    A card keeps its first 6 digits (the issuer, as PCI DSS allows) and last 4; a phone its country code,
    next 3 and last 2 digits; an IBAN its country, check digits and last 4.
    """
    kind, _, value = canonical_text.partition(":")
    if kind == "card":
        return f"card:{value[:6]}{'•' * (len(value) - 10)}{value[-4:]}"
    if kind == "phone":
        return f"phone:{value[:5]}{'•' * max(len(value) - 7, 0)}{value[-2:]}"
    return f"iban:{value[:4]}{'•' * max(len(value) - 8, 0)}{value[-4:]}"


# ---------------------------------------------------------------------------------------------------------
# One parser per kind; each returns the canonical value (after the colon) or raises InvalidIndicator.


def _card(value: str) -> str:
    digits = _CARD_SEPARATORS.sub("", value)
    if not digits.isdigit() or not digits.isascii():
        raise InvalidIndicator(f"card:{_shown(value)} must be digits (spaces and hyphens between them are fine)")
    low, high = CARD_DIGITS
    if not low <= len(digits) <= high:
        raise InvalidIndicator(f"card:{_shown(value)} has {len(digits)} digits; a card number has {low}-{high}")
    if not luhn.is_valid(digits):
        raise InvalidIndicator(f"card:{_shown(value)} fails the Luhn check digit: a digit is mistyped")
    return digits


def _phone(value: str) -> str:
    if not _PHONE_TEXT.match(value) or not value.isascii():
        raise InvalidIndicator(f"phone:{_shown(value)} must be a phone number: digits, + ( ) - and spaces")
    if value.startswith("00"):  # international prefix outside the former USSR (00 7 747…)
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIndicator(f"phone:{_shown(value)} is not a phone number ({exc._msg})") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIndicator(f"phone:{_shown(value)} is not a number in use in any country's numbering plan "
                               f"(a digit missing or extra?)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _iban_text(value: str) -> str:
    compact = _IBAN_SEPARATORS.sub("", value).upper()
    if not compact.isascii() or not compact.isalnum():
        raise InvalidIndicator(f"iban:{_shown(value)} must be letters and digits (spaces between them are fine)")
    # stdnum checks the check digits before the country's length; a person gains more from "wrong length".
    length = iban_length(compact[:2])
    if length is None:
        raise InvalidIndicator(f"iban:{_shown(value)} does not start with the code of a country that uses IBANs")
    if len(compact) != length:
        raise InvalidIndicator(f"iban:{_shown(value)} has {len(compact)} characters; an IBAN of {compact[:2]} "
                               f"has {length}")
    try:
        return str(_iban.validate(compact))
    except InvalidChecksum:
        raise InvalidIndicator(f"iban:{_shown(value)} fails the IBAN check digits: a character is mistyped") \
            from None
    except ValidationError:  # InvalidFormat, InvalidComponent, a country module's own rule
        raise InvalidIndicator(f"iban:{_shown(value)} is not laid out as an IBAN of {compact[:2]}") from None


def iban_length(country: str) -> int | None:
    """Returns the length of an IBAN of a country (ISO 3166 alpha-2), or None when it has no IBANs."""
    if len(country) != 2 or not country.isalpha():
        return None
    props = numdb.get("iban").info(country.upper() + "00")[0][1]
    if not props.get("bban"):
        return None
    return 4 + sum(int(n) for n in _BBAN_PART.findall(props["bban"]))


def _shown(value: str) -> str:
    """Returns value as an error message may quote it: at most 40 characters, control characters escaped."""
    short = value if len(value) <= 40 else value[:37] + "..."
    return short.encode("unicode_escape").decode("ascii") if not short.isprintable() else short


def split_lines(text: str) -> tuple[str, list[str], list[tuple[int, str, str]]]:
    """Returns (text with its indicator lines blanked, their canonical forms, problems as (line, text, message)).

    An import file may mix URLs and indicators; the URL reader then sees the same line numbers. A `#`
    starts a comment on an indicator line (`card:5100 0000 0000 0008  # report r12`).
    """
    rest: list[str] = []
    found: list[str] = []
    problems: list[tuple[int, str, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        value = line.partition("#")[0].strip()
        if not is_indicator(value):
            rest.append(line)
            continue
        rest.append("")
        try:
            found.append(canonical(value))
        except InvalidIndicator as exc:
            problems.append((number, line.strip()[:200], exc.message))
    return "\n".join(rest), list(dict.fromkeys(found)), problems
