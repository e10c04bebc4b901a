"""Moderators' changes to every running instance's index, within POLL_SECONDS (Redis: at once).

    store.changes (id = version) ──poll every POLL_SECONDS, or a Redis message──> Index.add / Index.remove

At start-up the updater lays every entry in force over the bundled-lists snapshot (`start`), remembering
the store's version read in the same transaction; then it applies each later change in order. When the
index is rebuilt (service.rebuild), `adopt` lays them over the new one before it is swapped in. Applying is
idempotent (the index overlay is a set), so a change seen twice, or seen both by the poll and after a
local write (`refresh`), does no harm. An entry with `expires_at` is taken off the index when it expires.

With `ABAILA_REDIS_URL` set, a write publishes the new version on CHANNEL and every instance polls at
once; the poll still runs, so a lost message only costs up to POLL_SECONDS.

Example::

    live = LiveUpdater(store, lambda: app.state.checker.index)
    await live.start()           # the index now has the store's entries
    await store.add_entry(...)   # ...and within POLL_SECONDS it has this one too
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from service.index import Index, ListInfo
from service.store import Change, Effect, Entry, Op, Store, utc_now

__all__ = ["CHANNEL", "POLL_SECONDS", "LiveUpdater"]

log = logging.getLogger("abaila.live")

POLL_SECONDS = 0.5  # seconds between polls of the store's version; the 2 s promise leaves room for a slow poll
CHANNEL = "abaila:changes"
CHANGES_PER_BATCH = 5_000  # changes read and applied between turns of the event loop
_SOURCE = "moderators"


def _lay(index: Index, entries: list[Entry]) -> dict[tuple[str, str], dt.datetime]:
    """Applies the store's entries in force to index; returns the expiry times to watch."""
    expiring: dict[tuple[str, str], dt.datetime] = {}
    for entry in entries:
        if entry.effect == Effect.BLOCK:
            index.add(entry.expression, ListInfo(entry.list, entry.category, _SOURCE))
            if entry.expires_at is not None:
                expiring[(entry.expression, entry.list)] = entry.expires_at
        else:
            index.remove(entry.expression, entry.list)
    return expiring


class LiveUpdater:
    """Keeps one index in step with the store."""

    def __init__(self, store: Store, index: Callable[[], Index], *, redis_url: str | None = None,
                 poll_seconds: float = POLL_SECONDS, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.store = store
        self._now = clock  # when entries expire (tests pass a fixed one)
        self._index = index  # a function: the checker may swap its index
        self.version = 0
        self.last_error: str | None = None
        self._redis_url = redis_url
        self._redis: Any = None
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one apply at a time, so versions are applied in order
        self._expiring: dict[tuple[str, str], dt.datetime] = {}  # (expression, list) -> expires_at
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Applies every entry in force, then starts polling (and listening on Redis when configured)."""
        version, entries = await self.store.live_entries()
        self._expiring = await asyncio.to_thread(_lay, self._index(), entries)
        self.version = version
        log.info("store entries applied: %d (version %d)", len(entries), version)
        self._tasks.append(asyncio.create_task(self._poll_forever(), name="abaila-live-poll"))
        if self._redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(self._redis_url)
            self._tasks.append(asyncio.create_task(self._listen_forever(), name="abaila-live-redis"))

    async def adopt(self, index: Index, swap: Callable[[Index], None]) -> None:
        """Lays every entry in force over a freshly built index, then swaps it in (`swap(index)`).

        Under the apply lock, so no change lands on the old index alone between the read and the swap;
        the laying runs in a thread (nobody else sees the new index yet), the swap on the event loop.
        """
        async with self._lock:
            version, entries = await self.store.live_entries()
            expiring = await asyncio.to_thread(_lay, index, entries)
            swap(index)
            self.version, self._expiring = version, expiring

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
            self._redis = None

    async def refresh(self) -> int:
        """Applies every change since the last one applied; returns the version now applied.

        All of them, batch after batch: a 2xx on a 50,000-entry import means it is in force here (issue 10:
        one batch of 10,000 per call left the last entries unlisted for seconds). Between batches the loop
        gets a turn, so other requests are answered meanwhile.
        """
        async with self._lock:
            while True:
                changes = await self.store.changes_since(self.version, limit=CHANGES_PER_BATCH)
                index = self._index()
                for change in changes:
                    self._apply(index, change)
                    self.version = change.id
                if len(changes) < CHANGES_PER_BATCH:
                    break
                await asyncio.sleep(0)
            self._expire(index, self._now())
            return self.version

    async def notify(self) -> None:
        """Applies local changes now and tells the other instances (Redis) to do the same."""
        version = await self.refresh()
        if self._redis is not None:
            try:
                await self._redis.publish(CHANNEL, str(version))
            except Exception as exc:  # the poll still carries the change; a Redis outage only slows it
                log.warning("could not publish change %d: %s", version, exc)

    def _apply(self, index: Index, change: Change) -> None:
        key = (change.expression, change.list)
        if change.op == Op.ADD:
            if change.expires_at is not None and change.expires_at <= self._now():
                index.remove(change.expression, change.list)
                return
            index.add(change.expression, ListInfo(change.list, change.category, _SOURCE))
            if change.expires_at is not None:
                self._expiring[key] = change.expires_at
            else:
                self._expiring.pop(key, None)
        else:
            index.remove(change.expression, change.list)
            self._expiring.pop(key, None)

    def _expire(self, index: Index, now: dt.datetime) -> None:
        for key, expires_at in list(self._expiring.items()):
            if expires_at <= now:
                index.remove(*key)
                del self._expiring[key]

    async def _poll_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()
            try:
                await self.refresh()
                self.last_error = None
            except Exception as exc:  # a store outage is reported by /readyz; the poll keeps trying
                if self.last_error is None:
                    log.warning("store poll failed: %s", exc)
                self.last_error = f"{type(exc).__name__}: {exc}"

    async def _listen_forever(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("redis change channel: %s; retrying", exc)
                await asyncio.sleep(1.0)
