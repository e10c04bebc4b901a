"""Rate limits: anonymous per client address, per API key, 429 with Retry-After and RateLimit-* headers."""

from __future__ import annotations

import uuid

from starlette.testclient import TestClient

from service.middleware.ratelimit import key_usage, parse_rate
from tests._env import require_redis

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


def test_redis_down_lets_requests_through(client_factory):
    client = client_factory(ABAILA_REDIS_URL="redis://127.0.0.1:9/0", ABAILA_ANON_RATE="1/minute")
    for _ in range(3):
        assert client.get(URL).status_code == 200


def test_limits_shared_through_redis(client_factory):
    redis_url = require_redis()
    address = (f"test-{uuid.uuid4().hex}", 4000)  # a fresh address: no counters from earlier runs
    first = TestClient(client_factory(ABAILA_REDIS_URL=redis_url, ABAILA_ANON_RATE="3/minute").app, client=address)
    second = TestClient(client_factory(ABAILA_REDIS_URL=redis_url, ABAILA_ANON_RATE="3/minute").app, client=address)
    assert first.get(URL).status_code == 200
    assert second.get(URL).status_code == 200
    assert first.get(URL).status_code == 200
    assert second.get(URL).status_code == 429  # the fourth check from this address, on either instance
