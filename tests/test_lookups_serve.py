"""A new domain checked through a real `abaila serve`, its age and DNS facts from local protocol peers.

The peers (dnslib DNS, HTTP RDAP, port-43 WHOIS replaying real registry answers) run in their own event
loop on a background thread, so they answer while this test makes blocking HTTP calls to the server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._env import CLOSED_PORT, offline_upstreams
from tests._serve import environ, serve
from tests.conftest import write_lists
from tests.peers.dns_server import DnsPeer
from tests.peers.fixtures import RDAP, WHOIS, ZONE
from tests.peers.rdap_server import RdapPeer
from tests.peers.servers import PeerLoop
from tests.peers.whois_server import WhoisPeer


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[dict[str, Any]]:
    loop = PeerLoop()
    dns = DnsPeer([*ZONE, "slowshop.kz. 300 IN A 93.184.216.34"])
    rdap = RdapPeer({"themarquetry.com": (200, RDAP / "rdap.verisign.com__themarquetry.com.json")})
    kz_whois = WhoisPeer({"google.kz": WHOIS / "whois.nic.kz__google.kz.2026.txt"},
                         default=(WHOIS / "whois.nic.kz__likexian-have-no-money-to-register.kz.txt").read_bytes())
    # Drips a real KazNIC answer a byte every 1.5 ms: about 1.6 s in all, past a 500 ms check deadline.
    slow_whois = WhoisPeer({}, default=(WHOIS / "whois.nic.kz__ps.kz.txt").read_bytes(), drip_s=0.0015)
    ports = {"dns": loop.run(dns.start()), "rdap": loop.run(rdap.start()), "kz": loop.run(kz_whois.start()),
             "slow": loop.run(slow_whois.start())}
    yield {"ports": ports, "dns": dns, "rdap": rdap, "kz_whois": kz_whois, "slow_whois": slow_whois,
           "bootstrap": rdap.bootstrap_file(tmp_path, ["com"])}
    dns.close()
    for peer in (rdap, kz_whois, slow_whois):
        loop.run(peer.close())
    loop.close()


def _env(tmp_path: Path, peers: dict[str, Any], deadline_ms: int) -> dict[str, str]:
    ports = peers["ports"]
    whois = offline_upstreams(tmp_path / "offline")["ABAILA_WHOIS_SERVERS"]
    return environ(tmp_path, write_lists(tmp_path / "lists"), **{
        "ABAILA_DNS_SERVERS": f"127.0.0.1:{ports['dns']}",
        "ABAILA_RDAP_BOOTSTRAP": str(peers["bootstrap"]),
        # .kz goes to the local KazNIC replay (the slow-WHOIS test swaps in the dripping one); every other
        # WHOIS server stays a closed local port.
        "ABAILA_WHOIS_SERVERS": f"{whois},kz=127.0.0.1:{ports['kz']}",
        "ABAILA_CHECK_DEADLINE_MS": str(deadline_ms),
    })


def test_new_domains_show_age_and_dns_facts_from_rdap_whois_and_dns(tmp_path: Path,
                                                                    peers: dict[str, Any]) -> None:
    with serve(_env(tmp_path, peers, 1500)) as base:
        com = httpx.get(f"{base}/v1/check", params={"url": "https://themarquetry.com/shop"}, timeout=10).json()
        assert com["complete"] is True and com["pending"] == []
        assert com["signals"]["registration_source"] == "rdap"
        assert com["signals"]["registered_on"].startswith("20")
        assert isinstance(com["signals"]["domain_age_days"], int) and com["signals"]["domain_age_days"] > 0
        assert com["signals"]["dns"]["outcome"] == "resolves"
        assert "198.185.159.144" in com["signals"]["dns"]["addresses"]

        kz = httpx.get(f"{base}/v1/check", params={"url": "https://google.kz/"}, timeout=10).json()
        assert kz["signals"]["registration_source"] == "whois"
        assert kz["signals"]["registered_on"].startswith("1999")
        assert kz["signals"]["dns"]["outcome"] == "resolves"
        assert peers["kz_whois"].queries["google.kz"] == 1

        unregistered = httpx.get(f"{base}/v1/check", params={"url": "https://no-such-shop.kz/"}, timeout=10).json()
        assert unregistered["signals"]["registration"] == "unregistered"
        assert any(r["code"] == "domain.unregistered" for r in unregistered["reasons"])


def test_slow_whois_never_holds_a_check_past_its_deadline(tmp_path: Path, peers: dict[str, Any]) -> None:
    env = _env(tmp_path, peers, 500)
    env["ABAILA_WHOIS_SERVERS"] = env["ABAILA_WHOIS_SERVERS"].replace(
        f"kz=127.0.0.1:{peers['ports']['kz']}", f"kz=127.0.0.1:{peers['ports']['slow']}")
    assert CLOSED_PORT in env["ABAILA_WHOIS_SERVERS"]
    with serve(env) as base:
        # The slow WHOIS server answers after the 500 ms deadline: the check answers without it.
        first = httpx.get(f"{base}/v1/check", params={"url": "https://slowshop.kz/pay"}, timeout=10).json()
        assert first["complete"] is False and "domain_age" in first["pending"] and first["ttl"] <= 30
        # The lookup went on in the background: a later check has the registration date.
        deadline = time.monotonic() + 10
        while True:
            time.sleep(0.5)
            later = httpx.get(f"{base}/v1/check", params={"url": "https://slowshop.kz/pay"}, timeout=10).json()
            if later["complete"] or time.monotonic() > deadline:
                break
        assert later["complete"] is True and later["signals"]["registered_on"]
        assert peers["slow_whois"].queries["slowshop.kz"] == 1  # one query, not one per check
