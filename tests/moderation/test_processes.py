"""Real `abaila serve` processes: live updates between two instances, and kill -9 right after acknowledgements.

Each server is a subprocess on a free port with the test lists and a shared store (a SQLite file, or
PostgreSQL, with Redis pub/sub in the PostgreSQL case when Redis runs).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests._env import offline_upstreams
from tests.conftest import write_lists
from tests.moderation.conftest import auth, create_token

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(self.port)],
                                     cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not start: {log.read_text()[-3000:]}")

    def verdict(self, url: str) -> str:
        return str(httpx.get(f"{self.base}/v1/check", params={"url": url}, timeout=5).json()["verdict"])

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []
    lists = write_lists(tmp_path / "lists")

    def start(database_url: str, **extra: str) -> Server:
        env = {**os.environ, "ABAILA_LISTS_DIR": str(lists), "ABAILA_VAR_DIR": str(tmp_path / "var"),
               "ABAILA_DATABASE_URL": database_url, **offline_upstreams(tmp_path),
               "ABAILA_CHECK_DEADLINE_MS": "200", "ABAILA_LOG_LEVEL": "warning", **extra}
        env.pop("ABAILA_REDIS_URL", None) if "ABAILA_REDIS_URL" not in extra else None
        server = Server(env, tmp_path / f"server-{len(started)}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _redis_extra(database_url: str) -> dict[str, str]:
    if not database_url.startswith("postgresql"):
        return {}
    from tests._env import _port_open

    return {"ABAILA_REDIS_URL": "redis://127.0.0.1:6379/0"} if _port_open("127.0.0.1", 6379) else {}


def test_change_through_one_instance_is_visible_on_the_other_within_2s(
        servers: Callable[..., Server], database_url: str) -> None:
    token = create_token(database_url, "moderator", "aigerim")
    extra = _redis_extra(database_url)
    one, two = servers(database_url, **extra), servers(database_url, **extra)
    url = "https://pay.live-scam.kz/card"
    assert two.verdict(url) != "blocked"
    response = httpx.post(f"{one.base}/v1/admin/entries", headers=auth(token), timeout=5,
                          json={"entry": "live-scam.kz", "reason": "live test"})
    assert response.status_code == 201, response.text
    acknowledged = time.monotonic()
    assert one.verdict(url) == "blocked"
    while two.verdict(url) != "blocked":
        assert time.monotonic() - acknowledged < 2.0, "not visible on the other instance within 2 s"
        time.sleep(0.05)
    removed = httpx.delete(f"{two.base}/v1/admin/entries/live-scam.kz", params={"reason": "undo"},
                           headers=auth(token), timeout=5)
    assert removed.status_code == 200
    acknowledged = time.monotonic()
    while one.verdict(url) == "blocked":
        assert time.monotonic() - acknowledged < 2.0, "removal not visible on the other instance within 2 s"
        time.sleep(0.05)


def test_kill_9_right_after_acknowledgements_loses_nothing(servers: Callable[..., Server], database_url: str) -> None:
    token = create_token(database_url, "moderator", "aigerim")
    server = servers(database_url)
    names = [f"durable-{i}.kz" for i in range(30)]
    with httpx.Client(base_url=server.base, headers=auth(token), timeout=5) as client:
        for name in names:
            assert client.post("/v1/admin/entries", json={"entry": name, "reason": "durability"}).status_code == 201
        assert client.delete("/v1/admin/entries/kaspi-kz.top", params={"reason": "appeal"}).status_code == 200
        report = httpx.post(f"{server.base}/v1/reports", json={"url": "https://r.kz/", "kind": "scam"}).json()
    server.proc.send_signal(signal.SIGKILL)  # no shutdown, no flush: only what was committed survives
    server.proc.wait()
    restarted = servers(database_url)
    for name in names:
        assert restarted.verdict(f"https://{name}/") == "blocked", name
    assert restarted.verdict("https://kaspi-kz.top/") != "blocked"
    assert httpx.get(f"{restarted.base}/v1/reports/{report['id']}").json()["status"] == "open"
    audit = httpx.get(f"{restarted.base}/v1/admin/audit", params={"limit": 1000}, headers=auth(token)).json()["audit"]
    assert len([r for r in audit if r["action"] == "entry.add"]) == len(names)
