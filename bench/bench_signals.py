"""Slow-signal throughput and latency against local DNS, RDAP and WHOIS servers.

    .venv/bin/python bench/bench_signals.py [--n 2000] [--concurrency 50] [--redis redis://127.0.0.1:6379/15]

Runs `SlowSignals.collect` for N distinct new domains (uncached: one RDAP or WHOIS query and four DNS
questions each, answered by the in-process peers from tests/peers), then the same N again (cached), and
prints checks/s with p50/p99 latency. The peers share the event loop with the client, so the uncached
numbers include the servers' own work: read them as a lower bound on the client, not a registry's speed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.lookups import LookupConfig, SlowSignals  # noqa: E402
from tests.peers.dns_server import DnsPeer  # noqa: E402
from tests.peers.rdap_server import RdapPeer  # noqa: E402
from tests.peers.whois_server import WhoisPeer  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


async def _run(signals: SlowSignals, names: list[str], concurrency: int) -> tuple[float, list[float], int]:
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    incomplete = 0

    async def one(name: str) -> None:
        nonlocal incomplete
        async with limit:
            started = time.perf_counter()
            result = await signals.collect(name, name, deadline_s=1.5)
            latencies.append(time.perf_counter() - started)
            incomplete += bool(result.pending)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in names))
    return time.perf_counter() - started, latencies, incomplete


def _row(label: str, elapsed: float, latencies: list[float], incomplete: int) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rate = len(latencies) / elapsed
    return f"| {label:<28} | {len(latencies):>6} | {rate:>8.0f} | {p50:>8.2f} | {p99:>8.2f} | {incomplete:>7} |"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="distinct domains per run (default 2000)")
    parser.add_argument("--concurrency", type=int, default=50, help="collects in flight (default 50)")
    parser.add_argument("--redis", help="a Redis URL to use as the cache instead of memory")
    args = parser.parse_args()

    com = [f"shop{i}.com" for i in range(args.n)]
    kz = [f"shop{i}.kz" for i in range(args.n)]
    body = (FIXTURES / "rdap" / "rdap.verisign.com__themarquetry.com.json").read_bytes()
    kz_reply = (FIXTURES / "whois" / "whois.nic.kz__google.kz.2026.txt").read_bytes()
    zone = [f"{n}. 300 IN A 93.184.{i % 250}.{i % 200 + 1}" for i, n in enumerate(com + kz)]
    zone += [f"{n}. 300 IN MX 10 mx.{n}." for n in com + kz]
    dns_peer, rdap_peer = DnsPeer(zone), RdapPeer({n: (200, body) for n in com})
    whois_peer = WhoisPeer({}, default=kz_reply)
    dns_port, _, whois_port = await dns_peer.start(), await rdap_peer.start(), await whois_peer.start()
    with tempfile.TemporaryDirectory() as tmp:
        config = LookupConfig(dns_servers=(("127.0.0.1", dns_port),), whois_servers={"kz": ("127.0.0.1", whois_port)},
                              rdap_bootstrap=str(rdap_peer.bootstrap_file(Path(tmp), ["com"])),
                              redis_url=args.redis, whois_per_server=8, dns_max_in_flight=256, rdap_per_host=32)
        signals = SlowSignals(config)
        await signals.start()
        rows = []
        try:
            if args.redis:
                await signals._cache.clear()  # a clean slate in the bench's Redis database
            rows.append(_row("uncached .com (RDAP + DNS)", *await _run(signals, com, args.concurrency)))
            rows.append(_row("uncached .kz (WHOIS + DNS)", *await _run(signals, kz, args.concurrency)))
            rows.append(_row("cached .com", *await _run(signals, com, args.concurrency)))
            rows.append(_row("cached .kz", *await _run(signals, kz, args.concurrency)))
            health = await signals.health()
        finally:
            await signals.close()
            dns_peer.close()
            await rdap_peer.close()
            await whois_peer.close()
    print(f"cache: {health['cache']} (ok={health['cache_ok']}), concurrency {args.concurrency}, "
          f"Python {sys.version.split()[0]}")
    print("| run                          | checks | checks/s | p50 (ms) | p99 (ms) | pending |")
    print("|------------------------------|--------|----------|----------|----------|---------|")
    print("\n".join(rows))
    print(f"upstream: {rdap_peer.total} RDAP requests, {whois_peer.total} WHOIS queries, "
          f"{dns_peer.total} DNS questions")


if __name__ == "__main__":
    asyncio.run(main())
