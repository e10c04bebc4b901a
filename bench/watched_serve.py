#!/usr/bin/env python3
"""`abaila serve` with two probes for bench_feeds.py: event-loop stalls, and what holds memory.

    python bench/watched_serve.py REPORT_DIR serve --port 8080     # then the usual `abaila serve` arguments

Stalls: a task on the server's event loop beats every 5 ms; a watcher thread, whenever the last beat is over
STALL_SECONDS old, samples the main thread's Python stack every millisecond until the loop beats again. Each
stall (start, length, its most frequent stacks) is written to REPORT_DIR/stalls.json as it ends. A stall in C
code that keeps the GIL shows up as one long gap with few samples (the watcher needs the GIL too);
the main thread's CPU seconds during the stall tell work (about the stall's length) from waiting (near 0:
a lock, I/O, or no core free on a busy machine).

Memory: SIGUSR1 writes REPORT_DIR/memory-<n>.json: the Index objects still alive (with what refers to them)
and /proc/self/status's RssAnon and RssFile. Nothing here changes what the server does.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import gc
import json
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
import tracemalloc
from pathlib import Path
from typing import Any

STALL_SECONDS = 0.05  # a loop that has not beaten for this long is stalled
BEAT_SECONDS = 0.005

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _where(frame: traceback.FrameSummary) -> str:
    return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def _mallinfo() -> dict[str, int]:
    """Returns glibc's heap counters: arena = heap bytes, uordblks in use, fordblks free, hblkhd mmapped."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _Mallinfo2
    info = libc.mallinfo2()
    return {name: int(getattr(info, name)) for name in ("arena", "uordblks", "fordblks", "hblkhd", "keepcost")}


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(thread: int | None) -> float:
    """Returns the CPU seconds (user + system) used by one thread of this process, or by all of it."""
    path = f"/proc/self/task/{thread}/stat" if thread is not None else "/proc/self/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of proc(5))


class _Watcher(threading.Thread):
    def __init__(self, report: Path) -> None:
        super().__init__(daemon=True, name="stall-watcher")
        self.report = report
        self.last = time.perf_counter()
        self.main = threading.main_thread().ident
        self.main_native = threading.main_thread().native_id
        self.stalls: list[dict[str, Any]] = []

    def run(self) -> None:
        while True:
            time.sleep(0.001)
            if time.perf_counter() - self.last < STALL_SECONDS:
                continue
            began = self.last
            cpu_began = _cpu_seconds(self.main_native), _cpu_seconds(None)
            stacks: collections.Counter[str] = collections.Counter()
            while self.last == began:
                frames = sys._current_frames()
                frame = frames.get(self.main)  # type: ignore[arg-type]
                if frame is not None:
                    stack = [_where(f) for f in traceback.extract_stack(frame)[-10:]]
                    # What the other threads were doing (one of them may hold the GIL): their innermost frames.
                    others = sorted(" < ".join(_where(f) for f in traceback.extract_stack(other)[-3:][::-1])
                                    for ident, other in frames.items() if ident not in (self.main, self.ident))
                    stacks["\n".join(stack + ["-- other threads:"] + others)] += 1
                time.sleep(0.001)
            cpu_main, cpu_all = _cpu_seconds(self.main_native) - cpu_began[0], _cpu_seconds(None) - cpu_began[1]
            self.stalls.append({"at": began, "seconds": self.last - began - BEAT_SECONDS,
                                "cpu_main": cpu_main, "cpu_process": cpu_all,
                                "samples": sum(stacks.values()), "stacks": stacks.most_common(3)})
            self.write()  # at each stall: the server may not get to run exit handlers

    def write(self) -> None:
        self.report.write_text(json.dumps(self.stalls, indent=1))


_last_snapshot: list[tracemalloc.Snapshot] = []


def _traced() -> dict[str, Any]:
    """Returns what tracemalloc sees (when BENCH_TRACEMALLOC=1): the total, and the sites that grew most
    since the last report."""
    if not tracemalloc.is_tracing():
        return {}
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    grown = snapshot.compare_to(_last_snapshot[0], "traceback")[:8] if _last_snapshot else []
    _last_snapshot[:] = [snapshot]
    return {"traced": sum(stat.size for stat in snapshot.statistics("filename")),
            "grown": [[stat.size_diff, [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback]]
                      for stat in grown]}


def _pymalloc_arenas() -> int:
    """Returns how many pymalloc arenas (1 MiB each) are allocated now (sys._debugmallocstats, on fd 2)."""
    with tempfile.TemporaryFile() as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        for line in capture.read().decode(errors="replace").splitlines():
            if line.startswith("# arenas allocated current"):
                return int(line.rsplit("=", 1)[1].replace(",", ""))
    return -1


def _memory_report(directory: Path) -> None:
    from service.index import Index

    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, Index)]
    indexes = []
    for index in alive:
        referrers = [type(r).__name__ + (f" {sorted(r)[:6]}" if isinstance(r, dict) else "")
                     for r in gc.get_referrers(index) if r is not alive]
        indexes.append({"entries": len(index), "path": str(index.path), "referrers": referrers})
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    number = len(list(directory.glob("memory-*.json")))
    (directory / f"memory-{number}.json").write_text(json.dumps({
        "indexes": indexes, "mallinfo": _mallinfo(), "pymalloc_blocks": sys.getallocatedblocks(),
        "objects": len(gc.get_objects()), "pymalloc_arenas": _pymalloc_arenas(), **_traced(),
        **{key: status[key].strip() for key in ("VmRSS", "RssAnon", "RssFile", "VmHWM")},
    }, indent=1))


def main() -> None:
    if os.environ.get("BENCH_TRACEMALLOC") == "1":
        tracemalloc.start(5)
    report = Path(sys.argv[1])
    report.mkdir(parents=True, exist_ok=True)
    watcher = _Watcher(report / "stalls.json")
    watcher.write()

    import service.app

    factory = service.app.app_from_env

    def app_from_env() -> Any:
        app = factory()

        async def watched(scope: Any, receive: Any, send: Any) -> None:
            if not watcher.is_alive():
                async def beat() -> None:
                    while True:
                        watcher.last = time.perf_counter()
                        await asyncio.sleep(BEAT_SECONDS)

                watched.task = asyncio.get_running_loop().create_task(beat())  # type: ignore[attr-defined]
                watcher.start()
                loop = asyncio.get_running_loop()
                loop.add_signal_handler(signal.SIGUSR1, _memory_report, report)
            await app(scope, receive, send)

        return watched

    service.app.app_from_env = app_from_env  # type: ignore[assignment]
    from service.cli import main as cli_main

    sys.argv = ["abaila", *sys.argv[2:]]
    raise SystemExit(cli_main())


if __name__ == "__main__":
    main()
