"""POST /v1/reports rate limit: per client address, shared by every instance through Redis when configured.

Two app instances on one store, each with its own TestClient whose client address is made up per test
(so counters left in Redis by an earlier run never meet this one).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from service.api import reports as reports_api
from service.app import create_app
from service.settings import Settings
from tests._env import require_redis
from tests._serve import auth, create_token

LIMIT = reports_api.REPORTS_PER_WINDOW


def _address() -> str:
    return "10." + ".".join(str(b) for b in secrets.token_bytes(3))


@pytest.fixture
def instances(settings_factory: Callable[..., Settings], sqlite_url: str) -> Iterator[Callable[..., TestClient]]:
    opened: list[TestClient] = []

    def start(address: str, **env: str) -> TestClient:
        client = TestClient(create_app(settings_factory(ABAILA_DATABASE_URL=sqlite_url, **env)),
                            raise_server_exceptions=False, client=(address, 50000))
        client.__enter__()
        opened.append(client)
        return client

    yield start
    for client in opened:
        client.__exit__(None, None, None)


def _report(client: TestClient, i: int, **headers: str) -> int:
    response = client.post("/v1/reports", json={"url": f"https://shop-{i}.kz/", "kind": "scam"}, headers=headers)
    return response.status_code


def test_two_instances_share_the_report_limit_through_redis(instances: Callable[..., TestClient],
                                                            sqlite_url: str) -> None:
    redis_url = require_redis()
    address = _address()
    first, second = (instances(address, ABAILA_REDIS_URL=redis_url) for _ in range(2))
    half = LIMIT // 2
    assert [_report(first, i) for i in range(half)] == [201] * half
    assert [_report(second, i) for i in range(half, LIMIT)] == [201] * (LIMIT - half)
    refused = first.post("/v1/reports", json={"url": "https://one-more.kz/", "kind": "scam"})
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= reports_api.WINDOW_SECONDS
    assert refused.headers["ratelimit-limit"] == str(LIMIT) and refused.headers["ratelimit-remaining"] == "0"
    assert _report(second, 99) == 429
    # A credential does not lift the limit: reports are counted per address, whoever sends them.
    bank = create_token(sqlite_url, "bank", "bank-1")
    assert _report(second, 100, **auth(bank)) == 429
    # Another address has its own count, on either instance.
    other = instances(_address(), ABAILA_REDIS_URL=redis_url)
    assert _report(other, 101) == 201
    # Checks are not counted against reports (nor reports against checks).
    assert first.get("/v1/check", params={"url": "https://shop-1.kz/"}).status_code == 200


def test_without_redis_each_instance_counts_alone(instances: Callable[..., TestClient]) -> None:
    address = _address()
    first, second = instances(address), instances(address)
    assert [_report(first, i) for i in range(LIMIT + 1)] == [201] * LIMIT + [429]
    ok = second.post("/v1/reports", json={"url": "https://elsewhere.kz/", "kind": "scam"})
    assert ok.status_code == 201 and ok.headers["ratelimit-remaining"] == str(LIMIT - 1)
