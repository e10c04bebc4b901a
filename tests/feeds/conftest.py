"""The feed host every feed test talks to: tests/peers/feed_server.py on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers.feed_server import FeedPeer


@pytest.fixture
def peer() -> Iterator[FeedPeer]:
    server = FeedPeer()
    server.start()
    yield server
    server.close()
