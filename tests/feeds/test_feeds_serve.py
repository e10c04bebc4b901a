"""Feeds in a running app: synced in the background, applied by a rebuild, reported by /readyz, /metrics, CLI."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from service.cli import main
from tests._env import require_shared_data
from tests.peers.feed_server import FeedPeer

SCAM_HOSTS = "hosts/blocklistproject_scam_hosts_2026-07-18.txt"
SCAM_ADBLOCK = "adblock/blocklistproject_scam-ags_2026-07-18.txt"
PHISHING_PARTS = ("phishing_domains/blocklistproject_phishing-nl_2026-07-06.part1.txt",
                  "phishing_domains/blocklistproject_phishing-nl_2026-07-06.part2.txt",
                  "phishing_domains/phishing-database_ALL-phishing-domains_2020-09-30.part1.txt",
                  "phishing_domains/phishing-database_ALL-phishing-domains_2020-09-30.part2.txt")


def _toml(tmp_path: Path, peer: FeedPeer, path: str, *, name: str = "bl-scam", category: str = "scam") -> Path:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'''
[[feed]]
name = "{name}"
url = "{peer.url(path)}"
category = "{category}"
licence = "Unlicense"
every = "30m"
source = "https://github.com/blocklistproject/Lists"
''')
    return feeds


def _wait(predicate: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _verdict(client: TestClient, url: str) -> dict:
    return client.get("/v1/check", params={"url": url}).json()


def _blocked(client: TestClient, url: str) -> bool:
    return _verdict(client, url)["verdict"] == "blocked"


def test_a_feed_is_synced_applied_replaced_and_reported(client_factory: Callable[..., TestClient], peer: FeedPeer,
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = require_shared_data()
    lines = (data / SCAM_HOSTS).read_text().splitlines()
    names = [line.split()[1] for line in lines if line.startswith("0.0.0.0 ")]
    first, last = names[0], names[-1]
    peer.serve("/scam.txt", data / SCAM_HOSTS)
    feeds = _toml(tmp_path, peer, "/scam.txt")
    client = client_factory(ABAILA_FEEDS=str(feeds))

    _wait(lambda: _blocked(client, f"https://{first}/"), "the feed to be applied")
    hit = _verdict(client, f"https://{first}/")["signals"]["lists"][0]
    assert hit == {"expression": f"{first}/", "list": "bl-scam", "category": "scam",
                   "source": "https://github.com/blocklistproject/Lists", "licence": "Unlicense"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    row = ready.json()["checks"]["feeds"]["feeds"][0]
    assert row["entries"] == len(names) and row["last_error"] is None and row["failures"] == 0
    metrics = client.get("/metrics").text
    assert f'abaila_feed_entries{{feed="bl-scam"}} {len(names)}.0' in metrics
    assert 'abaila_feed_consecutive_failures{feed="bl-scam"} 0.0' in metrics

    # The CLI sees what the server sees (the store), and `sync --once` fetches now.
    settings = client.app.state.settings  # type: ignore[attr-defined]
    for key, value in (("ABAILA_LISTS_DIR", settings.lists_dir), ("ABAILA_VAR_DIR", settings.var_dir),
                       ("ABAILA_DATABASE_URL", settings.database_url), ("ABAILA_FEEDS", feeds)):
        monkeypatch.setenv(key, str(value))

    # A failing feed: reported, the instance stays ready, the last contents keep blocking.
    peer.misbehave("/scam.txt", "500")
    assert main(["feeds", "sync", "--once"]) == 1
    _wait(lambda: client.get("/readyz").json()["checks"]["feeds"]["failing"] == ["bl-scam"], "the failure report")
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert "HTTP 500" in ready.json()["checks"]["feeds"]["feeds"][0]["last_error"]
    assert _blocked(client, f"https://{first}/")

    # A changed file replaces the old contents: the first name left the feed and stops blocking.
    peer.serve("/scam.txt", ("\n".join(line for line in lines if first not in line) + "\n").encode())
    assert main(["feeds", "sync", "bl-scam", "--once"]) == 0
    _wait(lambda: not _blocked(client, f"https://{first}/"), "the changed feed to replace the old one")
    assert _blocked(client, f"https://{last}/")
    assert client.get("/readyz").json()["checks"]["feeds"]["failing"] == []


def test_feeds_list_and_bad_names(client_factory: Callable[..., TestClient], peer: FeedPeer, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = require_shared_data()
    peer.serve("/scam.txt", data / SCAM_ADBLOCK)
    feeds = _toml(tmp_path, peer, "/scam.txt")
    monkeypatch.setenv("ABAILA_FEEDS", str(feeds))
    monkeypatch.setenv("ABAILA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ABAILA_LISTS_DIR", str(tmp_path))
    assert main(["feeds", "sync", "--once"]) == 0
    assert "bl-scam: changed" in capsys.readouterr().out
    assert main(["feeds", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["name"] == "bl-scam" and rows[0]["entries"] > 8000 and rows[0]["last_success"]
    assert rows[0]["next_run"] and rows[0]["last_error"] is None
    assert main(["feeds", "list"]) == 0
    assert "bl-scam" in capsys.readouterr().out
    assert main(["feeds", "sync", "nope", "--once"]) == 2
    assert "no feed named 'nope'" in capsys.readouterr().err
    monkeypatch.setenv("ABAILA_FEEDS", str(tmp_path / "missing.toml"))
    assert main(["feeds", "list"]) == 2
    assert "ABAILA_FEEDS" in capsys.readouterr().err


@pytest.mark.timeout(600)
def test_a_400k_entry_feed(client_factory: Callable[..., TestClient], peer: FeedPeer, tmp_path: Path) -> None:
    data = require_shared_data()
    body = b"".join((data / part).read_bytes() for part in PHISHING_PARTS)
    peer.serve("/phishing.txt", body)
    feeds = _toml(tmp_path, peer, "/phishing.txt", name="phishing-400k", category="phishing")
    client = client_factory(ABAILA_FEEDS=str(feeds))
    _wait(lambda: client.get("/readyz").json()["checks"]["feeds"]["feeds"][0]["applied_version"] == 1,
          "the 400k-entry feed", seconds=540)
    _wait(lambda: client.get("/readyz").json()["checks"]["lists"]["entries"] > 370_000, "the rebuild", seconds=300)
    row = client.get("/readyz").json()["checks"]["feeds"]["feeds"][0]
    assert row["entries"] > 370_000  # 408,685 lines; 379,905 distinct valid expressions as parsed today
    assert _blocked(client, "http://100manet.com/")  # a line with an inline comment in Phishing.Database
    assert _verdict(client, "http://100manet.com/")["signals"]["lists"][0]["list"] == "phishing-400k"
