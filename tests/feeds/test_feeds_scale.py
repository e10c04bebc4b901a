"""Two real `abaila serve` instances on this machine's PostgreSQL: one fetch per feed, both apply it."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from tests._env import require_shared_data
from tests._serve import ROOT, abaila, environ, free_port
from tests.peers.feed_server import FeedPeer

SCAM_HOSTS = "hosts/blocklistproject_scam_hosts_2026-07-18.txt"


def _wait(predicate: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _blocked(base: str, host: str) -> bool:
    return httpx.get(f"{base}/v1/check", params={"url": f"https://{host}/"}, timeout=10).json()["verdict"] == "blocked"


def test_two_instances_fetch_once_and_both_apply(tmp_path: Path, lists_dir: Path, peer: FeedPeer,
                                                  postgres_url: str) -> None:
    database_url, data = postgres_url, require_shared_data()
    lines = (data / SCAM_HOSTS).read_text().splitlines()
    names = [line.split()[1] for line in lines if line.startswith("0.0.0.0 ")]
    name = f"scale-{uuid.uuid4().hex[:8]}"
    path = f"/{name}.txt"
    peer.serve(path, data / SCAM_HOSTS)
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nname = "{name}"\nurl = "{peer.url(path)}"\n'
                     'category = "scam"\nlicence = "Unlicense"\nevery = "1h"\n')
    processes, bases = [], []
    try:
        for instance in ("a", "b"):  # both start at once: both find the feed due
            env = environ(tmp_path / instance, lists_dir, ABAILA_DATABASE_URL=database_url, ABAILA_FEEDS=str(feeds))
            port = free_port()
            processes.append(subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)],
                                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            _wait(lambda base=base: _ready(base), f"{base} to be ready")  # type: ignore[misc]
        for base in bases:
            _wait(lambda base=base: _blocked(base, names[0]), f"{base} to apply the feed")  # type: ignore[misc]
        assert peer.count(path) == 1, "one instance fetched the feed; the other applied it from the store"
        for base in bases:
            row = httpx.get(f"{base}/readyz").json()["checks"]["feeds"]["feeds"][0]
            assert row["entries"] == len(names) and row["version"] == 1 and row["applied_version"] == 1

        # A sync worker (the CLI) fetches a changed file; both servers apply it.
        peer.serve(path, ("\n".join(line for line in lines if names[0] not in line) + "\n").encode())
        out = abaila(environ(tmp_path / "cli", lists_dir, ABAILA_DATABASE_URL=database_url,
                             ABAILA_FEEDS=str(feeds)), "feeds", "sync", "--once")
        assert out.returncode == 0 and f"{name}: changed" in out.stdout, out.stdout + out.stderr
        for base in bases:
            _wait(lambda base=base: not _blocked(base, names[0]), f"{base} to apply the change")  # type: ignore[misc]
            assert _blocked(base, names[1])
        assert peer.count(path) == 2
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
                process.kill()
