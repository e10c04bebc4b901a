"""The index rebuilt off to the side and swapped in one assignment, while checks go on.

    sources changed (list file edited, feed synced)
      └─> child process: parse + write var/index-<key>.snap      (service.snapshots.write_snapshot)
      └─> worker thread: map the snapshot, lay the store's entries over it     (LiveUpdater.adopt)
      └─> event loop:    checker.index = new_index                             (one assignment)

No request waits on a rebuild: the build runs in another process and the loading in a thread; the event
loop only does the assignment. The child exits after each build, so the ~150 bytes per entry the build
needs go back to the system; the serving process only maps the snapshot (its arrays are page cache, not
heap: service.index), and what it allocates on the way (a feed's packed body, the stats) is handed back
after the swap. The verdict cache keys its entries by the index object, so no verdict from the old lists is
answered after the swap, and nothing keeps the old index alive (service.checker).

Rebuilds are serialised: a request for one while another runs waits for it, then builds again only if
the sources changed meanwhile. `watch` looks at the sources every few seconds, so an edited list file is
applied without a restart.

Example::

    rebuilder = Rebuilder(var_dir, lambda: list_sources(lists_dir), install)
    loaded = await rebuilder.load()     # at start-up (a cached snapshot, else a child build)
    await rebuilder.refresh()           # later: True if it built and swapped a new index
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import logging
import multiprocessing
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from service.snapshots import (
    LoadedIndex,
    Source,
    open_snapshot,
    remove_old_snapshots,
    snapshot_key,
    snapshot_path,
    write_snapshot,
)

__all__ = ["MMAP_THRESHOLD", "WATCH_SECONDS", "Rebuilder", "keep_large_blocks_mapped"]

log = logging.getLogger("abaila.rebuild")

T = TypeVar("T")

WATCH_SECONDS = 2.0  # seconds between looks at the list files' sizes and modification times


MMAP_THRESHOLD = 1 << 20  # bytes: a block this large gets its own mapping, returned to the system when freed
_M_MMAP_THRESHOLD = -3  # mallopt(3)'s parameter number, from glibc's malloc.h


def keep_large_blocks_mapped() -> None:
    """Makes glibc give every block of MMAP_THRESHOLD bytes or more its own mapping, for good.

    By default glibc raises that threshold to the size of the largest block freed so far (up to 32 MB),
    so after the first rebuild a feed's stored body (10 MB gzip for a million entries) and other transient
    buffers land in the heaps of whichever threads handled them, and stay resident there after they are
    freed (issue 17: with heap-copied index arrays too, bench_feeds measured the heap at 90 MB, half of it
    free but resident, after 4 rebuilds of 400,000 entries). A fixed threshold ends the adjustment;
    elsewhere than glibc this is a no-op.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def _give_back_memory() -> None:
    # Free pages inside the heaps (the overlay and stats of the old index, a feed's packed body) go back
    # to the system; glibc only trims the top of a heap by itself. No gc.collect(): the old index has no
    # cycles (tests/test_rebuild.py shows it gone by reference counting), and a full collection holds the
    # GIL, so the event loop would wait for it. ctypes releases the GIL for the call.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _build_in_child(sources: Sequence[Source], var_dir: Path, key: str) -> str:
    return str(write_snapshot(sources, var_dir, key))


class Rebuilder:
    """Owns the current LoadedIndex and replaces it when its sources change.

    `install(loaded)` is called (awaited) with each new index before it becomes `loaded`; the engine's
    install lays the store's entries over it and swaps it into the checker.
    """

    def __init__(self, var_dir: Path, sources: Callable[[], list[Source]],
                 install: Callable[[LoadedIndex], Awaitable[None]] | None = None, *,
                 in_child: bool = True, watch_seconds: float = WATCH_SECONDS) -> None:
        self.var_dir = var_dir
        self.loaded: LoadedIndex | None = None
        self.rebuilds = 0  # swaps done since start-up
        self.last_error: str | None = None
        self.last_seconds = 0.0  # how long the last rebuild took, from the decision to the swap
        self._sources = sources
        self._install = install
        self._in_child = in_child
        self._watch_seconds = watch_seconds
        self._lock = asyncio.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._task: asyncio.Task[None] | None = None

    # -- building ---------------------------------------------------------------------------------------

    async def _build(self, sources: list[Source], key: str) -> LoadedIndex:
        started = time.perf_counter()
        snapshot = snapshot_path(self.var_dir, key)
        if snapshot.exists():
            try:
                return await asyncio.to_thread(open_snapshot, snapshot, key, started=started)
            except (OSError, ValueError) as exc:
                log.warning("snapshot %s unusable (%s); rebuilding", snapshot, exc)
        await self.run(_build_in_child, sources, self.var_dir, key)
        return await asyncio.to_thread(open_snapshot, snapshot, key, built=True, started=started)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Returns fn(*args) computed in the child process (or a thread when in_child is False)."""
        if not self._in_child:
            return await asyncio.to_thread(fn, *args)
        return await asyncio.get_running_loop().run_in_executor(self._executor(), fn, *args)

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        # forkserver: children fork from a small clean process that has imported the list parsers, not from
        # the server (no inherited threads, sockets or event loop); one build per child, then it exits.
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["service.snapshots", "service.feedsync"])
            self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context,
                                                                max_tasks_per_child=1)
        return self._pool

    async def load(self) -> LoadedIndex:
        """Loads the index of the current sources (from its snapshot when unchanged); for start-up."""
        async with self._lock:
            sources = await asyncio.to_thread(self._sources)
            key = await asyncio.to_thread(snapshot_key, sources)
            self.loaded = await self._build(sources, key)
            await asyncio.to_thread(remove_old_snapshots, self.var_dir, self.loaded.snapshot)
            return self.loaded

    async def refresh(self, *, force: bool = False) -> bool:
        """Rebuilds and swaps in the index if the sources changed (or force); returns whether it swapped."""
        async with self._lock:
            started = time.perf_counter()
            sources = await asyncio.to_thread(self._sources)
            key = await asyncio.to_thread(snapshot_key, sources)
            if self.loaded is not None and key == self.loaded.version and not force:
                return False
            try:
                loaded = await self._build(sources, key)
                if self._install is not None:
                    await self._install(loaded)
            except Exception as exc:  # the old index keeps serving; the next change or look tries again
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("index rebuild failed, keeping the current one: %s", self.last_error)
                raise
            self.loaded = loaded
            self.rebuilds += 1
            self.last_error = None
            self.last_seconds = time.perf_counter() - started
            await asyncio.to_thread(remove_old_snapshots, self.var_dir, loaded.snapshot)
            await asyncio.to_thread(_give_back_memory)
            log.info("index rebuilt and swapped in: %d entries (%.2fs)", len(loaded.index), self.last_seconds)
            return True

    # -- watching ---------------------------------------------------------------------------------------

    def watch(self) -> None:
        """Starts looking at the sources every watch_seconds and rebuilding when they change."""
        if self._task is None:
            self._task = asyncio.create_task(self._watch_forever(), name="abaila-lists-watch")

    async def _watch_forever(self) -> None:
        while True:
            await asyncio.sleep(self._watch_seconds)
            with contextlib.suppress(Exception):  # reported in last_error and the log by refresh
                await self.refresh()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._pool is not None:
            await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
            self._pool = None
