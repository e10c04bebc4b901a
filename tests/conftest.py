"""Shared fixtures: a small lists directory, an app/client factory, stores on each backend, API keys.

The local protocol peers (DNS, WHOIS, RDAP) are fixtures in tests/peers/fixtures.py, loaded below.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests._env import offline_upstreams, require_postgres
from tests._serve import create_token

pytest_plugins = ["tests.peers.fixtures"]

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


class Clock:
    """A wall clock the test moves by hand (`clock.advance(hours=2)`): what an app or store is given as its
    clock, so expiry is tested without waiting for it."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    """A Clock starting now (real time, whole seconds), moved only by the test."""
    return Clock()


@pytest.fixture
def client_factory(settings_factory: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    """Returns a factory: client_factory(clock=None, **env) -> a started TestClient; `clock` replaces the app's
    wall clock (Settings.clock: the store, the live updater, the moderation front ends)."""
    clients: list[TestClient] = []

    def make(*, clock: Callable[[], dt.datetime] | None = None, **env: str) -> TestClient:
        settings = settings_factory(**env)
        if clock is not None:
            settings = dataclasses.replace(settings, clock=clock)
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        client.headers["Origin"] = "http://testserver"  # as a browser sends on a form POST; /admin checks it
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(client_factory: Callable[..., TestClient]) -> TestClient:
    return client_factory()


# ---------------------------------------------------------------------------------------------------------
# Stores and API keys


def _ensure_store(client: TestClient, url: str) -> Any:
    """Returns the app's store, opening one (in the app's event loop) when the app did not."""
    app = client.app
    store = getattr(app.state, "store", None)  # type: ignore[attr-defined]
    if store is None:
        from service.store import Store

        store = client.portal.call(Store.open, url)  # type: ignore[union-attr]
        app.state.store = store  # type: ignore[attr-defined]
    return store


@pytest.fixture
def bank_client(client_factory: Callable[..., TestClient], tmp_path: Path) -> Callable[..., TestClient]:
    """Returns a factory: bank_client(**env) -> a TestClient whose app has a store for API keys."""

    def make(**env: str) -> TestClient:
        url = f"sqlite+aiosqlite:///{(tmp_path / 'keys.db').as_posix()}"
        client = client_factory(ABAILA_DATABASE_URL=url, **env)
        _ensure_store(client, url)
        return client

    return make


@pytest.fixture
def make_key() -> Callable[..., str]:
    """Returns a factory: make_key(client, role="bank", rate=None) -> a fresh token."""

    def make(client: TestClient, *, role: str = "bank", rate: str | None = None, name: str = "test bank") -> str:
        store = client.app.state.store  # type: ignore[attr-defined]
        _, token = client.portal.call(lambda: store.create_key(name=name, role=role, actor="tests", rate=rate))  # type: ignore[union-attr]
        return token

    return make


def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")

    async def run() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def _fresh_postgres() -> Iterator[str]:
    # A database of its own per test: the machine's `test` database is shared by every run (and by CI), so a
    # migration applied there by one branch's run must never be seen by another's.
    base = require_postgres()
    name = f"abaila_t_{secrets.token_hex(6)}"
    _pg_admin(base, f"CREATE DATABASE {name}")
    yield base.rsplit("/", 1)[0] + "/" + name
    _pg_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL per backend: a SQLite file in tmp_path, and a fresh PostgreSQL database dropped after
    (skipped without PostgreSQL, required under CI)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        return
    yield from _fresh_postgres()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped after (skipped without PostgreSQL, required under CI)."""
    yield from _fresh_postgres()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def tokens() -> Callable[..., dict[str, str]]:
    def make(url: str) -> dict[str, str]:
        return {role: create_token(url, role, f"{role}-1") for role in ("moderator", "bank", "admin")} | {
            "moderator2": create_token(url, "moderator", "moderator-2")}

    return make


@pytest.fixture
def moderation(client_factory: Callable[..., TestClient], database_url: str,
               tokens: Callable[..., dict[str, str]]) -> tuple[TestClient, dict[str, str], str]:
    """Returns (client, tokens by role, database url) on each backend."""
    made = tokens(database_url)
    return client_factory(ABAILA_DATABASE_URL=database_url), made, database_url
