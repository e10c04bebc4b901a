"""The signal cache: memory, Redis, and Redis going away (it must never raise into a lookup)."""

from __future__ import annotations

import pytest

from service.cache import SignalCache, parse_redis_url
from tests._env import require_redis
from tests._serve import free_port
from tests.peers.redis_server import RedisProcess


async def test_memory_get_set_and_ttl() -> None:
    cache = SignalCache()
    await cache.set("k", {"a": 1}, ttl_s=1)
    assert await cache.get("k") == {"a": 1}
    assert await cache.get("missing") is None
    assert cache.kind == "memory" and await cache.ping() and cache.is_ok


@pytest.mark.redis
async def test_redis_get_set() -> None:
    cache = SignalCache(require_redis(), pool_size=4)
    try:
        await cache.set("test:k", {"a": [1, 2]}, ttl_s=5)
        assert await cache.get("test:k") == {"a": [1, 2]}
        assert cache.kind == "redis" and await cache.ping()
    finally:
        await cache.close()


async def test_unreachable_redis_degrades_to_memory_quickly() -> None:
    cache = SignalCache(f"redis://127.0.0.1:{free_port()}/0", op_timeout_s=0.2)
    await cache.set("k", {"a": 1}, ttl_s=60)
    assert await cache.get("k") == {"a": 1}  # served by the in-process fallback
    assert not cache.is_ok and not await cache.ping() and cache.last_error
    await cache.close()


@pytest.mark.redis
async def test_redis_killed_mid_test_then_back() -> None:
    server = RedisProcess.start()
    cache = SignalCache(server.url, op_timeout_s=0.2, retry_s=0.0)
    try:
        await cache.set("k", {"v": 1}, ttl_s=60)
        assert await cache.get("k") == {"v": 1} and cache.is_ok
        server.kill()
        assert await cache.get("k") is None  # a miss, not an exception
        await cache.set("k2", {"v": 2}, ttl_s=60)
        assert not cache.is_ok and not await cache.ping()
    finally:
        server.kill()
        await cache.close()


@pytest.mark.parametrize(("url", "expected"), [
    ("redis://127.0.0.1:6379/0", {"endpoint": "127.0.0.1", "port": 6379, "db": 0, "password": None, "ssl": False}),
    ("rediss://:s%40cret@cache.example:6380/2",
     {"endpoint": "cache.example", "port": 6380, "db": 2, "password": "s@cret", "ssl": True}),
])
def test_parse_redis_url(url: str, expected: dict[str, object]) -> None:
    assert parse_redis_url(url) == expected


@pytest.mark.parametrize("url", ["http://x", "redis://", "redis://h/notadb"])
def test_parse_redis_url_rejects(url: str) -> None:
    with pytest.raises(ValueError):
        parse_redis_url(url)


async def test_memory_cache_is_bounded_by_bytes_and_keeps_ttls() -> None:
    # Issue 10: the in-process cache grew with attacker input (~2.2 KB per host, lifetimes up to 3 days).
    now = [0.0]
    cache = SignalCache(memory_bytes=100_000, clock=lambda: now[0])
    value = {"status": "registered", "evidence": "x" * 2000}
    for i in range(1000):
        await cache.set(f"age:host{i}.kz", value, ttl_s=3 * 86400)
    assert cache._memory.bytes <= 100_000
    assert await cache.get("age:host999.kz") == value and await cache.get("age:host0.kz") is None
    await cache.set("dns:short.kz", {"a": 1}, ttl_s=30)
    now[0] = 31.0
    assert await cache.get("dns:short.kz") is None and await cache.get("age:host999.kz") == value
