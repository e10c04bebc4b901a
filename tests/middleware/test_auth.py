"""AuthenticationMiddleware: the principal once per request, 401 for a bad key, a budget for unknown tokens."""

from __future__ import annotations

from starlette.testclient import TestClient


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_unknown_tokens_are_budgeted_per_address(bank_client, make_key):
    # Issue 10: made-up Bearer tokens were never rate-limited, and each cost a store lookup.
    client = bank_client()
    good = make_key(client, rate="none")
    statuses = [client.get("/v1/check?url=kaspi.kz", headers=_auth(f"abk_made_up_{i}")).status_code
                for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429
    other = TestClient(client.app, client=("203.0.113.50", 4000))
    assert other.get("/v1/check?url=kaspi.kz", headers=_auth(good)).status_code == 200  # other addresses unaffected


def test_key_in_query_on_v4_is_a_credential(bank_client, make_key):
    client = bank_client()
    token = make_key(client)
    body = {"threatInfo": {"threatEntries": [{"url": "http://kaspi-kz.top/"}]}}
    assert client.post(f"/v4/threatMatches:find?key={token}", json=body).status_code == 200
    assert client.post("/v4/threatMatches:find?key=nope", json=body).status_code == 401


def test_unknown_tokens_on_admin_routes_share_the_budget(bank_client, make_key):
    client = bank_client()
    statuses = [client.get("/v1/admin/reports", headers=_auth(f"abk_guess_{i}")).status_code for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429
