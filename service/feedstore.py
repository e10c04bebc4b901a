"""The feeds' last good contents and sync state, in the store, shared by every instance.

    feeds (name) ── version, body (gzip), entries, etag, last_modified, last_success, last_attempt,
                    last_error, failures

One row per feed. The instance that fetched a feed writes the new body here and bumps `version`; every
instance polls the versions (service.feedsync) and applies a changed body within seconds. On PostgreSQL
a fetch is claimed with a session advisory lock per feed, so one instance at a time fetches a feed; the
claimant re-reads `last_attempt` under the lock, so a feed another instance just fetched is not fetched
again (`take_turn`, a compare-and-set in one serialised write, which also keeps `--workers N` on SQLite
to one fetch). On SQLite (one machine) the claim is a lock in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gzip
import hashlib
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from service.store import Store, UTCDateTime, metadata

__all__ = ["FeedRecord", "FeedStore", "feeds", "unpack_to"]

feeds = sa.Table(
    "feeds", metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # bumped at each change of contents; 0: none yet
    sa.Column("body", sa.LargeBinary),  # gzip of the last good contents
    sa.Column("sha256", sa.String(64)),
    sa.Column("entries", sa.Integer, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),  # bytes of the contents, uncompressed
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_success", UTCDateTime),  # last 200 accepted or 304
    sa.Column("last_change", UTCDateTime),
    sa.Column("last_attempt", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False),  # consecutive
)

_COLUMNS = [c for c in feeds.c if c.name != "body"]


@dataclass(frozen=True, slots=True)
class FeedRecord:
    name: str
    url: str
    version: int
    sha256: str | None
    entries: int
    size: int
    etag: str | None
    last_modified: str | None
    last_success: dt.datetime | None
    last_change: dt.datetime | None
    last_attempt: dt.datetime | None
    last_error: str | None
    failures: int


def _record(row: Any) -> FeedRecord:
    return FeedRecord(row.name, row.url, row.version, row.sha256, row.entries, row.size, row.etag,
                      row.last_modified, row.last_success, row.last_change, row.last_attempt, row.last_error,
                      row.failures)


UNPACK_CHUNK = 1 << 20  # bytes of decompressed output held at a time by unpack_to


def unpack_to(packed: bytes, path: Path) -> None:
    """Writes the contents of a stored body (gzip) to path, a megabyte at a time (blocking: run in a thread)."""
    inflater = zlib.decompressobj(wbits=31)
    with open(path, "wb") as out:
        data = inflater.decompress(packed, UNPACK_CHUNK)
        while data:
            out.write(data)
            data = inflater.decompress(inflater.unconsumed_tail, UNPACK_CHUNK)
        out.write(inflater.flush())
    if not inflater.eof:
        raise ValueError(f"stored body for {path.name} is truncated")


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"abaila-feed:{name}".encode()).digest()[:8], "big", signed=True)


class FeedStore:
    """Reads and writes the feeds table of a store; `claim` makes one fetcher per feed at a time."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._local: dict[str, asyncio.Lock] = {}

    async def records(self) -> dict[str, FeedRecord]:
        """Returns every feed's row, without its body."""
        async with self.store.engine.connect() as conn:
            rows = (await conn.execute(sa.select(*_COLUMNS))).all()
        return {row.name: _record(row) for row in rows}

    async def packed_body(self, name: str) -> tuple[int, bytes] | None:
        """Returns (version, gzip of the contents) of a feed's last good download, or None.

        Compressed, as stored: a caller writes it out with `unpack_to`, so the whole decompressed body (35 MB
        for a million entries) is never held by a serving process (issue 17).
        """
        async with self.store.engine.connect() as conn:
            row = (await conn.execute(sa.select(feeds.c.version, feeds.c.body).where(feeds.c.name == name))).first()
        if row is None or row.body is None:
            return None
        return int(row.version), bytes(row.body)

    @contextlib.asynccontextmanager
    async def claim(self, name: str) -> AsyncIterator[bool]:
        """Yields True while this instance alone may fetch the feed; False if another one is fetching it."""
        if self.store.dialect != "postgresql":
            lock = self._local.setdefault(name, asyncio.Lock())
            if lock.locked():
                yield False
                return
            async with lock:
                yield True
            return
        async with self.store.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")  # no transaction held while fetching
            key = _lock_key(name)
            got = bool((await conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key})).scalar_one())
            try:
                yield got
            finally:
                if got:
                    await conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})

    async def _upsert(self, name: str, url: str, values: dict[str, Any]) -> None:
        async with self.store.write() as conn:
            exists = (await conn.execute(sa.select(feeds.c.name).where(feeds.c.name == name))).first()
            if exists is None:
                base = {"name": name, "url": url, "version": 0, "entries": 0, "size": 0, "failures": 0}
                await conn.execute(feeds.insert().values(**{**base, **values}))
            else:
                await conn.execute(feeds.update().where(feeds.c.name == name).values(url=url, **values))

    async def take_turn(self, name: str, url: str, now: dt.datetime, every: int, *, force: bool = False) -> bool:
        """Marks an attempt at now if the feed is due (or force); returns False if it is not due.

        One serialised write transaction (store.write), so of two instances (or worker processes) that
        find the feed due at once, only the first gets the turn.
        """
        async with self.store.write() as conn:
            row = (await conn.execute(sa.select(feeds.c.last_attempt).where(feeds.c.name == name))).first()
            if row is None:
                await conn.execute(feeds.insert().values(name=name, url=url, version=0, entries=0, size=0,
                                                         failures=0, last_attempt=now))
                return True
            if not force and row.last_attempt is not None and row.last_attempt + dt.timedelta(seconds=every) > now:
                return False
            await conn.execute(feeds.update().where(feeds.c.name == name).values(url=url, last_attempt=now))
            return True

    async def record_unchanged(self, name: str, url: str, now: dt.datetime) -> None:
        """A 304 (or the same bytes again): the contents stand, the feed is healthy."""
        await self._upsert(name, url, {"last_success": now, "last_error": None, "failures": 0})

    async def record_contents(self, name: str, url: str, contents: bytes, *, entries: int, etag: str | None,
                              last_modified: str | None, now: dt.datetime) -> int:
        """Stores new contents and bumps the version; returns the new version."""
        packed = await asyncio.to_thread(gzip.compress, contents, 6)
        digest = hashlib.sha256(contents).hexdigest()
        async with self.store.write() as conn:
            row = (await conn.execute(sa.select(feeds.c.version).where(feeds.c.name == name))).first()
            version = (int(row.version) if row is not None else 0) + 1
            values = {"url": url, "version": version, "body": packed, "sha256": digest, "entries": entries,
                      "size": len(contents), "etag": etag, "last_modified": last_modified, "last_success": now,
                      "last_change": now, "last_error": None, "failures": 0}
            if row is None:
                await conn.execute(feeds.insert().values(name=name, last_attempt=now, **values))
            else:
                await conn.execute(feeds.update().where(feeds.c.name == name).values(**values))
        return version

    async def record_failure(self, name: str, url: str, error: str, now: dt.datetime) -> None:
        async with self.store.write() as conn:
            row = (await conn.execute(sa.select(feeds.c.failures).where(feeds.c.name == name))).first()
            if row is None:
                await conn.execute(feeds.insert().values(name=name, url=url, version=0, entries=0, size=0,
                                                         last_attempt=now, last_error=error, failures=1))
            else:
                await conn.execute(feeds.update().where(feeds.c.name == name).values(
                    last_error=error, failures=int(row.failures) + 1))
