"""RDAP: bootstrap reading and the client against a local RDAP server replaying real domain objects."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from service.signals.domain_age import Registration
from service.signals.rdap import BUNDLED_BOOTSTRAP, RdapBootstrap, RdapClient
from tests.peers.fixtures import RDAP
from tests.peers.rdap_server import RdapPeer


def test_bundled_bootstrap_is_the_newest_iana_snapshot() -> None:
    bootstrap = RdapBootstrap.from_file(BUNDLED_BOOTSTRAP)
    assert bootstrap.publication == "2026-06-26T18:00:02Z"
    assert bootstrap.base_urls("shop.com") == ("https://rdap.verisign.com/com/v1/",)
    assert bootstrap.base_urls("google.kz") == () and bootstrap.base_urls("x.xn--80ao21a") == ()
    assert bootstrap.base_urls("x.kg") == ("http://rdap.cctld.kg/",)  # http only where nothing else is offered


def test_bootstrap_rejects_a_file_that_is_not_one(tmp_path: Path) -> None:
    bad = tmp_path / "dns.json"
    bad.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(ValueError, match="not an IANA RDAP bootstrap"):
        RdapBootstrap.from_file(bad)


@pytest.mark.parametrize(("domain", "status", "registered_on", "error"), [
    ("google.com", Registration.REGISTERED, date(1997, 9, 15), ""),
    ("themarquetry.com", Registration.REGISTERED, date(2021, 3, 16), ""),
    ("bitcoin.top", Registration.REGISTERED, date(2014, 11, 17), ""),  # ldhName with a trailing dot
    ("jsiqpmcurt.com", Registration.UNREGISTERED, None, ""),  # 404
    ("broken.com", Registration.FAILED, None, "http_500"),
    ("nodate.com", Registration.HIDDEN, None, ""),
])
async def test_lookup(rdap_peer: RdapPeer, tmp_path: Path, domain: str, status: Registration,
                      registered_on: date | None, error: str) -> None:
    client = RdapClient(RdapBootstrap.from_file(rdap_peer.bootstrap_file(tmp_path, ["com", "top"])))
    try:
        age = await client.lookup(domain)
    finally:
        await client.close()
    assert age is not None
    assert (age.status, age.registered_on, age.error, age.source) == (status, registered_on, error, "rdap")
    assert rdap_peer.requests[domain] == 1


async def test_slow_server_times_out(rdap_peer: RdapPeer, tmp_path: Path) -> None:
    client = RdapClient(RdapBootstrap.from_file(rdap_peer.bootstrap_file(tmp_path, ["com"])), timeout_s=0.2)
    try:
        age = await client.lookup("slow.com")  # the server takes 0.6 s
    finally:
        await client.close()
    assert age is not None and (age.status, age.error) == (Registration.FAILED, "timeout")


async def test_tld_without_rdap_gives_none(rdap_peer: RdapPeer, tmp_path: Path) -> None:
    client = RdapClient(RdapBootstrap.from_file(rdap_peer.bootstrap_file(tmp_path, ["com"])))
    try:
        assert await client.lookup("google.kz") is None
    finally:
        await client.close()
    assert rdap_peer.total == 0


async def test_redirects_are_not_followed(tmp_path: Path) -> None:
    peer = RdapPeer({"moved.com": (302, b"")})
    await peer.start()
    client = RdapClient(RdapBootstrap.from_file(peer.bootstrap_file(tmp_path, ["com"])))
    try:
        age = await client.lookup("moved.com")
    finally:
        await client.close()
        await peer.close()
    assert age is not None and (age.status, age.error) == (Registration.FAILED, "http_302")


def test_real_captures_parse() -> None:
    from service.signals.rdap import _domain_age_from
    for name, expected in [("rdap.markmonitor.com__google.com.json", date(1997, 9, 15)),
                           ("rdap.namecheap.com__deep.surf.json", date(2020, 7, 1)),
                           ("rdap.norid.no__norway.no.json", None),
                           ("rdap.nic.cz__example.cz.json", None)]:
        age = _domain_age_from("x", "h", (RDAP / name).read_bytes())
        if expected is not None:
            assert age.registered_on == expected, name
        else:
            assert age.status in (Registration.REGISTERED, Registration.HIDDEN), name


async def test_a_huge_body_is_dropped_while_streaming(tmp_path: Path) -> None:
    # Issue 10: RDAP bodies were read whole before the 1 MB check. This server declares 200 MB, sends 2 MB
    # and then stalls: reading it whole could only end in a timeout.
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rdap+json\r\nContent-Length: 209715200\r\n\r\n")
        writer.write(b'{"events": [' + b" " * (2 << 20))
        await writer.drain()
        await asyncio.sleep(30)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    boot = tmp_path / "dns.json"
    boot.write_text(json.dumps({"version": "1.0", "services": [[["com"], [f"http://127.0.0.1:{port}/"]]]}))
    client = RdapClient(RdapBootstrap.from_file(boot), timeout_s=10)
    try:
        age = await client.lookup("huge.com")
    finally:
        await client.close()
        server.close()
    assert age is not None and (age.status, age.error) == (Registration.FAILED, "too_large")


async def test_a_deeply_nested_body_is_a_bad_body(tmp_path: Path) -> None:
    peer = RdapPeer({"nested.com": (200, b"[" * 100_000)})
    await peer.start()
    client = RdapClient(RdapBootstrap.from_file(peer.bootstrap_file(tmp_path, ["com"])))
    try:
        age = await client.lookup("nested.com")
    finally:
        await client.close()
        await peer.close()
    assert age is not None and (age.status, age.error) == (Registration.FAILED, "bad_body")
