"""Range lookup answer size and latency over HTTP, against a real `abaila serve` on 127.0.0.1.

    .venv/bin/python bench/bench_indicators.py [--sizes 0,10000,100000] [--requests 400]

For each size N, fills a fresh SQLite store with N listed cards (one import, as a moderator would), starts
`abaila serve` on a free port, and times --requests sequential `GET /v1/indicators/range/{5 hex}`: half for
ranges that hold a listed card, half for random ranges. Prints one table row per N: answer bytes (always
RANGE_LINES x LINE_BYTES unless a range holds more than RANGE_LINES listings), and p50 / p95 / max latency.
The requests stay under the per-address rate limit (600 a minute), so none is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stdnum import luhn  # noqa: E402

from service.api.indicators import LINE_BYTES, RANGE_LINES, RANGE_PER_MINUTE  # noqa: E402
from service.indicators import hash_hex, range_prefix  # noqa: E402
from service.store import Store  # noqa: E402


def _cards(n: int, rng: random.Random) -> list[str]:
    out = set()
    while len(out) < n:
        base = "4" + "".join(rng.choice("0123456789") for _ in range(14))
        out.add(f"card:{base}{luhn.calc_check_digit(base)}")
    return sorted(out)


async def _fill(url: str, cards: list[str]) -> None:
    store = await Store.open(url)
    try:
        if cards:
            await store.import_entries(cards, list_name="abaila-indicators", category=None, reason="bench",
                                       actor="bench")
    finally:
        await store.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _measure(size: int, requests: int, rng: random.Random) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/store.db"
        cards = _cards(size, rng)
        started = time.perf_counter()
        asyncio.run(_fill(url, cards))
        fill_s = time.perf_counter() - started
        port = _free_port()
        env = {**os.environ, "ABAILA_DATABASE_URL": url, "ABAILA_VAR_DIR": f"{tmp}/var",
               "ABAILA_DNS_SERVERS": "127.0.0.1:9", "ABAILA_LOG_LEVEL": "warning"}
        server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=10) as client:
                for _ in range(1200):  # a busy machine may take a minute to start the server
                    try:
                        if client.get("/readyz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.1)
                else:
                    raise SystemExit(f"abaila serve did not become ready on port {port}")
                listed = [range_prefix(hash_hex(c)) for c in rng.sample(cards, min(len(cards), requests // 2))]
                randoms = [f"{rng.randrange(16**5):05X}" for _ in range(requests - len(listed))]
                latencies, sizes = [], []
                for prefix in listed + randoms:
                    t0 = time.perf_counter()
                    response = client.get(f"/v1/indicators/range/{prefix}")
                    latencies.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200, response.text
                    sizes.append(len(response.content))
        finally:
            server.terminate()
            server.wait(timeout=10)
    latencies.sort()
    return {"size": size, "fill_s": fill_s, "bytes_min": min(sizes), "bytes_max": max(sizes),
            "p50": statistics.median(latencies), "p95": latencies[int(len(latencies) * 0.95) - 1],
            "max": latencies[-1], "n": len(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,10000,100000")
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    if args.requests > RANGE_PER_MINUTE:
        parser.error(f"--requests must stay under the rate limit of {RANGE_PER_MINUTE} a minute")
    rng = random.Random(14)
    print(f"range answer: {RANGE_LINES} lines x {LINE_BYTES} bytes = {RANGE_LINES * LINE_BYTES} bytes when padded")
    print(f"{'listed':>8} {'fill s':>7} {'bytes':>11} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'requests':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        row = _measure(size, args.requests, rng)
        low, high = row["bytes_min"], row["bytes_max"]
        span = f"{low}" if low == high else f"{low}-{high}"
        print(f"{row['size']:>8} {row['fill_s']:>7.1f} {span:>11} {row['p50']:>7.2f} {row['p95']:>7.2f} "
              f"{row['max']:>7.2f} {row['n']:>8}")


if __name__ == "__main__":
    main()
