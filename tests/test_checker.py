"""service.checker: the cascade, and the verdict cache that must never hide a change."""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path

from service.checker import Checker
from service.index import IndexBuilder, ListInfo
from service.lookups import LookupConfig, SlowResult, SlowSignals
from service.urls import parse
from service.verdicts import Level, PageContext

SCAM = ListInfo("scam", "phishing", "tests")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _checker(tmp_path: Path, **kwargs) -> Checker:  # type: ignore[no-untyped-def]
    builder = IndexBuilder()
    builder.add("kaspi-kz.top/", builder.add_list(SCAM))
    return Checker(builder.build(tmp_path / "i.snap"), **kwargs)


async def test_repeated_check_is_remembered_and_expires(tmp_path: Path) -> None:
    clock = FakeClock()
    checker = _checker(tmp_path, monotonic=clock)
    url = "https://shop.example.kz/pay"
    first = await checker.check(parse(url), url=url, offline=True)
    assert checker.cached(url, offline=True) is first
    assert await checker.check(parse(url), url=url, offline=True) is first
    assert checker.cached(url, lang="ru", offline=True) is None  # another language is another answer
    assert checker.cached(url, offline=True, context=PageContext(True, ("card",))) is None
    clock.now += Checker.VERDICT_CACHE_SECONDS + 1
    assert checker.cached(url, offline=True) is None


async def test_a_moderator_change_is_never_hidden_by_the_cache(tmp_path: Path) -> None:
    checker = _checker(tmp_path)
    url = "https://fresh-scam.top/pay"
    before = await checker.check(parse(url), url=url, offline=True)
    assert before.verdict != Level.BLOCKED
    checker.index.add("fresh-scam.top/", SCAM)
    assert checker.cached(url, offline=True) is None
    after = await checker.check(parse(url), url=url, offline=True)
    assert after.verdict == Level.BLOCKED
    checker.index.remove("fresh-scam.top/", "scam")
    assert (await checker.check(parse(url), url=url, offline=True)).verdict != Level.BLOCKED


async def test_swapped_index_is_not_answered_from_the_old_one(tmp_path: Path) -> None:
    checker = _checker(tmp_path)
    url = "https://kaspi-kz.top/"
    assert (await checker.check(parse(url), url=url, offline=True)).verdict == Level.BLOCKED
    checker.index = IndexBuilder().build(tmp_path / "empty.snap")
    assert checker.cached(url, offline=True) is None
    assert (await checker.check(parse(url), url=url, offline=True)).verdict != Level.BLOCKED


class HeldSlowSignals:
    """Slow signals that answer (complete, with nothing found) only once released: a check that spans a swap."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.release = asyncio.Event()

    async def collect(self, host: str, registrable_domain: str, *, deadline_s: float) -> SlowResult:
        self.asked.set()
        await self.release.wait()
        return SlowResult({}, {}, ())


async def test_a_check_that_spans_a_swap_is_not_remembered_and_frees_the_old_index(tmp_path: Path) -> None:
    slow = HeldSlowSignals()
    checker = _checker(tmp_path, slow=slow)
    url = "https://unknown-shop.kz/"
    old = weakref.ref(checker.index)
    in_flight = asyncio.create_task(checker.check(parse(url), url=url))
    await slow.asked.wait()
    checker.swap_index(IndexBuilder().build(tmp_path / "new.snap"))
    slow.release.set()
    assert (await in_flight).complete
    assert old() is None  # nothing (a verdict remembered under it, a cycle awaiting the collector) keeps it
    assert checker.cached(url) is None  # judged on the old lists: never answered after the swap


async def test_a_verdict_with_pending_signals_is_not_remembered(tmp_path: Path) -> None:
    # DNS to a port nothing answers and no RDAP/WHOIS servers: the lookups cannot finish in 100 ms.
    config = LookupConfig(dns_servers=(("127.0.0.1", 9),), whois_servers={"kz": ("127.0.0.1", 9)})
    slow = SlowSignals(config)
    await slow.start()
    try:
        checker = _checker(tmp_path, slow=slow, deadline_ms=100)
        url = "https://unknown-shop.kz/"
        verdict = await checker.check(parse(url), url=url)
        assert not verdict.complete and verdict.pending and verdict.ttl <= 30
        assert checker.cached(url) is None
    finally:
        await slow.close()
