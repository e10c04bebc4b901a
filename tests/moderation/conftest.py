"""Fixtures for the moderation tests: a store URL per backend, tokens, a client on that store.

`backend` runs a test on SQLite (a file in tmp_path) and on PostgreSQL (a fresh database made for the
test on 127.0.0.1:5432, dropped after; skipped without PostgreSQL, required under CI).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from service.store import Store
from tests._env import require_postgres


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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        return
    base = require_postgres()
    name = f"abaila_t_{secrets.token_hex(6)}"
    _pg_admin(base, f"CREATE DATABASE {name}")
    yield base.rsplit("/", 1)[0] + "/" + name
    _pg_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"


def create_token(url: str, role: str, name: str, rate: str | None = None) -> str:
    """Returns a new token made directly in the store at url (as `abaila keys create` does)."""

    async def run() -> str:
        store = await Store.open(url)
        try:
            return (await store.create_key(name=name, role=role, actor="tests", rate=rate))[1]
        finally:
            await store.close()

    return asyncio.run(run())


@pytest.fixture
def tokens() -> Callable[..., dict[str, str]]:
    def make(url: str) -> dict[str, str]:
        return {role: create_token(url, role, f"{role}-1") for role in ("moderator", "bank", "admin")} | {
            "moderator2": create_token(url, "moderator", "moderator-2")}

    return make


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def moderation(client_factory: Callable[..., TestClient], database_url: str,
               tokens: Callable[..., dict[str, str]]) -> tuple[TestClient, dict[str, str], str]:
    """Returns (client, tokens by role, database url) on each backend."""
    made = tokens(database_url)
    return client_factory(ABAILA_DATABASE_URL=database_url), made, database_url
