"""One URL to one Verdict: the check cascade.

    url ──canonicalize──> expressions ──index──> list hits / allowlist hits
                                          │
                                          └─(not offline)─> slow signals (domain age, DNS) under the deadline
                                                             what misses it goes to `pending`, finishes in
                                                             the background for the next check
                          facts ──score (pure)──> level, score, reasons ──messages(lang)──> Verdict

The checker owns no policy: matching is `service.index`, weighing is `service.scoring`, wording is
`service.messages`, and slow lookups (with their cache and coalescing) are `service.lookups`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from service import messages
from service.index import Hit, Index
from service.scoring import Facts, score
from service.urls import CanonicalURL, registrable_domain
from service.verdicts import ListHit, PageContext, Verdict

__all__ = ["Checker", "SlowSignalsProtocol"]

log = logging.getLogger("abaila.checker")


class SlowSignalsProtocol:
    """What the checker needs from the slow signals (implemented by service.lookups.SlowSignals)."""

    async def collect(self, host: str, registrable_domain: str, *, deadline_s: float) -> Any:  # pragma: no cover
        raise NotImplementedError


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _list_hit(hit: Hit) -> ListHit:
    return ListHit(hit.expression, hit.list.name, hit.list.category, hit.list.source)


class Checker:
    """Checks URLs against the current index and, unless offline, the slow signals."""

    def __init__(self, index: Index, *, slow: SlowSignalsProtocol | None = None, deadline_ms: int = 1500,
                 verdict_ttl: int = 300, extra_facts: Callable[[CanonicalURL, str], dict[str, Any]] | None = None,
                 clock: Callable[[], str] = _utc_now) -> None:
        self.index = index  # swapped in one assignment when lists are rebuilt
        self.slow = slow
        self.deadline_ms = deadline_ms
        self.verdict_ttl = verdict_ttl
        self._extra_facts = extra_facts
        self._clock = clock

    def facts_for(self, parsed: CanonicalURL, *, context: PageContext | None = None, offline: bool = False,
                  slow: Any = None) -> Facts:
        """Returns the facts scoring needs for an already parsed URL."""
        hits = self.index.match_url(parsed)
        list_hits = tuple(_list_hit(h) for h in hits if h.list.category != "allowlist")
        allow_hits = tuple(_list_hit(h) for h in hits if h.list.category == "allowlist")
        domain = registrable_domain(parsed.host)
        extra: dict[str, Any] = {}
        if slow is not None:
            extra = _slow_fact_fields(slow)
        return _make_facts(url=parsed, registrable_domain=domain, list_hits=list_hits, allow_hits=allow_hits,
                           context=context, offline=offline, **extra)

    async def check(self, parsed: CanonicalURL, *, url: str, lang: str = messages.DEFAULT_LANG,
                    context: PageContext | None = None, offline: bool = False) -> Verdict:
        """Returns the verdict for a parsed URL (the original text is echoed back as `url`)."""
        domain = registrable_domain(parsed.host)
        slow_result = None
        facts = self.facts_for(parsed, context=context, offline=True)
        # Lists decide first: a listed or allowlisted site needs no slow lookups to be judged.
        if not offline and self.slow is not None and not facts.list_hits and not facts.allow_hits:
            slow_result = await self.slow.collect(parsed.host, domain, deadline_s=self.deadline_ms / 1000)
            facts = self.facts_for(parsed, context=context, offline=False, slow=slow_result)
        return self.render(parsed, url, facts, lang=lang, slow=slow_result)

    def render(self, parsed: CanonicalURL, url: str, facts: Facts, *, lang: str, slow: Any = None) -> Verdict:
        assessment = score(facts)
        signals: dict[str, Any] = {"lists": [h.to_json() for h in facts.list_hits + facts.allow_hits]}
        pending: tuple[str, ...] = ()
        if slow is not None:
            signals.update(getattr(slow, "signals", {}) or {})
            pending = tuple(getattr(slow, "pending", ()) or ())
        if facts.context is not None:
            signals["context"] = facts.context.to_json()
        return Verdict(
            url=url,
            canonical_url=str(parsed),
            host=parsed.host,
            registrable_domain=facts.registrable_domain,
            verdict=assessment.level,
            score=assessment.score,
            reasons=assessment.reasons,
            messages=tuple(messages.render(r.code, lang, r.evidence) for r in assessment.reasons),
            advice=tuple(messages.advice(assessment.level.value, lang)),
            signals=signals,
            complete=not pending,
            pending=pending,
            checked_at=self._clock(),
            ttl=self.verdict_ttl if not pending else min(self.verdict_ttl, 30),
            lang=lang,
        )


def _slow_fact_fields(slow: Any) -> dict[str, Any]:
    """Returns the Facts fields that carry slow-signal results, for whichever fields scoring defines."""
    fields: dict[str, Any] = {}
    names = getattr(Facts, "__dataclass_fields__", {})
    if "slow" in names:
        fields["slow"] = dict(getattr(slow, "facts", {}) or {})
    if "slow_reasons" in names:
        try:
            from service.lookups import reasons_from

            fields["slow_reasons"] = tuple(reasons_from(getattr(slow, "facts", {}) or {}))
        except ImportError:  # pragma: no cover - the signals module is optional at this stage
            fields["slow_reasons"] = ()
    return fields


def _make_facts(**kwargs: Any) -> Facts:
    names = Facts.__dataclass_fields__
    return Facts(**{k: v for k, v in kwargs.items() if k in names})
