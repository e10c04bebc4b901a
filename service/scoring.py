"""Signals to a verdict: a pure function with explicit weights.

Input is a `Facts` value (everything known about one URL); output is an `Assessment` (level, 0-100 risk
score, one `Reason` per contributing signal). No I/O, no clock. Example::

    Facts(url=parse("http://kaspi-kz.top/"), list_hits=(ListHit("kaspi-kz.top/", "abaila-kz-scam",
          "phishing", "..."),), ...)  ->  Assessment(Level.BLOCKED, 100, (Reason("list.phishing", ...),))

At this stage verdicts come from lists only: a blocklist hit is `blocked`, an allowlist hit is `trusted`,
anything else is `no_known_risk`. Lexical, look-alike, domain-age and DNS signals plug in here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.urls import CanonicalURL
from service.verdicts import Level, ListHit, PageContext, Reason, Severity

__all__ = ["Facts", "Assessment", "score"]


@dataclass(frozen=True, slots=True)
class Facts:
    url: CanonicalURL
    registrable_domain: str
    list_hits: tuple[ListHit, ...] = ()
    allow_hits: tuple[ListHit, ...] = ()
    slow: dict[str, Any] = field(default_factory=dict)  # results of slow lookups by name ("domain_age", "dns")
    context: PageContext | None = None
    offline: bool = False


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level
    score: int
    reasons: tuple[Reason, ...]


def score(facts: Facts) -> Assessment:
    """Returns the verdict level, risk score and reasons for facts."""
    if facts.list_hits:
        reasons = tuple(
            Reason(f"list.{hit.category}", Severity.CRITICAL, 100,
                   {"list": hit.list, "category": hit.category, "expression": hit.expression, "source": hit.source})
            for hit in _unique_by_list(facts.list_hits)
        )
        return Assessment(Level.BLOCKED, 100, reasons)
    if facts.allow_hits:
        hit = facts.allow_hits[0]
        return Assessment(Level.TRUSTED, 0, (Reason("allowlist.official", Severity.INFO, 0,
                                                     {"list": hit.list, "expression": hit.expression}),))
    return Assessment(Level.NO_KNOWN_RISK, 0, ())


def _unique_by_list(hits: tuple[ListHit, ...]) -> list[ListHit]:
    seen: dict[str, ListHit] = {}
    for hit in hits:
        seen.setdefault(hit.list, hit)
    return list(seen.values())
