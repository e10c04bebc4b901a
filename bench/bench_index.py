#!/usr/bin/env python3
"""Measures the list index on the real lists in ../shared/data and prints a table.

Rows: Abaila's index (built from the parsed lists, then loaded from its snapshot), a plain Python `set`
of the same expression strings, and Brave's filter engine (PyPI `adblock`, Rust) given the same entries
as `||host^` / `||host/path^` rules. Each runs in its own process so its memory is measured cleanly
(resident set growth while building and holding the structure, from /proc/self/statm).

Timing: per URL, with `time.perf_counter_ns`, over the same URLs for every row: URLs from the phishing
feeds (many hits) and Tranco domains with made-up paths (misses). "lookup" is the structure answering a URL's
expressions (hashing and search, for all of them), as the `set` row does; "end to end" adds
canonicalization and expression generation (`service.urls`), the same for the first two rows.
Memory is the resident-set growth of a fresh process while it loads (or builds) and holds the structure.
Usage: `python bench/bench_index.py [--urls 20000]`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
LIST_DIRS = ("adblock", "hosts", "phishing_domains", "urls")


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize()


def _list_files() -> list[Path]:
    return sorted(p for d in LIST_DIRS for p in (DATA / d).iterdir() if p.is_file())


def _parse_all() -> tuple[list[tuple[str, str]], float]:
    from service.lists import read_list_file

    started = time.perf_counter()
    entries: dict[tuple[str, str], None] = {}
    for path in _list_files():
        parsed = read_list_file(path)
        for expression in parsed.expressions:
            entries[(expression, parsed.meta.name)] = None
    return list(entries), time.perf_counter() - started


def _urls(count: int) -> list[str]:
    rng = random.Random(1)
    feed = [line.strip() for line in (DATA / "urls" / "openphish_feed_2026-08-22.txt").read_text().splitlines()
            if line.strip()]
    more = [line.split()[0] for line in (DATA / "urls" / "phishing-database_phishing-links-ACTIVE_2019-05-27.txt")
            .read_text(errors="replace").splitlines() if line.strip() and not line.startswith("#")]
    popular = [line.strip() for line in (DATA / "popular" / "tranco_top100k_domains.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    popular = [p.split(",")[-1] for p in popular]
    paths = ["/", "/shop/item/123", "/login?next=/account", "/a/b/c/d/e.html?x=1&y=2", "/checkout/pay"]
    hits = rng.sample(feed + more, min(count // 2, len(feed + more)))
    misses = [f"https://www.{rng.choice(popular)}{rng.choice(paths)}" for _ in range(count - len(hits))]
    urls = hits + misses
    rng.shuffle(urls)
    return urls


def _time_per_url(fn, items) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for item in items:
        t0 = time.perf_counter_ns()
        fn(item)
        samples.append(time.perf_counter_ns() - t0)
    samples.sort()
    return statistics.median(samples) / 1000, samples[int(len(samples) * 0.99)] / 1000


# ---------------------------------------------------------------------------------------------------------
# One measurement per process


def _entries_file() -> Path:
    """Returns a file of "expression<TAB>list" lines parsed from the real lists (cached in /tmp)."""
    path = Path(tempfile.gettempdir()) / "abaila-bench-entries.tsv"
    if not path.exists():
        entries, parse_s = _parse_all()
        path.write_text("".join(f"{e}\t{n}\n" for e, n in entries), encoding="utf-8")
        (path.with_suffix(".parse_s")).write_text(str(parse_s))
    return path


def _read_entries(path: Path):  # type: ignore[no-untyped-def]
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            expression, _, name = line.rstrip("\n").partition("\t")
            yield expression, name


def build_abaila(urls: list[str]) -> dict[str, object]:
    from service.index import IndexBuilder, ListInfo

    started = time.perf_counter()
    builder = IndexBuilder()
    ids: dict[str, int] = {}
    for expression, name in _read_entries(_entries_file()):
        list_id = ids.get(name)
        if list_id is None:
            list_id = ids[name] = builder.add_list(ListInfo(name, "phishing"))
        builder.add(expression, list_id)
    builder.build(Path(tempfile.gettempdir()) / "abaila-bench.snap")
    return {"build_s": time.perf_counter() - started}


def measure_abaila(urls: list[str]) -> dict[str, object]:
    from service.index import Index
    from service.urls import expressions_of, parse

    parsed = [parse(u) for u in urls]
    exprs = [expressions_of(p) for p in parsed]
    snapshot = Path(tempfile.gettempdir()) / "abaila-bench.snap"
    gc.collect()
    before = _rss()
    started = time.perf_counter()
    index = Index.load(snapshot)
    load_s = time.perf_counter() - started
    lookup = _time_per_url(index.match, exprs)
    end_to_end = _time_per_url(lambda u: index.match_url(parse(u)), urls)
    hits = sum(1 for p in parsed if index.match_url(p))
    after = _rss()
    return {"name": "abaila index", "entries": len(index), "load_s": load_s, "rss_mb": (after - before) / 1e6,
            "resident_mb": index.resident_bytes() / 1e6, "file_mb": os.path.getsize(snapshot) / 1e6,
            "lookup": lookup, "end_to_end": end_to_end, "hits": hits,
            "parse_s": float(_entries_file().with_suffix(".parse_s").read_text())}


def measure_set(urls: list[str]) -> dict[str, object]:
    from service.urls import expressions

    exprs = [expressions(u) for u in urls]
    gc.collect()
    before = _rss()
    started = time.perf_counter()
    table = {e for e, _ in _read_entries(_entries_file())}
    build_s = time.perf_counter() - started
    gc.collect()
    after = _rss()
    lookup = _time_per_url(lambda e: [x for x in e if x in table], exprs)
    end_to_end = _time_per_url(lambda u: [x for x in expressions(u) if x in table], urls)
    hits = sum(1 for e in exprs if any(x in table for x in e))
    return {"name": "python set", "entries": len(table), "build_s": build_s, "load_s": build_s,
            "rss_mb": (after - before) / 1e6, "lookup": lookup, "end_to_end": end_to_end, "hits": hits}


def measure_adblock(urls: list[str]) -> dict[str, object]:
    import adblock

    rules = []
    for expression in dict.fromkeys(e for e, _ in _read_entries(_entries_file())):
        host, _, path = expression.partition("/")
        rules.append(f"||{host}^" if not path else f"||{host}/{path}")
    text = "\n".join(rules)
    count = len(rules)
    del rules
    gc.collect()
    before = _rss()
    started = time.perf_counter()
    filter_set = adblock.FilterSet()
    filter_set.add_filter_list(text)
    engine = adblock.Engine(filter_set=filter_set, optimize=True)
    build_s = time.perf_counter() - started
    del text, filter_set
    gc.collect()
    after = _rss()

    def check(url: str) -> bool:
        return engine.check_network_urls(url=url, source_url=url, request_type="document").matched

    prepared = ["http://" + u if "://" not in u else u for u in urls]
    lookup = _time_per_url(check, prepared)
    hits = sum(1 for u in prepared if check(u))
    return {"name": "brave adblock (Rust)", "entries": count, "build_s": build_s, "load_s": build_s,
            "rss_mb": (after - before) / 1e6, "lookup": lookup, "end_to_end": lookup, "hits": hits}


MEASURES = {"build": build_abaila, "abaila": measure_abaila, "set": measure_set, "adblock": measure_adblock}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=20000)
    parser.add_argument("--only", choices=["abaila", "set", "adblock"])
    parser.add_argument("--child", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"bench_index: {DATA} is absent; it needs ../shared/data", file=sys.stderr)
        return 2
    if args.child:
        print(json.dumps(MEASURES[args.child](_urls(args.urls) if args.child != "build" else [])))
        return 0
    _entries_file()
    rows = []
    build = subprocess.run([sys.executable, __file__, "--child", "build", "--urls", "10"], capture_output=True,
                           text=True, check=True)
    build_s = json.loads(build.stdout.strip().splitlines()[-1])["build_s"]
    for name in [args.only] if args.only else ["abaila", "set", "adblock"]:
        out = subprocess.run([sys.executable, __file__, "--child", name, "--urls", str(args.urls)],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"{name}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row.setdefault("build_s", build_s)
        rows.append(row)
    print(f"\n{args.urls} URLs (half from phishing feeds, half Tranco domains with paths); one process per row\n")
    header = (f"| {'structure':<22} | {'entries':>9} | {'build s':>7} | {'load s':>6} | {'memory MB':>9} | "
              f"{'MB/million':>10} | {'lookup µs p50':>13} | {'p99':>6} | {'end-to-end µs p50':>17} | {'p99':>6} | "
              f"{'URLs hit':>8} |")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for row in rows:
        per_million = row["rss_mb"] / (row["entries"] / 1e6)
        print(f"| {row['name']:<22} | {row['entries']:>9} | {row['build_s']:>7.2f} | {row['load_s']:>6.3f} | "
              f"{row['rss_mb']:>9.1f} | {per_million:>10.1f} | {row['lookup'][0]:>13.2f} | {row['lookup'][1]:>6.1f} | "
              f"{row['end_to_end'][0]:>17.2f} | {row['end_to_end'][1]:>6.1f} | {row['hits']:>8} |")
    for row in rows:
        if "resident_mb" in row:
            print(f"\nabaila: parse of all list files {row['parse_s']:.2f} s; "
                  f"lookup arrays {row['resident_mb']:.1f} MB "
                  f"resident; snapshot file {row['file_mb']:.1f} MB (expression text, memory-mapped, read on hits)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
