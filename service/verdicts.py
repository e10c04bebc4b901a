"""The Verdict: what a check returns, and the values it is built from.

Scoring (`service.scoring`) produces reason codes and evidence only; `service.messages` renders each
reason's message in the requested language at the edge, and `Verdict.to_json()` is the one place that
builds the JSON the API, the CLI and the extension see::

    {"url": "http://kaspi-kz.top/pay", "canonical_url": "http://kaspi-kz.top/pay", "host": "kaspi-kz.top",
     "registrable_domain": "kaspi-kz.top", "verdict": "blocked", "score": 100,
     "reasons": [{"code": "list.phishing", "severity": "critical", "weight": 100, "message": "...",
                  "evidence": {"list": "abaila-kz-scam", "category": "phishing", "expression": "kaspi-kz.top/"}}],
     "signals": {"lists": [...]}, "complete": true, "pending": [], "checked_at": "...", "ttl": 300}
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = ["Level", "Severity", "Reason", "ListHit", "Ask", "PageContext", "Verdict", "display_rank"]


class Level(enum.StrEnum):
    BLOCKED = "blocked"  # on a blocklist: the extension redirects to its warning page
    DANGEROUS = "dangerous"  # strong evidence of fraud (e.g. brand look-alike asking for a card): stop payment
    SUSPICIOUS = "suspicious"  # several risk signals: warn before paying
    UNVERIFIED = "unverified"  # unknown and young or otherwise uncertain: caution, do not prepay
    TRUSTED = "trusted"  # on the allowlist (official bank, marketplace, government, verified merchant)
    NO_KNOWN_RISK = "no_known_risk"  # nothing known against it; never to be shown as "safe"


# From most to least severe; used to take the worst of several levels.


class Severity(enum.StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


# Display rank: which reason a person reads first (the extension shows the highest as its one sentence and
# the rest under "Why?"; docs/scoring.md "Display rank"). Higher first. 0 means true but telling a person
# nothing: a lookup that failed, or "this page asks for your card" on the page they are looking at. A code
# not named here ranks by its weight. Prefix entries ("list.") cover every code that starts with them.
_RANKS: dict[str, int] = {
    "list.": 100,  # a moderator or a feed named this site: the plainest reason there is
    "lookalike.homoglyph": 95,
    "lookalike.": 90,  # "looks like Kaspi.kz but is not": the official address goes on the button
    "lexical.userinfo": 80,
    "lexical.mixed_script": 80,
    "domain.unregistered": 70,
    "dns.private_address": 70,
    "dns.kz_hosted_abroad": 55,
    "domain.young": 50,
    "context.asks_card": 0,  # the person sees the card form themselves
    "context.asks_code": 0,
    "domain.lookup_failed": 0,
    "domain.registration_hidden": 0,
    "domain.age_unknown": 0,
    "dns.timeout": 0,
    "allowlist.official": 0,  # repeats the level word "Verified site"
    "brand.official": 0,
}


def display_rank(code: str, weight: int) -> int:
    """Returns the display rank of a reason (0-100, higher shown first; 0: only under "Why?")."""
    if code in _RANKS:
        return _RANKS[code]
    for prefix, rank in _RANKS.items():
        if prefix.endswith(".") and code.startswith(prefix):
            return rank
    return max(0, min(100, weight))


@dataclass(frozen=True, slots=True)
class Reason:
    """One contributing signal: a stable code, how bad it is, its weight in the score, and its evidence."""

    code: str
    severity: Severity
    weight: int
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self, message: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
        out = {"code": self.code, "severity": self.severity.value, "weight": self.weight,
               "rank": display_rank(self.code, self.weight), "message": message, "evidence": self.evidence}
        if labels:
            out["labels"] = labels  # list, category, source in the requested language (list reasons)
        return out


@dataclass(frozen=True, slots=True)
class ListHit:
    """A list entry that one of the URL's expressions matched."""

    expression: str
    list: str
    category: str
    source: str
    licence: str = ""

    def to_json(self) -> dict[str, str]:
        return {"expression": self.expression, "list": self.list, "category": self.category, "source": self.source,
                "licence": self.licence}


class Ask(enum.StrEnum):
    """What a page asks for (`PageContext.asks_for`): codes only, never the page's text or numbers.

    The payment form's fields (extension/lib/payment.js), then the payment moment read from the page
    (extension/lib/pagereader.js, issue 13), then app downloads (extension/lib/downloads.js).
    """

    CARD = "card"
    CVV = "cvv"
    EXPIRY = "expiry"
    SMS_CODE = "sms_code"
    OTP = "otp"
    IIN = "iin"
    PASSWORD = "password"
    PHONE = "phone"
    PREPAYMENT = "prepayment"
    TRANSFER_CARD = "transfer_card"
    TRANSFER_PHONE = "transfer_phone"
    TRANSFER_IBAN = "transfer_iban"
    PRIVATE_RECIPIENT = "private_recipient"
    PAY_MANAGER = "pay_manager"
    SEND_RECEIPT = "send_receipt"
    MESSENGER_ONLY = "messenger_only"
    REFUND_PATTERN = "refund_pattern"
    APP_DOWNLOAD = "app_download"


@dataclass(frozen=True, slots=True)
class PageContext:
    """What the page asks for, as the extension saw it (`{"payment_form": true, "asks_for": ["card"]}`).

    `asks_for` holds codes only; `page` booleans and counts only (PAGE_FIELDS), as sorted (name, value) pairs
    so the context stays hashable (it is part of the checker's cache key). Never page text, never a number.
    """

    payment_form: bool = False
    asks_for: tuple[str, ...] = ()
    page: tuple[tuple[str, int], ...] = ()

    ASKS: ClassVar[tuple[str, ...]] = tuple(Ask)

    # context.page: name -> "bool" or the largest count accepted.
    PAGE_FIELDS: ClassVar[dict[str, str | int]] = {
        "prepayment": "bool", "pay_manager": "bool", "send_receipt": "bool", "private_recipient": "bool",
        "messenger_order": "bool", "checkout": "bool", "pressure": "bool", "legal_form": "bool",
        "bin_valid": "bool", "public_offer": "bool", "returns_policy": "bool", "cash_on_delivery": "bool",
        "provider_checkout": "bool", "cards": 100, "phones": 100, "ibans": 100, "messenger_links": 1000,
    }

    def page_value(self, name: str) -> int:
        """Returns a page field's value (False / 0 when the extension did not send it)."""
        return dict(self.page).get(name, 0)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"payment_form": self.payment_form, "asks_for": list(self.asks_for)}
        if self.page:
            out["page"] = {k: (bool(v) if self.PAGE_FIELDS.get(k) == "bool" else v) for k, v in self.page}
        return out


@dataclass(frozen=True, slots=True)
class Verdict:
    url: str
    canonical_url: str
    host: str
    registrable_domain: str
    verdict: Level
    score: int
    reasons: tuple[Reason, ...]
    signals: dict[str, Any]
    complete: bool
    pending: tuple[str, ...]
    checked_at: str
    ttl: int
    messages: tuple[str, ...] = ()  # one per reason, in the requested language
    labels: tuple[dict[str, str], ...] = ()  # one per reason (empty dict: none), in the requested language
    advice: tuple[str, ...] = ()  # police guidance lines for the extension, in the requested language
    lang: str = "en"

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "host": self.host,
            "registrable_domain": self.registrable_domain,
            "verdict": self.verdict.value,
            "score": self.score,
            "reasons": [r.to_json(m, self.labels[i] if i < len(self.labels) else None)
                        for i, (r, m) in enumerate(zip(self.reasons, self.messages, strict=True))],
            "signals": self.signals,
            "complete": self.complete,
            "pending": list(self.pending),
            "checked_at": self.checked_at,
            "ttl": self.ttl,
            "lang": self.lang,
            "advice": list(self.advice),
        }
