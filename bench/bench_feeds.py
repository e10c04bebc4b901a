#!/usr/bin/env python3
"""Measures a 1-million-entry feed sync on a real `abaila serve` and prints a table.

    python bench/bench_feeds.py [--entries 1000000] [--rebuilds 5] [--heap]

The feed: every distinct domain and URL expression of the real lists in ../shared/data (phishing domains,
hosts files, AdBlock lists, URL feeds, popularity lists) — about 0.9 million — topped up to --entries with
`www.` variants of the phishing domains, served by a local HTTP server (tests/peers/feed_server.py) with
ETag and gzip. The server: one `abaila serve` process (one worker, bundled lists, a throw-away SQLite store),
`ABAILA_FEEDS` naming that feed, run under bench/watched_serve.py (an event-loop stall sampler and a heap
report on SIGUSR1; it changes nothing the server does). A separate `abaila feeds sync --once` process
fetches the feed (as a sync worker or another instance would), and the server applies it from the store.

Rows:
  apply           seconds from the start of `feeds sync --once` until the server's /readyz counts the
                  entries (fetch, judge in a child, store, notice within 2 s, child build, map, overlay, swap)
  re-apply        the same for a changed file (a tenth of the entries gone, then back), --rebuilds times
  RSS             the serving process's resident set (VmRSS) = anonymous (RssAnon: heap, stacks; what the
                  process owns) + file-backed (RssFile: mapped files, mostly the snapshot's touched pages,
                  which are page cache: shared with every process mapping the same snapshot, reclaimable)
                  before the first sync, 3 s after each rebuild and 10 s after the last; then a fresh server
                  started on the same snapshot, after the same 10 s of checks
  per million     (RSS now - RSS before the first sync) / millions of entries, for anon, file and the total.
                  Issue 17's budget (32 MB per million after any number of rebuilds) is read as the total;
                  the anonymous part alone is what a rebuild could leave behind
  Index objects   alive in the server at the end, after a gc.collect (1: nothing keeps an old index)
  check latency   GET /v1/check from one client thread: p50 / p99 / max before the syncs, while they were
                  being applied, and within -1.2 .. +1 s of each swap (seen by polling /readyz every 0.2 s)
  stalls          times the event loop did not run for over 50 ms during the syncs, with the main thread's
                  CPU time in them: about the stall's length means our code kept the loop busy (its stack is
                  printed); near 0 means the process waited (for a core, on a busy machine, or for a lock)

--heap prints the server's heap counters (glibc mallinfo2, pymalloc, gc objects) after each rebuild;
BENCH_TRACEMALLOC=1 adds the allocation sites that grew between reports (slow: minutes per report).

Needs ../shared/data. Timings are wall clock on a shared machine: compare rows of one run, not runs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("ABAILA_TEST_SHARED") or ROOT.parent / "shared") / "data"  # as tests/_env.py
LIST_DIRS = ("phishing_domains", "hosts", "adblock", "urls", "popular")


def _feed_body(entries: int) -> tuple[bytes, list[str]]:
    from service.lists import read_list_file

    seen: dict[str, None] = {}
    phishing: list[str] = []
    for directory in LIST_DIRS:
        for path in sorted((DATA / directory).iterdir()):
            if path.is_file():
                parsed = read_list_file(path)
                for expression in parsed.expressions:
                    seen[expression] = None
                if directory == "phishing_domains":
                    phishing.extend(parsed.expressions)
    for expression in phishing:
        if len(seen) >= entries:
            break
        if "/" == expression[-1] and expression.count("/") == 1 and not expression.startswith("www."):
            seen.setdefault("www." + expression, None)
    items = list(seen)[:entries]
    # A URL list: host expressions as http://host/, path expressions as they are (the urls format reads both).
    lines = [f"http://{e}" for e in items]
    return ("# name: bench-1m\n# format: urls\n" + "\n".join(lines) + "\n").encode(), items


def _memory(pid: int) -> dict[str, int]:
    """Returns the process's VmRSS, RssAnon, RssFile and VmHWM in bytes (/proc/PID/status)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return {key: int(fields[key].split()[0]) * 1024 for key in ("VmRSS", "RssAnon", "RssFile", "VmHWM")}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Prober(threading.Thread):
    """GET /v1/check in a loop; records (start time, seconds) per request."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self) -> None:
        # Listed (bundled blocklist) and allowlisted hosts with varied paths: answered from the lists alone, so
        # the latency is the service's (event loop, index, scoring), not the slow signals' deadline.
        urls = [f"https://{host}/p{i}" for i in range(25) for host in ("kaspi-kz.top", "kaspi.kz")]
        with httpx.Client(timeout=30) as client:
            i = 0
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    client.get(f"{self.base}/v1/check", params={"url": urls[i % len(urls)]})
                except httpx.HTTPError:
                    self.errors += 1
                self.samples.append((started, time.perf_counter() - started))
                i += 1
                time.sleep(0.002)

    def window(self, start: float, end: float) -> list[float]:
        return [seconds for at, seconds in self.samples if start <= at <= end]


def _percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median, top = statistics.median(ordered) * 1000, ordered[-1] * 1000
    return f"{median:.1f} / {p99 * 1000:.1f} / {top:.1f} ms (n={len(ordered)})"


def _start_server(env: dict[str, str], report: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "watched_serve.py"), str(report), "serve",
                               "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and server.poll() is None, "abaila serve did not start"
        time.sleep(0.2)


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _heap_report(server: subprocess.Popen[bytes], report: Path) -> dict[str, Any]:
    """Returns the server's SIGUSR1 report: Index objects alive (after gc) and glibc's heap counters."""
    before = set(report.glob("memory-*.json"))
    server.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 600  # with BENCH_TRACEMALLOC=1 a snapshot takes a while
    while not (new := set(report.glob("memory-*.json")) - before):
        assert time.monotonic() < deadline, "no memory report"
        time.sleep(0.1)
    time.sleep(0.2)
    return dict(json.loads(new.pop().read_text()))


def _mb(value: float) -> str:
    return f"{value / 2**20:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rebuilds", type=int, default=5)
    parser.add_argument("--heap", action="store_true",
                        help="after each rebuild, print the server's heap counters (gc, glibc mallinfo2)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"needs {DATA}", file=sys.stderr)
        return 2
    from tests._env import offline_upstreams
    from tests.peers.feed_server import FeedPeer

    print("building the feed ...", flush=True)
    body, items = _feed_body(args.entries)
    print(f"feed: {len(items):,} entries, {len(body) / 1e6:.1f} MB", flush=True)
    peer = FeedPeer()
    peer.start()
    peer.serve("/bench.txt", body)
    peer.misbehave("/bench.txt", "500")  # the server's own first look fails: the sync worker does the fetch
    with tempfile.TemporaryDirectory(prefix="abaila-bench-feeds-") as tmp:
        work = Path(tmp)
        feeds = work / "feeds.toml"
        feeds.write_text(f'[[feed]]\nname = "bench-1m"\nurl = "{peer.url("/bench.txt")}"\n'
                         'category = "phishing"\nlicence = "mixed (see ../shared/data/SOURCES.md)"\nevery = "1d"\n'
                         'max_bytes = "256MB"\ntimeout = "10m"\n')
        env = {**os.environ, **offline_upstreams(work), "ABAILA_VAR_DIR": str(work / "var"),
               "ABAILA_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'abaila.db'}", "ABAILA_FEEDS": str(feeds),
               "ABAILA_ANON_RATE": "100000000/minute", "ABAILA_LOG_LEVEL": "warning"}
        report = work / "report"
        server, base = _start_server(env, report)
        rows: list[tuple[str, str]] = []
        try:
            def lists() -> dict[str, Any]:
                return dict(httpx.get(f"{base}/readyz", timeout=30).json()["checks"]["lists"])

            bundled = int(lists()["entries"])
            time.sleep(3)
            before = _memory(server.pid)
            if args.heap:
                print("before:", json.dumps(_heap_report(server, report)), flush=True)
            prober = _Prober(base)
            prober.start()
            time.sleep(5)
            quiet = prober.window(0, time.perf_counter())
            peer.behave("/bench.txt")
            swaps: list[float] = []  # when the server was seen to have swapped (readyz polled every 0.2 s)

            def sync_and_wait() -> tuple[float, int]:
                """Runs `feeds sync --once`; returns seconds until the server swapped in a new index, and its size."""
                rebuilds = int(lists()["rebuilds"])
                started = time.perf_counter()
                out = subprocess.run([sys.executable, "-m", "service", "feeds", "sync", "--once"], cwd=ROOT, env=env,
                                     capture_output=True, text=True, check=False)
                assert out.returncode == 0 and "changed" in out.stdout, out.stdout + out.stderr
                while (state := lists())["rebuilds"] <= rebuilds:
                    time.sleep(0.2)
                swaps.append(time.perf_counter())
                return swaps[-1] - started, int(state["entries"])

            apply_started = time.perf_counter()
            first, indexed = sync_and_wait()
            time.sleep(3)
            after_first = _memory(server.pid)
            reapply, per_round = [], []
            for round_ in range(args.rebuilds):
                keep = items[: len(items) - len(items) // 10] if round_ % 2 == 0 else items
                text = ("# name: bench-1m\n# format: urls\n" + "\n".join(f"http://{e}" for e in keep) + "\n").encode()
                peer.serve("/bench.txt", text)
                reapply.append(sync_and_wait()[0])
                time.sleep(3)
                per_round.append(_memory(server.pid))
                print(f"rebuild {round_ + 2}: {reapply[-1]:.1f} s, RSS {_mb(per_round[-1]['VmRSS'])} MB "
                      f"(anon {_mb(per_round[-1]['RssAnon'])}, file {_mb(per_round[-1]['RssFile'])})", flush=True)
                if args.heap:
                    print("   ", json.dumps(_heap_report(server, report)), flush=True)
            applying = prober.window(apply_started, time.perf_counter())
            around = [s for at, s in prober.samples if any(swap - 1.2 <= at <= swap + 1.0 for swap in swaps)]
            time.sleep(10)
            steady = _memory(server.pid)
            heap = _heap_report(server, report)
            alive, mallinfo = heap["indexes"], heap["mallinfo"]
            prober.stop.set()
            prober.join()
            _stop_server(server)
            stalls = [s for s in json.loads((report / "stalls.json").read_text())
                      if apply_started <= s["at"] <= swaps[-1]]

            # The same snapshot, loaded by a fresh server: what one index costs without any rebuild history.
            fresh_server, base = _start_server(env, report / "fresh")
            try:
                while lists()["entries"] != indexed and int(lists()["entries"]) < len(items) * 0.85:
                    time.sleep(0.5)
                fresh_prober = _Prober(base)
                fresh_prober.start()
                time.sleep(10)
                fresh_prober.stop.set()
                fresh_prober.join()
                fresh = _memory(fresh_server.pid)
            finally:
                _stop_server(fresh_server)

            million = len(items) / 1e6

            def growth(mem: dict[str, int], key: str) -> float:
                return (mem[key] - before[key]) / million / 2**20

            def memory_row(mem: dict[str, int]) -> str:
                return (f"{_mb(mem['VmRSS'])} MB = anon {_mb(mem['RssAnon'])} + file {_mb(mem['RssFile'])}; "
                        f"per million: anon {growth(mem, 'RssAnon'):.1f}, file {growth(mem, 'RssFile'):.1f}, "
                        f"total {growth(mem, 'VmRSS'):.1f} MB")

            rows = [
                ("feed entries", f"{len(items):,} (index after the first sync: {indexed:,})"),
                ("apply (first sync)", f"{first:.1f} s"),
                (f"re-apply (changed file) x{len(reapply)}", ", ".join(f"{s:.1f}" for s in reapply) + " s"),
                ("RSS before the first sync", f"{_mb(before['VmRSS'])} MB = anon {_mb(before['RssAnon'])} + file "
                                              f"{_mb(before['RssFile'])} (bundled lists: {bundled} entries)"),
                ("RSS after the first sync", memory_row(after_first)),
                *((f"RSS after rebuild {i + 2}", memory_row(mem)) for i, mem in enumerate(per_round)),
                (f"RSS steady after {1 + len(reapply)} rebuilds", memory_row(steady)),
                ("RSS, fresh server on that snapshot", memory_row(fresh)),
                ("RSS peak (VmHWM) of the rebuilt server", f"{_mb(steady['VmHWM'])} MB"),
                ("Index objects alive at the end", f"{len(alive)} (1 = only the current one)"),
                ("glibc heap at the end (mallinfo2)",
                 f"{_mb(mallinfo['arena'])} MB: {_mb(mallinfo['uordblks'])} in use, {_mb(mallinfo['fordblks'])} free; "
                 f"{_mb(mallinfo['hblkhd'])} MB in mmapped blocks"),
                ("check latency quiet (p50/p99/max)", _percentiles(quiet)),
                ("check latency during syncs", _percentiles(applying)),
                ("check latency around swaps (-1.2..+1 s)", _percentiles(around)),
                ("check errors", str(prober.errors + fresh_prober.errors)),
                ("event-loop stalls > 50 ms during syncs", f"{len(stalls)}, longest "
                 f"{max((s['seconds'] for s in stalls), default=0) * 1000:.0f} ms; "
                 f"{sum(1 for s in stalls if s['cpu_main'] >= s['seconds'] / 2)} of them busy "
                 "(main thread on CPU half the time or more; the rest waited for a core, a lock or I/O)"),
            ]
        finally:
            if server.poll() is None:
                _stop_server(server)
            peer.close()
        width = max(len(name) for name, _ in rows)
        print()
        for name, value in rows:
            print(f"{name:<{width}}  {value}")
        if len(alive) > 1:
            print("\nIndex objects alive:", json.dumps(alive, indent=1))
        for stall in sorted(stalls, key=lambda s: -s["seconds"])[:3]:
            print(f"\nstall of {stall['seconds'] * 1000:.0f} ms (main thread CPU {stall['cpu_main'] * 1000:.0f} ms, "
                  f"process {stall['cpu_process'] * 1000:.0f} ms, {stall['samples']} samples); most frequent stack:")
            if stall["stacks"]:
                print("    " + stall["stacks"][0][0].replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
