"""WHOIS: parsing real captures, and the port-43 client against replaying peers."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from service.signals.domain_age import Registration, parse_registry_date
from service.signals.whois import WhoisClient, WhoisError, _parse_reply, _ParserProcess, _referral_in, fetch_whois
from service.signals.whois_kz import parse_kz
from tests._serve import free_port
from tests.peers.fixtures import WHOIS, thin_iceagesaga
from tests.peers.whois_server import WhoisPeer, chain_parts

# (capture, domain asked, found (True/False/None = cannot tell), creation date)
vectors = [
    ("whois.nic.kz__google.kz.2026.txt", "google.kz", True, date(1999, 6, 7)),
    ("whois.nic.kz__google.kz.2014.txt", "google.kz", True, date(1999, 6, 7)),
    ("whois.nic.kz__google.kz.2010.txt", "google.kz", True, date(1999, 6, 7)),
    ("whois.nic.kz__google.kz.python-whois-pr119.txt", "google.kz", True, date(1999, 6, 7)),
    ("whois.nic.kz__yandex.kz.txt", "yandex.kz", True, date(2009, 7, 1)),
    ("whois.nic.kz__ps.kz.txt", "ps.kz", True, date(2003, 8, 18)),
    ("whois.nic.kz__pedamotor.kz.2013.txt", "pedamotor.kz", True, date(2010, 9, 13)),
    ("whois.nic.kz__likexian-have-no-money-to-register.kz.txt", "likexian-have-no-money-to-register.kz",
     False, None),
    ("whois.verisign-grs.com__google.com.2026.txt", "google.com", True, date(1997, 9, 15)),
    ("whois.verisign-grs.com__google.com.2017.txt", "google.com", True, date(1997, 9, 15)),
    ("whois.verisign-grs.com__u34jedzcq.com.txt", "u34jedzcq.com", False, None),
    ("whois.markmonitor.com__google.com.2015.txt", "google.com", True, date(1997, 9, 15)),
    ("whois.markmonitor.com__google.com.2026-empty.txt", "google.com", None, None),
    ("whois.namecheap.com__redacted.xyz.txt", "redacted.xyz", True, date(2019, 10, 15)),
    ("whois.namesilo.com__com-wu.top.txt", "com-wu.top", True, date(2020, 2, 25)),
    ("whois.nic.top__likexian-have-no-money-to-register.top.txt", "likexian-have-no-money-to-register.top",
     False, None),
    ("whois.nic.xyz__likexian-have-no-money-to-register.xyz.txt", "likexian-have-no-money-to-register.xyz",
     False, None),
    ("whois.tcinet.ru__google.ru.txt", "google.ru", True, date(2004, 3, 3)),
    ("whois.tcinet.ru__likexian-have-no-money-to-register.ru.txt", "likexian-have-no-money-to-register.ru",
     False, None),
    ("whois.kg__google.kg.2025.txt", "google.kg", True, date(2004, 2, 10)),
    ("whois.cctld.uz__google.uz.txt", "google.uz", True, date(2006, 4, 13)),
    ("whois.cctld.uz__u34jedzcq.uz.txt", "u34jedzcq.uz", False, None),
    ("whois.pir.org__google.org.txt", "google.org", True, date(1998, 10, 21)),
]


@pytest.mark.parametrize(("capture", "domain", "found", "created"), vectors, ids=[v[0] for v in vectors])
def test_parse_reply(capture: str, domain: str, found: bool | None, created: date | None) -> None:
    reply = _parse_reply(domain, (WHOIS / capture).read_text(encoding="utf-8"), True)
    assert reply.found is found
    assert parse_registry_date(reply.created) == created


def test_registrar_not_found_is_not_unregistered() -> None:
    # Namecheap does not hold slavichy.com: that says nothing about the registry.
    reply = _parse_reply("slavichy.com", (WHOIS / "whois.namecheap.com__slavichy.com.txt").read_text(), False)
    assert reply.found is None


@pytest.mark.parametrize(("text", "created"), [
    ("Domain created: 2010-05-21 06:34:24 (GMT+0:00)\n", date(2010, 5, 21)),
    ("Domain created.........: 2010-05-21 06:34:24\n", date(2010, 5, 21)),  # whois.megahost.kz
    ("Domain created: 1999-06-07 20:01:43.0\n", date(1999, 6, 7)),
])
def test_parse_kz_date_formats(text: str, created: date) -> None:
    assert parse_kz("Domain Name............: x.kz\n" + text).created == created


@pytest.mark.parametrize(("text", "host"), [
    ("refer:        whois.verisign-grs.com\n", "whois.verisign-grs.com"),
    ("   Registrar WHOIS Server: whois.markmonitor.com\n", "whois.markmonitor.com"),
    ("ReferralServer: whois://whois.example-registrar.com\n", "whois.example-registrar.com"),
    ("Registrar WHOIS Server: 127.0.0.1\n", None),  # never an IP literal
    ("Registrar WHOIS Server: localhost\n", None),
    ("Registrar WHOIS Server: whois.corp.internal\n", None),
    ("Registrar WHOIS Server: \n", None),
])
def test_referral_in(text: str, host: str | None) -> None:
    assert _referral_in(text) == host


async def test_kz_found_and_not_found(kz_whois: WhoisPeer) -> None:
    client = WhoisClient({"kz": ("127.0.0.1", kz_whois.port)})
    found = await client.lookup("google.kz")
    assert (found.status, found.registered_on, found.source) == (Registration.REGISTERED, date(1999, 6, 7), "whois")
    yandex = await client.lookup("yandex.kz")  # CRLF and Cyrillic status lines
    assert yandex.registered_on == date(2009, 7, 1)
    missing = await client.lookup("likexian-have-no-money-to-register.kz")
    assert missing.status is Registration.UNREGISTERED
    assert kz_whois.queries == {"google.kz": 1, "yandex.kz": 1, "likexian-have-no-money-to-register.kz": 1}


async def test_kaz_idn_goes_to_whois_nic_kz_by_default() -> None:
    client = WhoisClient()
    assert client.has_server("xn--80aaa0a.xn--80ao21a") and client.has_server("shop.com.kz")
    from service.signals.whois import DEFAULT_SERVERS
    assert DEFAULT_SERVERS["xn--80ao21a"] == DEFAULT_SERVERS["kz"] == "whois.nic.kz"


async def test_thin_registry_referral_to_registrar() -> None:
    registry_reply, registrar_reply = thin_iceagesaga()
    registry = WhoisPeer({"iceagesaga.com": registry_reply})
    registrar = WhoisPeer({"iceagesaga.com": registrar_reply})
    client = WhoisClient({"com": ("127.0.0.1", await registry.start()),
                          "whois.diymysite.com": ("127.0.0.1", await registrar.start())})
    try:
        age = await client.lookup("iceagesaga.com")
    finally:
        await registry.close()
        await registrar.close()
    assert (age.status, age.registered_on, age.server) == (Registration.REGISTERED, date(2021, 4, 15),
                                                           "whois.diymysite.com")
    assert registry.queries["iceagesaga.com"] == 1 and registrar.queries["iceagesaga.com"] == 1


async def test_thick_registry_does_not_bother_the_registrar() -> None:
    registry = WhoisPeer({"google.com": WHOIS / "whois.verisign-grs.com__google.com.2026.txt"})
    registrar = WhoisPeer({"google.com": WHOIS / "whois.markmonitor.com__google.com.2015.txt"})
    client = WhoisClient({"com": ("127.0.0.1", await registry.start()),
                          "whois.markmonitor.com": ("127.0.0.1", await registrar.start())})
    try:
        age = await client.lookup("google.com")
    finally:
        await registry.close()
        await registrar.close()
    assert age.registered_on == date(1997, 9, 15) and registrar.total == 0


async def test_thin_registry_with_empty_registrar_reply_is_hidden() -> None:
    registry_reply, _ = thin_iceagesaga()
    registry = WhoisPeer({"iceagesaga.com": registry_reply})
    registrar = WhoisPeer({}, default=(WHOIS / "whois.markmonitor.com__google.com.2026-empty.txt").read_bytes())
    client = WhoisClient({"com": ("127.0.0.1", await registry.start()),
                          "whois.diymysite.com": ("127.0.0.1", await registrar.start())})
    try:
        age = await client.lookup("iceagesaga.com")
    finally:
        await registry.close()
        await registrar.close()
    assert age.status is Registration.HIDDEN


async def test_iana_referral_for_unknown_tld() -> None:
    parts = chain_parts(WHOIS / "chain__nic.live.txt")
    iana = WhoisPeer({"live": parts["whois.iana.org"]})
    registry = WhoisPeer({"nic.live": parts["whois.nic.live"]})
    client = WhoisClient({"whois.iana.org": ("127.0.0.1", await iana.start()),
                          "whois.nic.live": ("127.0.0.1", await registry.start())})
    try:
        first = await client.lookup("nic.live")
        second = await client.lookup("nic.live")
    finally:
        await iana.close()
        await registry.close()
    assert first.registered_on == second.registered_on == date(2015, 4, 27)
    assert iana.queries["live"] == 1  # the TLD's server is remembered
    assert registry.queries["nic.live"] == 2


async def test_total_deadline_holds_against_a_dripping_server() -> None:
    drip = WhoisPeer({"google.kz": WHOIS / "whois.nic.kz__google.kz.2026.txt"}, drip_s=0.01)
    client = WhoisClient({"kz": ("127.0.0.1", await drip.start())}, timeout_s=0.5)
    try:
        age = await client.lookup("google.kz")  # the whole reply would take 10 s to drip in
    finally:
        await drip.close()
    assert (age.status, age.error) == (Registration.FAILED, "timeout")


async def test_fetch_whois_caps_reply_size() -> None:
    big = WhoisPeer({"x.kz": b"a" * 100_000})
    port = await big.start()
    try:
        text = await fetch_whois("127.0.0.1", port, "x.kz", timeout_s=2, max_bytes=1000)
    finally:
        await big.close()
    assert 1000 <= len(text) < 100_000


async def test_empty_reply_and_refused_connection_fail_cleanly() -> None:
    empty = WhoisPeer({})
    client = WhoisClient({"kz": ("127.0.0.1", await empty.start()), "uz": ("127.0.0.1", free_port())})
    try:
        assert (await client.lookup("empty.kz")).error == "empty_reply"
        assert (await client.lookup("closed.uz")).error == "connect"
    finally:
        await empty.close()


async def test_per_server_concurrency_is_bounded() -> None:
    peer = WhoisPeer({}, default=b"Domain Name: x.kz\n", drip_s=0.0)
    in_flight = 0
    peak = 0
    original = peer.handle

    async def counting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        await original(reader, writer)
        in_flight -= 1

    peer.handle = counting  # type: ignore[method-assign]
    client = WhoisClient({"kz": ("127.0.0.1", await peer.start())}, per_server_limit=2)
    try:
        await asyncio.gather(*(client.lookup(f"d{i}.kz") for i in range(10)))
    finally:
        await peer.close()
    assert peer.total == 10 and peak <= 2


@pytest.mark.timeout(60)
async def test_a_32_kb_reply_without_newline_cannot_stall_the_loop() -> None:
    # Issue 10: python-whois's regexes on this froze the whole instance for 27 s (they hold the GIL).
    bomb = WhoisPeer({}, default=b"Domain Name: x" + b"a" * (32 * 1024))
    client = WhoisClient({"kz": ("127.0.0.1", await bomb.start())}, timeout_s=20)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        age = await client.lookup("whois-bomb.kz")
    finally:
        ticker.cancel()
        await bomb.close()
        client.close()
    assert age.status in (Registration.HIDDEN, Registration.FAILED)
    assert ticks > 1  # the loop ran while the reply was parsed elsewhere


async def test_parse_overrunning_its_time_is_killed_and_the_next_parse_works() -> None:
    parser = _ParserProcess()
    text = (WHOIS / "whois.nic.kz__google.kz.2026.txt").read_text(encoding="utf-8", errors="replace")
    try:
        with pytest.raises(WhoisError) as caught:
            await parser.parse("google.kz", text, True, 0.001)  # no worker starts and answers within 1 ms
        assert caught.value.reason == "timeout"
        reply = await parser.parse("google.kz", text, True, 60)  # a fresh worker replaces the killed one
    finally:
        parser.close()
    assert reply.found is True and reply.created is not None


async def test_referral_to_a_private_address_is_not_followed() -> None:
    registry_reply, _ = thin_iceagesaga()
    registry = WhoisPeer({"iceagesaga.com": registry_reply})
    asked: list[str] = []

    async def resolve(host: str) -> list[str]:
        asked.append(host)
        return ["127.0.0.1", "10.0.0.8"]  # DNS under an attacker's control

    client = WhoisClient({"com": ("127.0.0.1", await registry.start())}, resolve=resolve)
    try:
        age = await client.lookup("iceagesaga.com")
    finally:
        await registry.close()
        client.close()
    assert asked == ["whois.diymysite.com"] and age.status is Registration.HIDDEN


async def test_per_server_query_budget() -> None:
    kz = WhoisPeer({}, default=(WHOIS / "whois.nic.kz__google.kz.2026.txt").read_bytes())
    client = WhoisClient({"kz": ("127.0.0.1", await kz.start())}, query_budget=2)
    try:
        ages = [await client.lookup(f"shop{i}.kz") for i in range(3)]
    finally:
        await kz.close()
        client.close()
    assert [a.error for a in ages][2] == "budget" and kz.total == 2


def test_the_parser_worker_exits_when_its_instance_is_killed(tmp_path) -> None:
    # A killed instance (SIGKILL: no lifespan shutdown) must not leave its WHOIS parser worker behind.
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "instance.py"
    script.write_text(
        "import asyncio, os, sys\n"
        "from service.signals.whois import _ParserProcess\n"
        "async def main():\n"
        "    parser = _ParserProcess()\n"
        "    await parser.parse('x.kz', 'Domain Name: x.kz', True, 60)\n"
        "    print(list(parser._pool._processes)[0], flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n", encoding="utf-8")
    instance = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                                cwd=Path(__file__).resolve().parents[2])
    worker = int(instance.stdout.readline())
    instance.send_signal(signal.SIGKILL)
    instance.wait()
    for _ in range(100):
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    raise AssertionError("the parser worker outlived its instance")
