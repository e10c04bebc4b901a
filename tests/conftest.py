"""Shared fixtures: a small lists directory and an app/client factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests._env import offline_upstreams

SCAM_LIST = """\
# name: test-scam
# category: phishing
# source: tests
# licence: CC0-1.0
# format: plain
kaspi-kz.top
olx-kz.deal-safe.online
halyk-bonus.xyz
"""

URL_LIST = """\
# name: test-urls
# category: scam_shop
# format: urls
http://shop.example-host.kz/fake/checkout.html
https://sites.example.com/evil-page/
"""

ALLOW_LIST = """\
# name: test-allow
# category: allowlist
# format: plain
kaspi.kz
halykbank.kz
"""


def write_lists(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scam.txt").write_text(SCAM_LIST, encoding="utf-8")
    (directory / "urls.txt").write_text(URL_LIST, encoding="utf-8")
    (directory / "allow.txt").write_text(ALLOW_LIST, encoding="utf-8")
    return directory


@pytest.fixture
def lists_dir(tmp_path: Path) -> Path:
    return write_lists(tmp_path / "lists")


@pytest.fixture
def settings_factory(tmp_path: Path, lists_dir: Path) -> Callable[..., Settings]:
    def make(**env: str) -> Settings:
        # Tests never reach a real registry; those that need answers start local peers.
        base = {
            "ABAILA_LISTS_DIR": str(lists_dir),
            "ABAILA_VAR_DIR": str(tmp_path / "var"),
            "ABAILA_CHECK_DEADLINE_MS": "300",
            **offline_upstreams(tmp_path),
        }
        base.update(env)
        return Settings.from_env(base)

    return make


@pytest.fixture
def client_factory(settings_factory: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**env: str) -> TestClient:
        client = TestClient(create_app(settings_factory(**env)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(client_factory: Callable[..., TestClient]) -> TestClient:
    return client_factory()
