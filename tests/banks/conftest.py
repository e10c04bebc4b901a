"""Fixtures for the bank-facing routes: a client whose app has a store, and API keys made in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient


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
