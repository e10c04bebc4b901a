"""What a pasted message points at: its links and the payment details (cards, phones, IBANs) it names.

A person pastes a whole SMS, WhatsApp message or seller's post; only what is extracted here is checked,
and the text itself goes no further::

    found = extract("Kaspi: карта заблокирована, kaspi-kz.top/unblock или звоните +7 (747) 000-11-22")
    found.links       -> ("http://kaspi-kz.top/unblock",)
    found.indicators  -> ("phone:+77470001122",)

Links are taken with or without a scheme (`bit.ly/x`, `www.shop.kz`); a bare name counts only when its
last label is a top-level domain the Public Suffix List knows, so "т.е." or "file.txt" is not a link.
A name after "@" is an e-mail address, not a link. Trailing punctuation of the sentence is not part of the
link. Phone numbers are found by `phonenumbers` (libphonenumber's matcher, Kazakhstan as the default
region); card numbers must pass the Luhn check and IBANs their checksum (service.indicators decides).

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from service import indicators
from service.errors import InvalidField

__all__ = ["Extracted", "MAX_LINKS", "MAX_TEXT", "extract"]

MAX_TEXT = 10_000  # characters of a pasted message: a long post fits, a book does not
MAX_LINKS = 20  # links judged per message; a message with more is a list, not a message
MAX_INDICATORS = 20  # cards, phones and IBANs per message, for the same reason

# A link with a scheme runs to the next space or quote; a bare one must look like a host name.
_SCHEMED = re.compile(r"(?i)\bhttps?://[^\s<>\"'«»`]+")
_BARE = re.compile(
    r"(?i)(?<![@\w.\-/:])((?:[a-z0-9\u00a1-\uffff][a-z0-9\u00a1-\uffff\-]{0,62}\.)+"
    r"[a-z\u00a1-\uffff][a-z0-9\u00a1-\uffff\-]{1,62})(:\d{1,5})?(/[^\s<>\"'«»`]*)?(?![\w@])")
_TRAILING = ".,;:!?…'\"»)]}*"
_CARD = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d\-])")
_IBAN = re.compile(r"(?i)\b[a-z]{2}\d{2}(?: ?[a-z0-9]){11,30}\b")


@dataclass(frozen=True, slots=True)
class Extracted:
    """The links (as URLs to check) and canonical indicators in one text, each once, in order of appearance."""

    links: tuple[str, ...]
    indicators: tuple[str, ...]


def _is_known_tld(label: str) -> bool:
    label = label.lower()
    try:
        ascii_label = label.encode("idna").decode("ascii") if not label.isascii() else label
    except UnicodeError:
        return False
    from service.urls import _psl

    # publicsuffix() of a lone TLD is the TLD itself only when a rule names it; unknown ones fall to "*".
    return _psl().publicsuffix("x." + ascii_label, accept_unknown=False) is not None


def _trim(link: str) -> str:
    """Returns the link without the sentence's punctuation after it (a ")" only when unbalanced)."""
    while link and link[-1] in _TRAILING:
        if link[-1] == ")" and link.count("(") >= link.count(")"):
            break
        link = link[:-1]
    return link


def _links(text: str) -> list[str]:
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _SCHEMED.finditer(text):
        link = _trim(match.group(0))
        if "." in link.split("//", 1)[1].split("/", 1)[0]:
            found.append(link)
            spans.append((match.start(), match.start() + len(link)))
    for match in _BARE.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        host = match.group(1)
        if not _is_known_tld(host.rsplit(".", 1)[-1]):
            continue
        found.append("http://" + _trim(match.group(0)))
    ordered = sorted(zip(found, [text.find(link.removeprefix("http://")) for link in found], strict=True),
                     key=lambda pair: pair[1])
    return list(dict.fromkeys(link for link, _ in ordered))


def _indicators(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    masked = text
    for pattern, kind in ((_IBAN, "iban"), (_CARD, "card")):
        for match in pattern.finditer(masked):
            try:
                found.append((match.start(), indicators.canonical(f"{kind}:{match.group(0)}")))
            except ValueError:
                continue
            # Hide it from the later finders: a card's digits are not a phone number too.
            masked = masked[:match.start()] + " " * (match.end() - match.start()) + masked[match.end():]
    for number in phonenumbers.PhoneNumberMatcher(masked, indicators.DEFAULT_REGION):
        try:
            found.append((number.start, indicators.canonical(f"phone:{number.raw_string}")))
        except ValueError:
            continue
    return list(dict.fromkeys(value for _, value in sorted(found)))


def extract(text: str) -> Extracted:
    """Returns the links and indicators in text; raises InvalidField (field `text`) for a text too long."""
    if len(text) > MAX_TEXT:
        raise InvalidField(f"text is longer than {MAX_TEXT} characters", field="text")
    return Extracted(links=tuple(_links(text)[:MAX_LINKS]), indicators=tuple(_indicators(text)[:MAX_INDICATORS]))
