"""Real `abaila serve` processes: live updates between two instances, and kill -9 right after acknowledgements.

Each server is a subprocess on a free port with the test lists and a shared store (a SQLite file, or
PostgreSQL, with Redis pub/sub in the PostgreSQL case when Redis runs).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests._env import offline_upstreams
from tests._serve import Serve, auth, create_token, wait_until
from tests.conftest import write_lists


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    started: list[Serve] = []
    lists = write_lists(tmp_path / "lists")

    def start(database_url: str, **extra: str) -> Serve:
        env = {**os.environ, "ABAILA_LISTS_DIR": str(lists), "ABAILA_VAR_DIR": str(tmp_path / "var"),
               "ABAILA_DATABASE_URL": database_url, **offline_upstreams(tmp_path),
               "ABAILA_CHECK_DEADLINE_MS": "200", "ABAILA_LOG_LEVEL": "warning", **extra}
        env.pop("ABAILA_REDIS_URL", None) if "ABAILA_REDIS_URL" not in extra else None
        server = Serve(env, log=tmp_path / f"server-{len(started)}.log")
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


def test_change_through_one_instance_is_visible_on_the_other(
        servers: Callable[..., Serve], database_url: str) -> None:
    token = create_token(database_url, "moderator", "aigerim")
    extra = _redis_extra(database_url)
    one, two = servers(database_url, **extra), servers(database_url, **extra)
    url = "https://pay.live-scam.kz/card"
    assert two.verdict(url) != "blocked"
    response = httpx.post(f"{one.base}/v1/admin/entries", headers=auth(token), timeout=5,
                          json={"entry": "live-scam.kz", "reason": "live test"})
    assert response.status_code == 201, response.text
    assert one.verdict(url) == "blocked"
    wait_until(lambda: two.verdict(url) == "blocked", "the change visible on the other instance")
    removed = httpx.delete(f"{two.base}/v1/admin/entries/live-scam.kz", params={"reason": "undo"},
                           headers=auth(token), timeout=5)
    assert removed.status_code == 200
    wait_until(lambda: one.verdict(url) != "blocked", "the removal visible on the other instance")


def test_kill_9_right_after_acknowledgements_loses_nothing(servers: Callable[..., Serve], database_url: str) -> None:
    token = create_token(database_url, "moderator", "aigerim")
    server = servers(database_url)
    names = [f"durable-{i}.kz" for i in range(30)]
    with httpx.Client(base_url=server.base, headers=auth(token), timeout=5) as client:
        for name in names:
            assert client.post("/v1/admin/entries", json={"entry": name, "reason": "durability"}).status_code == 201
        assert client.delete("/v1/admin/entries/kaspi-kz.top", params={"reason": "appeal"}).status_code == 200
        report = httpx.post(f"{server.base}/v1/reports", json={"url": "https://r.kz/", "kind": "scam"}).json()
    server.stop(signal.SIGKILL)  # no shutdown, no flush: only what was committed survives
    restarted = servers(database_url)
    for name in names:
        assert restarted.verdict(f"https://{name}/") == "blocked", name
    assert restarted.verdict("https://kaspi-kz.top/") != "blocked"
    assert httpx.get(f"{restarted.base}/v1/reports/{report['id']}").json()["status"] == "open"
    audit = httpx.get(f"{restarted.base}/v1/admin/audit", params={"limit": 1000}, headers=auth(token)).json()["audit"]
    assert len([r for r in audit if r["action"] == "entry.add"]) == len(names)
