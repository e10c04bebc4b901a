"""Local protocol peers for the slow-signal tests: DNS (dnslib), WHOIS (port-43 replay), RDAP (HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests._env import FIXTURES
from tests.peers.dns_server import DnsPeer
from tests.peers.rdap_server import RdapPeer
from tests.peers.whois_server import WhoisPeer, chain_parts

WHOIS = FIXTURES / "whois"
RDAP = FIXTURES / "rdap"

# Public addresses only where the test wants "public"; the private ones are the point of their test.
ZONE = [
    "shop.com. 300 IN A 93.184.216.34",
    "shop.com. 300 IN AAAA 2606:2800:220:1:248:1893:25c8:1946",
    "shop.com. 300 IN MX 10 mx.shop.com.",
    "shop.com. 300 IN NS ns1.shop.com.",
    "www.shop.com. 120 IN A 93.184.216.34",
    "themarquetry.com. 600 IN A 198.185.159.144",
    "themarquetry.com. 600 IN MX 10 mx.themarquetry.com.",
    "themarquetry.com. 600 IN NS ns1.themarquetry.com.",
    "nomail.com. 600 IN A 151.101.1.1",
    "nomail.com. 600 IN NS ns.nomail.com.",
    "internal-bank.com. 300 IN A 10.0.0.5",
    "internal-bank.com. 300 IN A 127.0.0.1",
    "flux.com. 60 IN A 45.33.1.1",
    "flux.com. 60 IN A 91.121.2.2",
    "flux.com. 60 IN A 104.16.3.3",
    "flux.com. 60 IN A 185.199.4.4",
    "flux.com. 60 IN A 151.101.5.5",
    "noaddr.com. 300 IN MX 10 mx.noaddr.com.",
    "google.kz. 300 IN A 216.239.32.10",
    "google.kz. 300 IN NS ns1.google.com.",
    "google.kz. 300 IN MX 10 smtp.google.com.",
    "kaspi.kz. 300 IN A 194.187.247.152",
    "kaspi.kz. 300 IN MX 10 mx.kaspi.kz.",
    "yandex.kz. 300 IN A 5.255.255.77",
]


@pytest.fixture
async def dns_peer() -> AsyncIterator[DnsPeer]:
    peer = DnsPeer(ZONE, servfail={"broken.com"}, silent={"silent.com"})
    await peer.start()
    yield peer
    peer.close()


@pytest.fixture
async def kz_whois() -> AsyncIterator[WhoisPeer]:
    """whois.nic.kz, replaying its real answers."""
    peer = WhoisPeer({
        "google.kz": WHOIS / "whois.nic.kz__google.kz.2026.txt",
        "yandex.kz": WHOIS / "whois.nic.kz__yandex.kz.txt",
        "ps.kz": WHOIS / "whois.nic.kz__ps.kz.txt",
    }, default=(WHOIS / "whois.nic.kz__likexian-have-no-money-to-register.kz.txt").read_bytes())
    await peer.start()
    yield peer
    await peer.close()


@pytest.fixture
async def rdap_peer() -> AsyncIterator[RdapPeer]:
    peer = RdapPeer({
        "google.com": (200, RDAP / "rdap.verisign.com__google.com.2026.json"),
        "themarquetry.com": (200, RDAP / "rdap.verisign.com__themarquetry.com.json"),
        "shop.com": (200, RDAP / "rdap.verisign.com__themarquetry.com.json"),
        "bitcoin.top": (200, RDAP / "rdap.zdnsgtld.com__bitcoin.top.json"),
        "broken.com": (500, b"oops"),
        "slow.com": (200, RDAP / "rdap.verisign.com__google.com.2026.json", 0.6),
        "nodate.com": (200, b'{"objectClassName": "domain", "ldhName": "nodate.com", "events": []}'),
    })
    await peer.start()
    yield peer
    await peer.close()


def thin_iceagesaga() -> tuple[bytes, bytes]:
    """Returns (registry reply, registrar reply) of the real iceagesaga.com chain, with the registry's
    Creation Date line removed: the shape of a thin registry, which names the registrar but no date."""
    parts = chain_parts(WHOIS / "chain__iceagesaga.com.txt")
    registry = b"".join(line for line in parts["whois.verisign-grs.com"].splitlines(keepends=True)
                        if b"Creation Date" not in line)
    return registry, parts["whois.diymysite.com"]


def path_of(name: str) -> Path:
    return WHOIS / name
