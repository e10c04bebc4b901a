"""service.feedsync against a local HTTP server serving the real feed files of ../shared/data."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from service.feeds import FeedConfig
from service.feedsync import FeedSyncer
from service.store import Store
from tests._env import require_shared_data
from tests.peers.feed_server import FeedPeer

SCAM_HOSTS = "hosts/blocklistproject_scam_hosts_2026-07-18.txt"  # 8,527 names
URLHAUS_HOSTS = "hosts/urlhaus_hostfile_2022-07-19.txt"  # 1,089 names


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'abaila.db'}")
    yield opened
    await opened.close()


def _feed(peer: FeedPeer, path: str, **changes: object) -> FeedConfig:
    base = FeedConfig(name="scam-feed", url=peer.url(path),
                      category="scam", licence="MIT", every=900, timeout=20.0)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _syncer(feed: FeedConfig, store: Store, tmp_path: Path) -> FeedSyncer:
    return FeedSyncer((feed,), store, tmp_path / "var", backoff=0.01)


async def test_200_then_304_costs_no_new_version(peer: FeedPeer, store: Store, tmp_path: Path) -> None:
    data = require_shared_data()
    peer.serve("/scam.txt", data / SCAM_HOSTS)
    syncer = _syncer(_feed(peer, "/scam.txt"), store, tmp_path)
    try:
        assert await syncer.sync("scam-feed") == "changed"
        record = syncer.records["scam-feed"]
        assert record.version == 1 and record.entries > 8000 and record.etag
        assert syncer.sources()[0].path.read_bytes() == (data / SCAM_HOSTS).read_bytes()
        assert await syncer.sync("scam-feed") == "not due"  # every = 15 minutes
        assert await syncer.sync("scam-feed", force=True) == "unchanged"
        last_headers = peer.requests[-1][1]
        assert last_headers.get("If-None-Match") == record.etag and "If-Modified-Since" in last_headers
        assert syncer.records["scam-feed"].version == 1 and not await syncer.apply()
        row = syncer.status()[0]
        assert row["entries"] == record.entries and row["last_error"] is None and row["last_success"]
    finally:
        await syncer.close()


@pytest.mark.parametrize("mode, expected", [("500", "HTTP 500"), ("truncate", "RemoteProtocolError"),
                                            ("empty", "no entries in the body"), ("slow", "timed out")])
async def test_a_failure_keeps_the_last_good_contents(peer: FeedPeer, store: Store, tmp_path: Path, mode: str,
                                                      expected: str) -> None:
    data = require_shared_data()
    peer.serve("/scam.txt", data / SCAM_HOSTS)
    feed = _feed(peer, "/scam.txt", timeout=1.0 if mode == "slow" else 20.0)
    syncer = _syncer(feed, store, tmp_path)
    try:
        assert await syncer.sync("scam-feed") == "changed"
        good = syncer.sources()[0].path.read_bytes()
        before = peer.count("/scam.txt")
        peer.misbehave("/scam.txt", mode)
        outcome = await syncer.sync("scam-feed", force=True)
        assert outcome.startswith("failed") and expected in outcome
        if mode == "500":
            assert peer.count("/scam.txt") - before == 4  # one try and three retries with back-off
        assert syncer.sources()[0].path.read_bytes() == good
        record = syncer.records["scam-feed"]
        assert record.version == 1 and record.failures == 1 and expected in (record.last_error or "")
        assert (await syncer.sync("scam-feed", force=True)).startswith("failed")
        assert syncer.records["scam-feed"].failures == 2
        peer.behave("/scam.txt")
        assert await syncer.sync("scam-feed", force=True) == "unchanged"
        assert syncer.records["scam-feed"].failures == 0 and syncer.status()[0]["last_error"] is None
    finally:
        await syncer.close()


async def test_a_much_smaller_body_is_refused_as_truncated(peer: FeedPeer, store: Store, tmp_path: Path) -> None:
    data = require_shared_data()
    full = (data / SCAM_HOSTS).read_bytes()
    peer.serve("/scam.txt", full)
    syncer = _syncer(_feed(peer, "/scam.txt"), store, tmp_path)
    try:
        assert await syncer.sync("scam-feed") == "changed"
        # A complete HTTP response whose body was cut by the publisher: a tenth of the lines.
        peer.serve("/scam.txt", b"\n".join(full.splitlines()[:900]) + b"\n")
        outcome = await syncer.sync("scam-feed", force=True)
        assert outcome.startswith("failed") and "truncated" in outcome
        assert syncer.records["scam-feed"].version == 1
    finally:
        await syncer.close()


async def test_size_cap_and_gzip_file(peer: FeedPeer, store: Store, tmp_path: Path) -> None:
    data = require_shared_data()
    peer.serve("/urlhaus.txt.gz", data / URLHAUS_HOSTS, gzip_file=True)
    syncer = _syncer(_feed(peer, "/urlhaus.txt.gz"), store, tmp_path)
    try:
        assert await syncer.sync("scam-feed") == "changed"
        assert syncer.records["scam-feed"].entries > 1000  # a .gz body is decompressed
    finally:
        await syncer.close()
    small = _syncer(_feed(peer, "/urlhaus.txt.gz", name="capped", max_bytes=10_000), store, tmp_path / "b")
    try:
        outcome = await small.sync("capped")
        assert outcome.startswith("failed") and "max_bytes" in outcome
    finally:
        await small.close()
