"""Rate limits: anonymous per client address, per API key, 429 with Retry-After and RateLimit-* headers."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from service.middleware.ratelimit import parse_rate
from service.middleware.usage import key_usage
from tests._env import require_redis
from tests._serve import environ, serve

URL = "/v1/check?url=https://kaspi-kz.top/"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_anonymous_limit_per_address_then_clean_429(client_factory):
    client = client_factory(ABAILA_ANON_RATE="3/minute")
    seen = []
    for _ in range(3):
        response = client.get(URL)
        assert response.status_code == 200
        seen.append(int(response.headers["ratelimit-remaining"]))
        assert response.headers["ratelimit-limit"] == "3"
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
    assert seen == [2, 1, 0]
    limited = client.get(URL)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["ratelimit-remaining"] == "0" and limited.headers["ratelimit-limit"] == "3"
    assert client.post("/v1/check", json={"url": "kaspi.kz"}).status_code == 429  # GET and POST share it
    # Another address has its own budget; unlimited routes carry no headers.
    other = TestClient(client.app, client=("203.0.113.9", 4000))
    assert other.get(URL).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and "ratelimit-limit" not in health.headers


def test_per_key_limits_none_and_default(bank_client, make_key):
    client = bank_client(ABAILA_ANON_RATE="1/minute", ABAILA_KEY_RATE="4/minute")
    slow = make_key(client, rate="2/minute", name="slow bank")
    free = make_key(client, rate="none", name="internal")
    default = make_key(client, name="default bank")
    for _ in range(2):
        assert client.get(URL, headers=_auth(slow)).status_code == 200
    limited = client.get(URL, headers=_auth(slow))
    assert limited.status_code == 429 and limited.headers["retry-after"]
    batch = client.post("/v1/check/batch", json={"urls": ["kaspi.kz"]}, headers=_auth(slow))
    assert batch.status_code == 429 and batch.json()["error"]["code"] == "rate_limited"
    for _ in range(20):
        response = client.get(URL, headers=_auth(free))
        assert response.status_code == 200 and "ratelimit-limit" not in response.headers
    assert client.get(URL, headers=_auth(default)).headers["ratelimit-limit"] == "4"
    # Keys do not spend the anonymous budget of their address.
    assert client.get(URL).status_code == 200


def test_bad_key_is_401_even_where_a_key_is_optional(bank_client):
    client = bank_client()
    response = client.get(URL, headers=_auth("abk_forged"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_key_usage_for_admins(bank_client, make_key):
    client = bank_client()
    token = make_key(client, rate="3/minute")
    key_id = str(client.portal.call(client.app.state.store.list_keys)[0].id)
    client.post("/v1/check/batch", json={"urls": ["kaspi.kz", "kaspi-kz.top", "a.kz"]}, headers=_auth(token))
    client.get(URL, headers=_auth(token))
    client.get(URL, headers=_auth(token))
    assert client.get(URL, headers=_auth(token)).status_code == 429
    usage = client.portal.call(key_usage, client.app)
    assert usage == {key_id: {"requests": 3, "urls": 5, "limited": 1}}
    assert client.portal.call(key_usage, client.app, key_id) == usage
    # Admins see the same counters beside each key in the admin API; other roles may not look.
    admin = make_key(client, role="admin", rate="none", name="ops")
    listed = client.get("/v1/admin/keys", headers=_auth(admin)).json()["keys"]
    by_id = {str(k["id"]): k for k in listed}
    assert by_id[key_id]["usage"] == {"requests": 3, "urls": 5, "limited": 1}
    assert "token" not in by_id[key_id]
    assert client.get("/v1/admin/keys", headers=_auth(token)).status_code == 403


def test_rates_parse_or_name_the_variable():
    assert parse_rate("none", name="X") is None
    assert parse_rate("50/second", name="X").amount == 50
    try:
        parse_rate("fast", name="ABAILA_ANON_RATE")
    except Exception as exc:  # ConfigError
        assert "ABAILA_ANON_RATE" in str(exc) and "'fast'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a bad rate was accepted")


def test_redis_refused_falls_back_to_counters_in_this_process(client_factory):
    # Issue 10: with Redis unreachable every limit failed open (200/200 checks, 20/20 reports passed).
    client = client_factory(ABAILA_REDIS_URL="redis://127.0.0.1:9/0", ABAILA_ANON_RATE="2/minute")
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    reports = [client.post("/v1/reports", json={"url": f"http://scam{i}.kz/", "kind": "scam"}).status_code
               for i in range(12)]
    assert reports.count(201) == 10 and reports[-1] == 429
    ready = client.get("/readyz").json()["checks"]["ratelimit"]
    assert ready == {"ok": False, "required": False, "backend": "redis", "fallback": "memory",
                     "error": ready["error"]} and "ConnectionError" in ready["error"]
    assert 'abaila_degraded{component="ratelimit"} 1.0' in client.get("/metrics").text


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A port that accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()
    for conn in held:
        conn.close()


@pytest.mark.timeout(60)
def test_hung_redis_trips_the_breaker_and_limits_still_hold(client_factory, silent_redis):
    # Issue 10: with Redis accepting and never answering, each request waited 5 s and was let through.
    client = client_factory(ABAILA_REDIS_URL=silent_redis, ABAILA_ANON_RATE="3/minute")
    statuses = [client.get(URL).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limiter = client.app.state.limiter
    assert limiter.degraded and limiter.breaker.failures >= 1  # a timeout opened the breaker
    assert "TimeoutError" in limiter.breaker.last_error


def test_trusted_proxy_addresses_are_believed_and_nothing_else(client_factory):
    proxied = client_factory(ABAILA_ANON_RATE="1/minute", ABAILA_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.1")
    # The test client's socket ("testclient") is not a trusted proxy: its X-Forwarded-For is ignored.
    assert proxied.get(URL, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert proxied.get(URL, headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429
    behind = TestClient(proxied.app, client=("10.1.2.3", 5000))
    assert behind.get(URL, headers={"X-Forwarded-For": "203.0.113.7, 10.9.9.9"}).status_code == 200
    assert behind.get(URL, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429  # the same client
    assert behind.get(URL, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200


def test_serve_ignores_forwarded_for_from_an_untrusted_local_client(tmp_path, lists_dir):
    # Issue 10: uvicorn believed X-Forwarded-For from loopback, so rotating it escaped every limit (130/130).
    env = environ(tmp_path, lists_dir, ABAILA_ANON_RATE="3/minute")
    with serve(env) as base, httpx.Client() as client:
        statuses = [client.get(base + URL, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                    for i in range(5)]
        reports = [client.post(base + "/v1/reports", json={"url": f"http://s{i}.kz/", "kind": "scam"},
                               headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(11)]
    assert statuses == [200, 200, 200, 429, 429]
    assert reports.count(201) == 10 and reports[-1] == 429


def test_ipv6_clients_are_counted_per_64(client_factory):
    client = client_factory(ABAILA_ANON_RATE="2/minute")
    first = TestClient(client.app, client=("2001:db8:1:2::1", 4000))
    second = TestClient(client.app, client=("2001:db8:1:2:ffff::9", 4000))
    other = TestClient(client.app, client=("2001:db8:1:3::1", 4000))
    assert [first.get(URL).status_code, second.get(URL).status_code, second.get(URL).status_code] == [200, 200, 429]
    assert other.get(URL).status_code == 200


def test_limits_shared_through_redis(client_factory):
    redis_url = require_redis()
    address = (f"test-{uuid.uuid4().hex}", 4000)  # a fresh address: no counters from earlier runs
    env = {"ABAILA_REDIS_URL": redis_url, "ABAILA_ANON_RATE": "3/minute", "ABAILA_REDIS_TIMEOUT_MS": "2000"}
    first = TestClient(client_factory(**env).app, client=address)
    second = TestClient(client_factory(**env).app, client=address)
    assert first.get(URL).status_code == 200
    assert second.get(URL).status_code == 200
    assert first.get(URL).status_code == 200
    assert second.get(URL).status_code == 429  # the fourth check from this address, on either instance
