"""DNS facts against a dnslib server answering real packets on 127.0.0.1."""

from __future__ import annotations

import ipaddress

import pytest

from service.signals.dns import DnsClient, DnsOutcome, load_networks
from tests.peers.dns_server import DnsPeer


def _client(peer: DnsPeer, **kwargs: object) -> DnsClient:
    return DnsClient([("127.0.0.1", peer.port)], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("host", "domain", "outcome", "has_mx", "has_ns"), [
    ("shop.com", "shop.com", DnsOutcome.RESOLVES, True, True),
    ("www.shop.com", "shop.com", DnsOutcome.RESOLVES, True, True),
    ("nomail.com", "nomail.com", DnsOutcome.RESOLVES, False, True),
    ("nowhere.com", "nowhere.com", DnsOutcome.NXDOMAIN, False, False),
    ("noaddr.com", "noaddr.com", DnsOutcome.NO_ANSWER, True, False),
    ("broken.com", "broken.com", DnsOutcome.SERVFAIL, None, None),
])
async def test_outcomes(dns_peer: DnsPeer, host: str, domain: str, outcome: DnsOutcome, has_mx: bool | None,
                        has_ns: bool | None) -> None:
    facts = await _client(dns_peer).lookup(host, domain)
    assert (facts.outcome, facts.has_mx, facts.has_ns) == (outcome, has_mx, has_ns)


async def test_addresses_ttl_and_subnets(dns_peer: DnsPeer) -> None:
    facts = await _client(dns_peer).lookup("shop.com", "shop.com")
    assert facts.addresses == ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
    assert (facts.min_ttl, facts.subnets_24, facts.non_public, facts.outside_kz) == (300, 2, (), None)
    assert dns_peer.queries == {("shop.com", "A"): 1, ("shop.com", "AAAA"): 1, ("shop.com", "MX"): 1,
                                ("shop.com", "NS"): 1}


async def test_private_and_loopback_addresses_are_flagged(dns_peer: DnsPeer) -> None:
    facts = await _client(dns_peer).lookup("internal-bank.com", "internal-bank.com")
    assert set(facts.non_public) == {"10.0.0.5", "127.0.0.1"}


async def test_fast_flux_shape(dns_peer: DnsPeer) -> None:
    facts = await _client(dns_peer).lookup("flux.com", "flux.com")
    assert (facts.min_ttl, facts.subnets_24) == (60, 5)


async def test_silence_is_a_timeout_within_the_lifetime(dns_peer: DnsPeer) -> None:
    facts = await _client(dns_peer, timeout_s=0.3).lookup("silent.com", "silent.com")
    assert facts.outcome is DnsOutcome.TIMEOUT and facts.has_mx is None


async def test_kz_hosting_is_known_only_with_a_network_list(dns_peer: DnsPeer, tmp_path) -> None:
    networks = tmp_path / "kz.txt"
    networks.write_text("# test list of KZ networks\n194.187.244.0/22\n")
    client = _client(dns_peer, kz_networks=load_networks(str(networks)))
    assert (await client.lookup("kaspi.kz", "kaspi.kz")).outside_kz == ()
    assert (await client.lookup("google.kz", "google.kz")).outside_kz == ("216.239.32.10",)
    assert load_networks(str(networks)) == [ipaddress.ip_network("194.187.244.0/22")]


def test_load_networks_names_the_bad_line(tmp_path) -> None:
    bad = tmp_path / "kz.txt"
    bad.write_text("10.0.0.0/8\nnot-a-net\n")
    with pytest.raises(ValueError, match=r"kz.txt:2"):
        load_networks(str(bad))
