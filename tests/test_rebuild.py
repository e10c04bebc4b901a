"""service.rebuild: the index rebuilt in a child process and swapped in while checks go on."""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from service.engine import open_engine
from service.settings import Settings
from service.snapshots import load_index
from service.urls import parse
from service.verdicts import Level

FRESH = "https://fresh-scam.top/pay"
OLD = "https://kaspi-kz.top/card"
MODERATED = "https://moderated-scam.top/"


def _edit_scam_list(lists_dir: Path) -> None:
    # kaspi-kz.top leaves the list, fresh-scam.top joins it; the mtime moves even on a coarse clock.
    path = lists_dir / "scam.txt"
    text = path.read_text(encoding="utf-8").replace("kaspi-kz.top\n", "fresh-scam.top\n")
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


async def test_swap_under_concurrent_checks(settings_factory: Callable[..., Settings], lists_dir: Path) -> None:
    engine = await open_engine(settings_factory(), offline=True)
    try:
        checker = engine.checker
        await engine.store.add_entry("moderated-scam.top/", reason="test", actor="t")
        await engine.live.refresh()

        async def verdict(url: str) -> Level:
            return (await checker.check(parse(url), url=url, offline=True)).verdict

        assert await verdict(FRESH) != Level.BLOCKED  # now remembered in the verdict cache
        assert await verdict(OLD) == Level.BLOCKED
        assert await verdict(MODERATED) == Level.BLOCKED
        old_index = weakref.ref(checker.index)

        done = 0
        stop = asyncio.Event()

        async def keep_checking() -> None:
            nonlocal done
            while not stop.is_set():
                for url in (FRESH, OLD, MODERATED, "https://other.example.kz/"):
                    await verdict(url)
                    done += 1
                await asyncio.sleep(0)

        workers = [asyncio.create_task(keep_checking()) for _ in range(4)]
        await asyncio.sleep(0)
        _edit_scam_list(lists_dir)
        before = done
        assert await engine.rebuilder.refresh() is True
        during = done - before
        stop.set()
        await asyncio.gather(*workers)

        assert during > 0, "checks went on while the new index was built"
        assert engine.loaded.index is checker.index
        # The old index is gone at once, freed by reference counting (no cycle waits for the collector), and
        # the new one's arrays are views of its mapped snapshot, not heap copies (issue 17).
        assert old_index() is None
        assert checker.index.is_mapped()
        remembered = checker.cached(FRESH, offline=True)  # the old-lists verdict is never answered again
        assert remembered is None or remembered.verdict == Level.BLOCKED
        assert await verdict(FRESH) == Level.BLOCKED
        assert await verdict(OLD) != Level.BLOCKED  # left the file: stops blocking
        assert await verdict(MODERATED) == Level.BLOCKED  # the moderators' overlay was laid over the new index
        assert engine.rebuilder.rebuilds == 1
        assert await engine.rebuilder.refresh() is False  # unchanged sources: no rebuild
        assert len(list(engine.loaded.snapshot.parent.glob("index-*.snap"))) == 1  # the old snapshot is gone
    finally:
        await engine.close()


def test_edited_list_file_applies_without_restart(client_factory: Callable[..., TestClient], lists_dir: Path) -> None:
    client = client_factory()
    assert client.get("/v1/check", params={"url": FRESH}).json()["verdict"] != "blocked"
    _edit_scam_list(lists_dir)
    deadline = time.monotonic() + 60
    while client.get("/v1/check", params={"url": FRESH}).json()["verdict"] != "blocked":
        assert time.monotonic() < deadline, "the edited list was not applied"
        time.sleep(0.2)
    assert client.get("/v1/check", params={"url": OLD}).json()["verdict"] != "blocked"
    lists = client.get("/readyz").json()["checks"]["lists"]
    assert lists["rebuilds"] >= 1 and lists["rebuild_error"] is None


def test_a_snapshot_of_an_older_format_is_rebuilt(tmp_path: Path, lists_dir: Path) -> None:
    first = load_index(lists_dir, tmp_path / "var")
    assert not first.from_snapshot and first.index.contains("kaspi-kz.top/")
    data = bytearray(first.snapshot.read_bytes())
    data[8:12] = (3).to_bytes(4, "little")  # version 3 read its arrays onto the heap; 4 maps them aligned
    first.snapshot.write_bytes(bytes(data))
    again = load_index(lists_dir, tmp_path / "var")
    assert again.snapshot == first.snapshot and not again.from_snapshot  # refused, then built again
    assert again.index.contains("kaspi-kz.top/") and again.index.is_mapped()
    assert load_index(lists_dir, tmp_path / "var").from_snapshot
