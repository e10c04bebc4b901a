"""Settings to a ready checker: lists, protected brands, the store's entries, slow signals.

    settings ──Rebuilder──> Index (list files, snapshot) ──LiveUpdater──> + moderators' entries (store)
             ──load_brands─> Brands         ──SlowSignals──> domain age, DNS (unless offline)
                                         └──> Checker

While the server runs, the Rebuilder watches the list files; a change is built in a child process and
swapped into the checker with the store's entries laid over it (service.rebuild, LiveUpdater.adopt).

Both the server (`service.app` lifespan) and the one-shot CLI (`abaila check`) open one, so a URL gets
the same verdict through either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from service.brands import Brands, default_brands, load_brands
from service.checker import Checker
from service.feedsync import FeedSyncer, inspect_body
from service.live import LiveUpdater
from service.lookups import LookupConfig, SlowSignals
from service.rebuild import Rebuilder, keep_large_blocks_mapped
from service.redirects import RedirectFollower, dns_resolver
from service.scoring import Facts, score
from service.settings import Settings
from service.snapshots import LoadedIndex, Source, list_sources
from service.store import Store
from service.urls import parse

__all__ = ["Engine", "open_engine"]

log = logging.getLogger("abaila.engine")


@dataclass
class Engine:
    checker: Checker
    rebuilder: Rebuilder
    store: Store
    live: LiveUpdater
    slow: SlowSignals | None
    redirects: RedirectFollower | None = None
    feeds: FeedSyncer | None = None

    @property
    def loaded(self) -> LoadedIndex:
        """The index now in use, with its load stats (replaced at each rebuild)."""
        assert self.rebuilder.loaded is not None
        return self.rebuilder.loaded

    async def close(self) -> None:
        if self.feeds is not None:
            await self.feeds.close()
        await self.rebuilder.close()
        await self.live.close()
        await self.store.close()
        if self.slow is not None:
            await self.slow.close()
        if self.redirects is not None:
            await self.redirects.close()


def brands_for(settings: Settings) -> Brands:
    """Returns the protected brands: `brands.toml` in the lists directory, else the bundled file.

    A deployment with its own lists directory but no brands file still gets look-alike detection for the
    bundled brands; to protect none, put an empty brands.toml there.
    """
    path = settings.lists_dir / "brands.toml"
    return load_brands(path) if path.is_file() else default_brands()


def _warm_scoring(brands: Brands) -> None:
    # The first scored URL loads the Unicode confusables and builds the look-alike tables (~50 ms); do it
    # at start-up so no user's check pays for it.
    score(Facts(url=parse("http://warm-up.example.com/"), registrable_domain="example.com", brands=brands))


async def open_engine(settings: Settings, *, offline: bool = False, follow: bool = True) -> Engine:
    """Returns a started engine; `follow=False` applies the store once without polling for changes."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    keep_large_blocks_mapped()  # before the first large buffer: see service.rebuild

    async def install(new: LoadedIndex) -> None:
        await live.adopt(new.index, checker.swap_index)
        await checker.cleared()  # the old index is unreachable once this returns; then the heap is trimmed

    store = await Store.open(settings.database_url, clock=settings.clock)
    feeds: FeedSyncer | None = None

    def sources() -> list[Source]:
        return list_sources(settings.lists_dir) + (feeds.sources() if feeds is not None else [])

    rebuilder = Rebuilder(settings.var_dir, sources, install)
    if settings.feeds:
        # Feed bodies are judged (parsed) in the rebuilder's child process too, for the same memory reason.
        feeds = FeedSyncer(settings.feeds, store, settings.var_dir, on_change=rebuilder.refresh,
                           inspect=lambda source: rebuilder.run(inspect_body, source))
        try:
            await feeds.apply(notify=False)  # what the store has (another instance fetched it) counts from the start
        except Exception as exc:  # a store outage at start-up: the local copies serve; the loop retries
            log.warning("feeds: cannot read the store: %s", exc)
    loaded = await rebuilder.load()
    log.info("lists loaded: %d entries from %s (%s, %.2fs)", len(loaded.index), settings.lists_dir,
             "snapshot" if loaded.from_snapshot else "built", loaded.seconds)
    brands = await asyncio.to_thread(brands_for, settings)
    await asyncio.to_thread(_warm_scoring, brands)
    config = settings.lookups
    slow = None if offline else SlowSignals(config)
    redirects = None if offline else _redirect_follower(settings, config)
    checker = Checker(loaded.index, slow=slow, brands=brands, deadline_ms=settings.check_deadline_ms,
                      verdict_ttl=settings.verdict_ttl, redirects=redirects)
    live = LiveUpdater(store, lambda: checker.index, redis_url=settings.redis_url if follow else None,
                       clock=settings.clock)
    try:
        if slow is not None:
            await slow.start()
        await live.start()
        if follow:
            rebuilder.watch()
            if feeds is not None:
                feeds.start()
        else:
            await live.close()
    except BaseException:
        with contextlib.suppress(Exception):
            if feeds is not None:
                await feeds.close()
            await rebuilder.close()
            await store.close()
        raise
    return Engine(checker, rebuilder, store, live, slow, redirects, feeds)


def _redirect_follower(settings: Settings, config: LookupConfig) -> RedirectFollower:
    """Returns the shortener follower: the lookups' DNS servers; ABAILA_REDIRECT_ALLOW_NETWORKS exempts
    networks from the public-address rule (for tests; empty by default)."""
    return RedirectFollower(dns_resolver(config.dns_servers), allowed_networks=settings.redirect_allow_networks)
