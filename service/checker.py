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

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache

from service import messages
from service.brands import Brands, default_brands
from service.errors import InvalidURL
from service.index import Hit, Index
from service.lists import Category
from service.lookups import SlowResult, SlowSignals
from service.platforms import place
from service.redirects import Chain, ChainOutcome, RedirectFollower
from service.scoring import Facts, score
from service.signals.slow import slow_findings
from service.urls import CanonicalURL, registrable_domain, validate_for_api
from service.verdicts import ListHit, PageContext, Reason, Severity, Verdict

__all__ = ["Checker"]


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _list_hit(hit: Hit) -> ListHit:
    return ListHit(hit.expression, hit.list.name, hit.list.category, hit.list.source, hit.list.licence)


_CacheKey = tuple[str, str, "PageContext | None", bool]


def render_json(verdict: Verdict) -> bytes:
    """Returns the compact UTF-8 JSON of a verdict, as the API sends it."""
    return json.dumps(verdict.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Remembered:
    """One remembered verdict: the index it was judged on (object and generation) and, once the API has
    answered with it, its rendered JSON bytes."""

    __slots__ = ("body", "generation", "index", "key_bytes", "verdict")
    _OVERHEAD = 2048  # bytes: a Verdict with its reasons and signals, as objects (measured with tracemalloc)

    def __init__(self, key: _CacheKey, index: Index, generation: int, verdict: Verdict) -> None:
        self.key_bytes = len(key[0]) + 64  # the URL text dominates the key; lang, context and flag are small
        self.index = index
        self.generation = generation
        self.verdict = verdict
        self.body: bytes | None = None

    def size(self) -> int:
        """Returns the bytes this entry is counted as in the cache."""
        return self.key_bytes + self._OVERHEAD + (len(self.body) if self.body is not None else 0)


class Checker:
    """Checks URLs against the current index and, unless offline, the slow signals.

    Complete verdicts are remembered for `VERDICT_CACHE_SECONDS` in one cache this object owns (cachetools'
    TTLCache on the injected `monotonic` clock), bounded by bytes: a key holds URL text an attacker chooses,
    so counting entries alone would not bound memory. A bank or an extension asks about the same URL many
    times, and scoring costs far more than a lookup. An entry is used only while the index is the same object
    at the same generation, so a moderator's change is never hidden by it; the API's rendered JSON bytes of a
    verdict are kept beside it (`cached_json`), so a repeated answer is not serialized again.
    """

    VERDICT_CACHE_BYTES = 32 * 1024 * 1024  # bytes of keys, verdicts and rendered bodies (estimated)
    VERDICT_CACHE_SECONDS = 60.0  # seconds; slow-signal facts have their own, longer cache below it

    def __init__(self, index: Index, *, slow: SlowSignals | None = None, brands: Brands | None = None,
                 deadline_ms: int = 1500, verdict_ttl: int = 300, clock: Callable[[], str] = _utc_now,
                 monotonic: Callable[[], float] = time.monotonic, redirects: RedirectFollower | None = None) -> None:
        self.index = index  # swapped in one assignment when lists are rebuilt (service.rebuild)
        self.slow = slow
        self.redirects = redirects  # follows known shorteners to judge where they lead; None = not followed
        self.brands = brands if brands is not None else default_brands()  # read once, here
        self.deadline_ms = deadline_ms
        self.verdict_ttl = verdict_ttl
        self._clock = clock
        self._monotonic = monotonic
        self._verdicts = self._new_verdict_cache()
        self._clearing: asyncio.Future[None] | None = None  # swap_index's emptying of the old cache

    def _new_verdict_cache(self) -> TTLCache[_CacheKey, _Remembered]:
        return TTLCache(maxsize=self.VERDICT_CACHE_BYTES, ttl=self.VERDICT_CACHE_SECONDS, timer=self._monotonic,
                        getsizeof=_Remembered.size)

    def swap_index(self, index: Index) -> None:
        """Puts a rebuilt index in force (one assignment) and drops the verdicts of the old one, which could
        never be answered again and would keep the old index alive until they expired.

        The old cache is replaced, and emptied in a worker thread: clearing a full one (tens of thousands
        of verdicts) one entry at a time took ~100 ms, which the event loop would spend not answering.
        """
        self.index = index
        old, self._verdicts = self._verdicts, self._new_verdict_cache()
        try:
            self._clearing = asyncio.get_running_loop().run_in_executor(None, old.clear)
        except RuntimeError:  # no event loop (a script or a sync test): nobody waits on it
            old.clear()

    async def cleared(self) -> None:
        """Returns once the verdicts of the last swapped-out index are dropped (and with them the index)."""
        if self._clearing is not None:
            await self._clearing

    def cached(self, url: str, *, lang: str = messages.DEFAULT_LANG, context: PageContext | None = None,
               offline: bool = False) -> Verdict | None:
        """Returns the remembered verdict for exactly this URL text and options, or None.

        A URL only gets remembered after it passed validation and was checked, so a hit needs neither again.
        """
        entry = self._cached((url, lang, context, offline))
        return entry.verdict if entry is not None else None

    def cached_json(self, url: str, *, lang: str = messages.DEFAULT_LANG,
                    context: PageContext | None = None) -> tuple[Verdict, bytes] | None:
        """Returns the remembered verdict and its compact JSON bytes (rendered on first use, then kept)."""
        key = (url, lang, context, False)
        entry = self._cached(key)
        if entry is None:
            return None
        if entry.body is None:
            entry.body = render_json(entry.verdict)
            with contextlib.suppress(ValueError):  # re-stored so the cache counts the body's bytes
                self._verdicts[key] = entry
        return entry.verdict, entry.body

    def _cached(self, key: _CacheKey) -> _Remembered | None:
        entry = self._verdicts.get(key)
        if entry is None:
            return None
        if entry.index is not self.index or entry.generation != entry.index.generation:
            self._verdicts.pop(key, None)
            return None
        return entry

    def _remember(self, key: _CacheKey, index: Index, generation: int, verdict: Verdict) -> None:
        if not verdict.complete:
            return  # a pending signal will finish in the background; ask again next time
        if index is not self.index:
            return  # judged on an index swapped out meanwhile: never answered again, and it would pin that index
        # Filed under the index (and generation) the verdict was computed from, not the current one: a swap
        # or a change while the slow signals ran must not make an old-lists verdict look current.
        with contextlib.suppress(ValueError):  # an entry larger than the whole cache is not remembered
            self._verdicts[key] = _Remembered(key, index, generation, verdict)

    async def check(self, parsed: CanonicalURL, *, url: str, lang: str = messages.DEFAULT_LANG,
                    context: PageContext | None = None, offline: bool = False) -> Verdict:
        """Returns the verdict for a parsed URL (the original text is echoed back as `url`)."""
        key = (url, lang, context, offline)
        cached = self._cached(key)
        if cached is not None:
            return cached.verdict
        index = self.index  # one index for the whole check, even if a swap happens while it awaits
        generation = index.generation
        verdict = await self._check(index, parsed, url=url, lang=lang, context=context, offline=offline)
        self._remember(key, index, generation, verdict)
        return verdict

    async def _check(self, index: Index, parsed: CanonicalURL, *, url: str, lang: str,
                     context: PageContext | None, offline: bool, follow: bool = True,
                     extra: tuple[Reason, ...] = ()) -> Verdict:
        domain = registrable_domain(parsed.host)
        placement = place(parsed)
        hits = index.match_url(parsed)
        list_hits = tuple(_list_hit(h) for h in hits if h.list.category != Category.ALLOWLIST)
        allow_hits = tuple(_list_hit(h) for h in hits if h.list.category == Category.ALLOWLIST)
        chain: Chain | None = None
        # A short link on no list is judged by where it leads; a listed one is judged as listed.
        if (follow and not offline and self.redirects is not None and not list_hits and not allow_hits
                and self.redirects.applies(parsed.host)):
            chain = await self.redirects.follow(_followable(url))
            final = _final_of(chain)
            if final is not None:
                followed = Reason("redirect.followed", Severity.INFO, 0,
                                  {"domain": domain, "final": final.host, "hops": len(chain.hops) - 1})
                verdict = await self._check(index, final, url=chain.final, lang=lang, context=context, offline=offline,
                                            follow=False, extra=(followed,))
                return dataclasses.replace(verdict, url=url, signals={**verdict.signals, "redirects": chain.to_json()})
            if chain.outcome is not ChainOutcome.FOLLOWED:
                extra = extra + (_unfollowed_reason(chain),)
        # A popular site counts for its own host (or www. of it), never for a subdomain: anyone can publish
        # under blogspot.com or a compromised host's sibling.
        popular = () if list_hits or allow_hits or index.popular is None else tuple(
            _list_hit(h) for h in index.popular.match([parsed.host + "/"] + (
                [parsed.host[4:] + "/"] if parsed.host.startswith("www.") else [])))
        slow: SlowResult | None = None
        # Lists decide first: a listed or allowlisted site needs no slow lookups to be judged.
        # An identity on a platform is not its host: the platform's domain age and DNS say nothing about it.
        is_identity = placement is not None and placement.identity is not None
        if not offline and self.slow is not None and not list_hits and not allow_hits and not is_identity:
            slow = await self.slow.collect(parsed.host, domain, deadline_s=self.deadline_ms / 1000)
        facts = Facts(
            url=parsed, registrable_domain=domain, list_hits=list_hits, allow_hits=allow_hits, context=context,
            offline=offline, raw_url=url, brands=self.brands,
            slow_findings=tuple(slow_findings(slow.facts)) if slow else (), slow_reasons=extra,
            pending=slow.pending if slow else (),
            placement=placement, popular=popular,
        )
        verdict = self.render(parsed, url, facts, lang=lang, slow=slow)
        if chain is not None:
            verdict = dataclasses.replace(verdict, signals={**verdict.signals, "redirects": chain.to_json()})
        return verdict

    def render(self, parsed: CanonicalURL, url: str, facts: Facts, *, lang: str,
               slow: SlowResult | None = None) -> Verdict:
        """Returns the Verdict for facts: scored, with messages and advice in lang."""
        assessment = score(facts)
        signals: dict[str, Any] = {"lists": [h.to_json() for h in facts.list_hits + facts.allow_hits]}
        if slow is not None:
            signals.update(slow.signals)
        if facts.context is not None:
            signals["context"] = facts.context.to_json()
        if facts.placement is not None and facts.placement.identity is not None:
            signals["identity"] = facts.placement.identity.to_json()
        return Verdict(
            url=url,
            canonical_url=str(parsed),
            host=parsed.host,
            registrable_domain=facts.registrable_domain,
            verdict=assessment.level,
            score=assessment.score,
            reasons=assessment.reasons,
            messages=tuple(messages.render(r.code, lang, r.evidence) for r in assessment.reasons),
            labels=tuple(messages.labels(r.code, lang, r.evidence) for r in assessment.reasons),
            advice=tuple(messages.advice(assessment.level.value, lang, assessment.reasons)),
            signals=signals,
            complete=not facts.pending,
            pending=facts.pending,
            checked_at=self._clock(),
            # A verdict with a signal still pending is worth asking again soon: the lookup finishes meanwhile.
            ttl=self.verdict_ttl if not facts.pending else min(self.verdict_ttl, 30),
            lang=lang,
        )


def _followable(url: str) -> str:
    """Returns the link as the follower requests it: the text as given (its port kept), with a scheme."""
    text = url.strip()
    return text if "://" in text[:10] else "http://" + text


def _final_of(chain: Chain) -> CanonicalURL | None:
    """Returns the parsed destination of a finished chain that went somewhere, else None."""
    if chain.outcome is not ChainOutcome.FOLLOWED or len(chain.hops) < 2:
        return None
    try:
        return validate_for_api(chain.final)
    except InvalidURL:
        return None


def _unfollowed_reason(chain: Chain) -> Reason:
    """Returns why a short link's destination is unknown: a hop into a private network is itself a warning."""
    if chain.outcome is ChainOutcome.REFUSED:
        return Reason("redirect.private_address", Severity.HIGH, 35, {"address": chain.refused_address or ""})
    return Reason("redirect.unresolved", Severity.INFO, 0, {"outcome": chain.outcome.value})
