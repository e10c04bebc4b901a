"""Public feeds synced in the background: fetch (one instance), store, apply (every instance), rebuild.

    every `every`:  claim (advisory lock) ─> conditional GET (ETag / Last-Modified)
                      304 ─> last_success = now; no rebuild
                      200 ─> body (gzip decoded, size cap) ─> parsed in a child: judged against the last one
                              good ─> store: new version          bad ─> store: failure; last contents stay
    every 2 s:      the store's versions ─> a changed body is written to var/feeds/<name>.list
                                          ─> Rebuilder.refresh (child build, overlay, one-assignment swap)

A feed's new contents replace its old ones: the snapshot is built from the latest body alone, so entries
that left the feed stop matching. A failure — HTTP error, timeout, a body over `max_bytes`, a connection
cut short, an empty or much smaller body where the last was large, or too many unreadable lines — keeps
the last good contents, counts a consecutive failure and is shown by `abaila feeds list`, `/readyz` and
`/metrics`. Transient failures (connection errors, timeouts, 429 and 5xx) are retried within the total
timeout with exponential back-off and jitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import random
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from service import __version__
from service.feeds import FeedConfig
from service.feedstore import FeedRecord, FeedStore, unpack_to
from service.snapshots import Source, read_source
from service.store import Store, utc_now

__all__ = ["APPLY_SECONDS", "BodyStats", "FeedError", "FeedSyncer", "inspect_body"]

log = logging.getLogger("abaila.feeds")

APPLY_SECONDS = 2.0  # seconds between looks at the store's feed versions
RETRIES = 3  # extra attempts for a transient failure
BACKOFF = 1.0  # seconds before the first retry; doubled each time, times a random 0.5-1.5
SHRINK_FLOOR = 1000  # entries: a feed this large that shrinks below SHRINK_SHARE of it is suspect
SHRINK_SHARE = 0.5
BAD_LINE_SHARE = 0.2  # a body with more unreadable lines than this share is refused
_GZIP_MAGIC = b"\x1f\x8b"


class FeedError(Exception):
    """A sync that failed; `retry` says whether another attempt may succeed."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True, slots=True)
class BodyStats:
    entries: int
    invalid: int


def inspect_body(source: Source) -> BodyStats:
    """Parses a downloaded body as its feed would be indexed; runs in a child process."""
    parsed = read_source(source)
    return BodyStats(len(parsed.expressions), parsed.skipped.get("invalid", 0))


@dataclass(frozen=True, slots=True)
class _Download:
    status: int  # 200 or 304
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise FeedError(f"body is not valid gzip: {exc}") from None
    if len(out) > limit:
        raise FeedError(f"body is larger than max_bytes ({limit} bytes) once decompressed")
    return out


class FeedSyncer:
    """Keeps the configured feeds fetched (when due) and applied (whenever the store has newer contents)."""

    def __init__(self, feeds: tuple[FeedConfig, ...], store: Store, var_dir: Path, *,
                 inspect: Callable[[Source], Awaitable[BodyStats]] | None = None,
                 on_change: Callable[[], Awaitable[Any]] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, clock: Callable[[], dt.datetime] = utc_now,
                 retries: int = RETRIES, backoff: float = BACKOFF, apply_seconds: float = APPLY_SECONDS,
                 rng: Callable[[], float] = random.random) -> None:
        self.feeds = {feed.name: feed for feed in feeds}
        self.store = FeedStore(store)
        self.dir = var_dir / "feeds"
        self.records: dict[str, FeedRecord] = {}  # the store's rows, as of the last look
        self.applied: dict[str, int] = {}  # feed -> version written to self.dir
        self.last_error: str | None = None  # of the last look at the store
        self._inspect = inspect or (lambda source: asyncio.to_thread(inspect_body, source))
        self._on_change = on_change
        self._clock = clock
        self._retries, self._backoff, self._rng = retries, backoff, rng
        self._apply_seconds = apply_seconds
        self._client = httpx.AsyncClient(transport=transport, follow_redirects=True, trust_env=True,
                                         headers={"User-Agent": f"abaila/{__version__} (feed sync)"},
                                         timeout=httpx.Timeout(30.0, connect=10.0))
        self._tasks: list[asyncio.Task[None]] = []
        self._read_applied()

    # -- local copies -----------------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        return self.dir / f"{name}.list"

    def _read_applied(self) -> None:
        for name in self.feeds:
            marker = self.dir / f"{name}.version"
            with contextlib.suppress(OSError, ValueError):
                if self._path(name).is_file():
                    self.applied[name] = int(marker.read_text().strip())

    def _source(self, feed: FeedConfig, path: Path) -> Source:
        return Source(path, name=feed.name, category=feed.category, source=feed.shown_source, licence=feed.licence,
                      format=feed.format)

    def sources(self) -> list[Source]:
        """Returns the feeds' last good contents as index sources (for the Rebuilder; does file I/O)."""
        return [self._source(feed, self._path(name)) for name, feed in sorted(self.feeds.items())
                if self._path(name).is_file()]

    def _write(self, name: str, version: int, packed: bytes) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{name}.tmp"
        unpack_to(packed, tmp)
        tmp.replace(self._path(name))
        (self.dir / f"{name}.version").write_text(str(version))

    async def look(self) -> dict[str, FeedRecord]:
        """Reads every feed's state from the store (what status() then reports)."""
        self.records = await self.store.records()
        return self.records

    async def apply(self, *, notify: bool = True) -> bool:
        """Writes each feed whose stored version is newer than the local copy; returns whether any was."""
        records = await self.look()
        changed = False
        for name in self.feeds:
            record = records.get(name)
            if record is None or record.version == 0 or self.applied.get(name) == record.version:
                continue
            if await self._apply_one(name):
                changed = True
                log.info("feed %s: version %d applied (%d entries)", name, self.applied[name], record.entries)
        # The bodies are gone by now (they lived in _apply_one), so the rebuild's trim can hand them back.
        if changed and notify and self._on_change is not None:
            await self._on_change()
        return changed

    async def _apply_one(self, name: str) -> bool:
        found = await self.store.packed_body(name)
        if found is None:
            return False
        version, packed = found
        await asyncio.to_thread(self._write, name, version, packed)
        self.applied[name] = version
        return True

    # -- fetching ---------------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self._clock()

    def due(self, feed: FeedConfig, now: dt.datetime) -> bool:
        record = self.records.get(feed.name)
        return record is None or record.last_attempt is None or \
            record.last_attempt + dt.timedelta(seconds=feed.every) <= now

    def next_run(self, feed: FeedConfig) -> dt.datetime | None:
        if not feed.enabled:
            return None
        record = self.records.get(feed.name)
        if record is None or record.last_attempt is None:
            return self._clock()
        return record.last_attempt + dt.timedelta(seconds=feed.every)

    async def sync(self, name: str, *, force: bool = False, apply: bool = True) -> str:
        """Fetches one feed if it is due (or force) and no other instance is fetching it.

        Returns what happened: "changed", "unchanged", "failed: ...", "not due" or "busy" (another
        instance holds the feed's lock). A change is applied here at once (and by the others at their poll).
        """
        feed = self.feeds[name]
        async with self.store.claim(name) as mine:
            if not mine:
                return "busy"
            now = self._clock()
            # Under the lock, and atomically: did another instance just fetch it?
            if not await self.store.take_turn(name, feed.url, now, feed.every, force=force):
                return "not due"
            self.records = await self.store.records()
            outcome = await self._fetch_and_store(feed, now)
        if apply:
            await self.apply()
        else:
            await self.look()
        return outcome

    async def _fetch_and_store(self, feed: FeedConfig, now: dt.datetime) -> str:
        record = self.records.get(feed.name)
        has_contents = record is not None and record.version > 0
        try:
            download = await self._download(feed, record if has_contents else None)
            if download.status == 304:
                await self.store.record_unchanged(feed.name, feed.url, now)
                return "unchanged"
            if has_contents and record is not None and record.sha256 is not None:
                if hashlib.sha256(download.body).hexdigest() == record.sha256:
                    await self.store.record_unchanged(feed.name, feed.url, now)
                    return "unchanged"
            stats = await self._judge(feed, download.body, record if has_contents else None)
        except FeedError as exc:
            await self.store.record_failure(feed.name, feed.url, str(exc), now)
            log.warning("feed %s: %s; keeping the last good contents", feed.name, exc)
            return f"failed: {exc}"
        version = await self.store.record_contents(feed.name, feed.url, download.body, entries=stats.entries,
                                                   etag=download.etag, last_modified=download.last_modified,
                                                   now=now)
        log.info("feed %s: version %d fetched (%d entries)", feed.name, version, stats.entries)
        return "changed"

    async def _judge(self, feed: FeedConfig, body: bytes, last: FeedRecord | None) -> BodyStats:
        self.dir.mkdir(parents=True, exist_ok=True)
        candidate = self.dir / f".{feed.name}.candidate"
        await asyncio.to_thread(candidate.write_bytes, body)
        try:
            stats = await self._inspect(self._source(feed, candidate))
        finally:
            candidate.unlink(missing_ok=True)
        previous = last.entries if last is not None else 0
        if stats.entries == 0:
            raise FeedError("no entries in the body" + (f"; the last one had {previous}" if previous else ""))
        if previous >= SHRINK_FLOOR and stats.entries < previous * SHRINK_SHARE:
            raise FeedError(f"only {stats.entries} entries where the last body had {previous}: truncated?")
        lines = stats.entries + stats.invalid
        if stats.invalid > 10 and stats.invalid > lines * BAD_LINE_SHARE:
            raise FeedError(f"{stats.invalid} of {lines} lines could not be read")
        return stats

    async def _download(self, feed: FeedConfig, last: FeedRecord | None) -> _Download:
        headers = {"Accept-Encoding": "gzip"}
        if last is not None and last.etag:
            headers["If-None-Match"] = last.etag
        if last is not None and last.last_modified:
            headers["If-Modified-Since"] = last.last_modified
        try:
            async with asyncio.timeout(feed.timeout):
                attempt = 0
                while True:
                    try:
                        return await self._get(feed, headers)
                    except FeedError as exc:
                        if not exc.retry or attempt >= self._retries:
                            raise
                    attempt += 1
                    await asyncio.sleep(self._backoff * 2 ** (attempt - 1) * (0.5 + self._rng()))
        except TimeoutError:
            raise FeedError(f"timed out after {feed.timeout:g}s") from None

    async def _get(self, feed: FeedConfig, headers: dict[str, str]) -> _Download:
        try:
            async with self._client.stream("GET", feed.url, headers=headers) as response:
                if response.status_code == 304:
                    return _Download(304)
                if response.status_code != 200:
                    retry = response.status_code == 429 or response.status_code >= 500
                    raise FeedError(f"HTTP {response.status_code} from {feed.url}", retry=retry)
                chunks: list[bytes] = []
                total = 0
                async for chunk in response.aiter_bytes():  # Content-Encoding: gzip is decoded here
                    total += len(chunk)
                    if total > feed.max_bytes:
                        raise FeedError(f"body is larger than max_bytes ({feed.max_bytes} bytes)")
                    chunks.append(chunk)
                body = b"".join(chunks)
                etag, last_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        except httpx.TimeoutException as exc:
            raise FeedError(f"timed out: {type(exc).__name__}", retry=True) from None
        except httpx.HTTPError as exc:  # connection refused or cut short (truncated body), bad gzip, ...
            raise FeedError(f"{type(exc).__name__}: {exc}", retry=True) from None
        if body[:2] == _GZIP_MAGIC:  # a .gz file, not a gzip-encoded response
            body = _gunzip(body, feed.max_bytes)
        return _Download(200, body, etag, last_modified)

    # -- running ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the background loop: fetch what is due, apply what changed."""
        if not self._tasks:
            self._tasks.append(asyncio.create_task(self._run_forever(), name="abaila-feeds"))

    async def _run_forever(self, names: list[str] | None = None, *, apply: bool = True) -> None:
        while True:
            try:
                await (self.apply() if apply else self.look())
                now = self._clock()
                for feed in self.feeds.values():
                    if feed.enabled and (names is None or feed.name in names) and self.due(feed, now):
                        await self.sync(feed.name, apply=apply)
                self.last_error = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a store outage: reported, retried at the next look
                if self.last_error is None:
                    log.warning("feeds: %s", exc)
                self.last_error = f"{type(exc).__name__}: {exc}"
            await asyncio.sleep(self._apply_seconds)

    async def run_in_foreground(self, names: list[str] | None = None) -> None:
        """Fetches the feeds when due, in this task, until cancelled (`abaila feeds sync` without --once).

        It only writes the store; the servers apply what it fetched."""
        await self._run_forever(names, apply=False)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self._client.aclose()

    # -- reporting --------------------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """Returns each feed's state as `abaila feeds list --json` and /readyz show it."""
        def iso(value: dt.datetime | None) -> str | None:
            return None if value is None else value.isoformat(timespec="seconds").replace("+00:00", "Z")

        out = []
        for name, feed in sorted(self.feeds.items()):
            record = self.records.get(name)
            out.append({
                "name": name, "url": feed.url, "category": feed.category, "licence": feed.licence,
                "every": feed.every, "enabled": feed.enabled,
                "entries": record.entries if record else 0,
                "version": record.version if record else 0, "applied_version": self.applied.get(name, 0),
                "last_success": iso(record.last_success) if record else None,
                "last_change": iso(record.last_change) if record else None,
                "last_error": record.last_error if record and record.failures else None,
                "failures": record.failures if record else 0,
                "next_run": iso(self.next_run(feed)),
            })
        return out
