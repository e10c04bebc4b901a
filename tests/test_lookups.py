"""SlowSignals end to end against local DNS, WHOIS and RDAP peers: deadline, pending, coalescing, cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.errors import ConfigError
from service.lookups import LookupConfig, SlowSignals
from service.signals import is_public_domain
from service.signals.slow import slow_findings
from tests._env import require_redis
from tests.peers.dns_server import DnsPeer
from tests.peers.fixtures import WHOIS
from tests.peers.rdap_server import RdapPeer
from tests.peers.redis_server import RedisProcess
from tests.peers.whois_server import WhoisPeer

NOW = datetime(2021, 3, 28, 12, 0, tzinfo=UTC)  # themarquetry.com (registered 2021-03-16) is 12 days old


@pytest.fixture
async def make_signals(dns_peer: DnsPeer, rdap_peer: RdapPeer, kz_whois: WhoisPeer, tmp_path: Path
                       ) -> AsyncIterator[Callable[..., Any]]:
    """Returns a factory of started SlowSignals wired to the local peers (closed after the test)."""
    made: list[SlowSignals] = []

    async def make(**overrides: Any) -> SlowSignals:
        config = LookupConfig(**{
            "dns_servers": (("127.0.0.1", dns_peer.port),),
            "whois_servers": {"kz": ("127.0.0.1", kz_whois.port)},
            "rdap_bootstrap": str(rdap_peer.bootstrap_file(tmp_path, ["com", "top"])),
            "dns_timeout_s": 0.5, "rdap_timeout_s": 2.0, "whois_timeout_s": 2.0, **overrides})
        signals = SlowSignals(config, clock=lambda: NOW)
        await signals.start()
        made.append(signals)
        return signals

    yield make
    for signals in made:
        await signals.close()


async def test_collect_young_domain_over_rdap(make_signals: Callable[..., Any]) -> None:
    signals = await make_signals()
    result = await signals.collect("themarquetry.com", "themarquetry.com", deadline_s=2)
    assert result.pending == () and result.complete
    assert result.signals["domain_age_days"] == 12
    assert result.signals["registered_on"] == "2021-03-16"
    assert result.signals["registration_source"] == "rdap"
    assert result.signals["dns"]["outcome"] == "resolves"
    codes = {r.code: r for r in slow_findings(result.facts)}
    assert codes["domain.young"].evidence["days"] == 12
    assert codes["domain.young"].evidence["registered_on"] == "2021-03-16"


async def test_collect_kz_over_whois(make_signals: Callable[..., Any], kz_whois: WhoisPeer,
                                     rdap_peer: RdapPeer) -> None:
    signals = await make_signals()
    found = await signals.collect("google.kz", "google.kz", deadline_s=2)
    assert found.signals["registered_on"] == "1999-06-07" and found.signals["registration_source"] == "whois"
    missing = await signals.collect("likexian-have-no-money-to-register.kz", "likexian-have-no-money-to-register.kz",
                                    deadline_s=2)
    assert missing.signals["registration"] == "unregistered"
    codes = [r.code for r in slow_findings(missing.facts)]
    assert "domain.unregistered" in codes and "dns.nxdomain" in codes
    assert rdap_peer.total == 0  # .kz is not in the bootstrap: never asked over RDAP


async def test_100_concurrent_collects_make_one_query_each(make_signals: Callable[..., Any], rdap_peer: RdapPeer,
                                                          dns_peer: DnsPeer, kz_whois: WhoisPeer) -> None:
    signals = await make_signals()
    results = await asyncio.gather(*(signals.collect("themarquetry.com", "themarquetry.com", deadline_s=3)
                                     for _ in range(100)),
                                   *(signals.collect("google.kz", "google.kz", deadline_s=3) for _ in range(100)))
    assert all(r.complete for r in results)
    assert rdap_peer.requests["themarquetry.com"] == 1
    assert kz_whois.queries["google.kz"] == 1
    for name in ("themarquetry.com", "google.kz"):
        for rdtype in ("A", "AAAA", "MX", "NS"):
            assert dns_peer.queries[(name, rdtype)] == 1, (name, rdtype)
    # and a later check is answered from the cache, asking nobody
    again = await signals.collect("themarquetry.com", "themarquetry.com", deadline_s=1)
    assert again.signals["domain_age_days"] == 12 and rdap_peer.requests["themarquetry.com"] == 1


async def test_deadline_returns_pending_then_next_call_has_it(make_signals: Callable[..., Any],
                                                              rdap_peer: RdapPeer) -> None:
    signals = await make_signals()
    first = await signals.collect("slow.com", "slow.com", deadline_s=0.2)  # the RDAP server takes 0.6 s
    assert first.pending == ("domain_age",) and not first.complete
    assert "domain_age_days" not in first.signals and "domain_age" not in first.facts
    await asyncio.sleep(0.6)  # the background lookup finishes and fills the cache
    second = await signals.collect("slow.com", "slow.com", deadline_s=0.2)
    assert second.pending == () and second.signals["registered_on"] == "1997-09-15"
    assert rdap_peer.requests["slow.com"] == 1


async def test_dripping_whois_never_holds_a_check_past_its_deadline(make_signals: Callable[..., Any]) -> None:
    drip = WhoisPeer({"google.kz": WHOIS / "whois.nic.kz__google.kz.2026.txt"}, drip_s=0.01)
    signals = await make_signals(whois_servers={"kz": ("127.0.0.1", await drip.start())}, whois_timeout_s=0.5)
    try:
        result = await signals.collect("google.kz", "google.kz", deadline_s=0.3)
        assert result.pending == ("domain_age",)
        await asyncio.sleep(0.4)  # the WHOIS lookup's own total deadline (0.5 s) ends it
        after = await signals.collect("google.kz", "google.kz", deadline_s=0.3)
        assert after.pending == () and after.facts["domain_age"].error == "timeout"
        assert "domain.lookup_failed" in [r.code for r in slow_findings(after.facts)]
    finally:
        await drip.close()


async def test_rdap_failure_falls_back_to_whois_when_the_server_is_known(make_signals: Callable[..., Any]) -> None:
    registry = WhoisPeer({"broken.com": WHOIS / "whois.verisign-grs.com__google.com.2026.txt"})
    signals = await make_signals(whois_servers={"com": ("127.0.0.1", await registry.start())})
    try:
        result = await signals.collect("broken.com", "broken.com", deadline_s=2)
    finally:
        await registry.close()
    assert result.signals["registration_source"] == "whois" and result.signals["registered_on"] == "1997-09-15"


@pytest.mark.parametrize(("host", "domain"), [
    ("localhost", "localhost"), ("printer.local", "printer.local"), ("nas.lan", "nas.lan"),
    ("app.internal", "app.internal"), ("192.168.1.1", "192.168.1.1"), ("intranet", "intranet"),
    ("com", "com"), ("evil.com", "other.com"),
])
async def test_only_public_domains_are_looked_up(make_signals: Callable[..., Any], dns_peer: DnsPeer,
                                                 rdap_peer: RdapPeer, kz_whois: WhoisPeer, host: str,
                                                 domain: str) -> None:
    signals = await make_signals()
    result = await signals.collect(host, domain, deadline_s=1)
    if domain == "other.com":  # the domain is public, but the host is not under it: no DNS for the host
        assert "dns" not in result.signals and dns_peer.queries[("evil.com", "A")] == 0
        return
    assert result.signals == {} and result.pending == ()
    assert dns_peer.total == rdap_peer.total == kz_whois.total == 0


@pytest.mark.redis
async def test_redis_cache_shared_and_redis_going_away(make_signals: Callable[..., Any],
                                                       rdap_peer: RdapPeer) -> None:
    require_redis()
    server = RedisProcess.start()
    try:
        one = await make_signals(redis_url=server.url, cache_timeout_s=0.2)
        two = await make_signals(redis_url=server.url, cache_timeout_s=0.2)
        assert (await one.health())["cache"] == "redis" and (await one.health())["cache_ok"]
        await one.collect("themarquetry.com", "themarquetry.com", deadline_s=2)
        shared = await two.collect("themarquetry.com", "themarquetry.com", deadline_s=2)
        assert shared.signals["domain_age_days"] == 12
        assert rdap_peer.requests["themarquetry.com"] == 1  # the second instance read Redis
        server.kill()
        after = await one.collect("google.com", "google.com", deadline_s=1.5)
        assert after.pending == () and after.signals["registered_on"] == "1997-09-15"
        health = await one.health()
        assert health["cache"] == "redis" and health["cache_ok"] is False
    finally:
        server.kill()


def test_from_env_parses_every_variable(tmp_path: Path) -> None:
    networks = tmp_path / "kz.txt"
    networks.write_text("2.72.0.0/13\n")
    config = LookupConfig.from_env({
        "ABAILA_DNS_SERVERS": "127.0.0.1:5353, 9.9.9.9,[::1]:53",
        "ABAILA_WHOIS_SERVERS": "kz=127.0.0.1:4343,com=whois.example.net",
        "ABAILA_REDIS_URL": "redis://127.0.0.1:6379/1", "ABAILA_REDIS_POOL_SIZE": "20",
        "ABAILA_DNS_TIMEOUT_MS": "800", "ABAILA_WHOIS_TIMEOUT_MS": "3000", "ABAILA_RDAP_TIMEOUT_MS": "2500",
        "ABAILA_CACHE_TIMEOUT_MS": "100", "ABAILA_WHOIS_PER_SERVER": "1", "ABAILA_KZ_NETWORKS": str(networks),
    })
    assert config.dns_servers == (("127.0.0.1", 5353), ("9.9.9.9", 53), ("::1", 53))
    assert config.whois_servers == {"kz": ("127.0.0.1", 4343), "com": ("whois.example.net", 43)}
    assert (config.redis_url, config.redis_pool_size, config.whois_per_server) == ("redis://127.0.0.1:6379/1", 20, 1)
    assert (config.dns_timeout_s, config.whois_timeout_s, config.rdap_timeout_s, config.cache_timeout_s) == \
        (0.8, 3.0, 2.5, 0.1)
    assert LookupConfig.from_env({}) == LookupConfig()


@pytest.mark.parametrize(("variable", "value"), [
    ("ABAILA_DNS_SERVERS", "1.1.1.1:99999"), ("ABAILA_DNS_SERVERS", "bad host:53"),
    ("ABAILA_WHOIS_SERVERS", "kz"), ("ABAILA_WHOIS_SERVERS", "kz=host:port"),
    ("ABAILA_RDAP_BOOTSTRAP", "/nonexistent/dns.json"), ("ABAILA_REDIS_URL", "http://x"),
    ("ABAILA_DNS_TIMEOUT_MS", "-5"), ("ABAILA_REDIS_POOL_SIZE", "many"), ("ABAILA_KZ_NETWORKS", "/nonexistent"),
])
def test_from_env_names_the_bad_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        LookupConfig.from_env({variable: value})


@pytest.mark.parametrize(("name", "expected"), [
    ("shop.example.kz", True), ("xn--80aaa0a.xn--80ao21a", True), ("kaspi-kz.top", True),
    ("localhost", False), ("printer.local", False), ("com", False), ("192.0.2.1", False), ("Shop.KZ", False),
    ("a..kz", False), ("-bad.kz", False), ("x.onion", False), ("", False), ("under_score.kz", False),
])
def test_is_public_domain(name: str, expected: bool) -> None:
    assert is_public_domain(name) is expected
