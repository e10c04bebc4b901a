"""GET /metrics: requests by route template and status, latency, verdicts, index size, list version."""

from __future__ import annotations


def _samples(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def test_metrics_count_routes_statuses_and_verdicts(bank_client, make_key):
    client = bank_client(ABAILA_ANON_RATE="3/minute")
    client.get("/v1/check?url=https://kaspi-kz.top/secret-path")
    client.get("/v1/check?url=https://kaspi.kz/")
    client.get("/v1/check?url=bad host.kz")
    assert client.get("/v1/check?url=kaspi.kz").status_code == 429
    client.get("/no/such/route/with-a-url.kz")
    token = make_key(client)
    client.post("/v1/check/batch", json={"urls": ["kaspi-kz.top", "halyk-bonus.xyz", "kaspi.kz"]},
                headers={"Authorization": f"Bearer {token}"})
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    samples = _samples(text)
    assert samples['abaila_http_requests_total{method="GET",route="/v1/check",status="200"}'] == 2
    assert samples['abaila_http_requests_total{method="GET",route="/v1/check",status="400"}'] == 1
    assert samples['abaila_http_requests_total{method="GET",route="/v1/check",status="429"}'] == 1
    assert samples['abaila_http_requests_total{method="GET",route="unmatched",status="404"}'] == 1
    assert samples['abaila_http_requests_total{method="POST",route="/v1/check/batch",status="200"}'] == 1
    assert samples['abaila_http_request_duration_seconds_count{method="GET",route="/v1/check"}'] == 4
    assert samples['abaila_verdicts_total{level="blocked"}'] == 3
    assert samples['abaila_verdicts_total{level="trusted"}'] == 2
    assert samples["abaila_index_entries"] >= 7
    assert any(name.startswith("abaila_lists_info{version=") for name in samples)
    assert "secret-path" not in text and "with-a-url" not in text  # templates, never URLs


def test_made_up_methods_and_paths_share_one_label_each(client_factory):
    # Issue 10: 2,000 made-up methods grew /metrics to 38,000 series.
    client = client_factory()
    for i in range(40):
        client.request(f"X{i}", f"/nothing/{i}")
    text = client.get("/metrics").text
    methods = {line.split('method="')[1].split('"')[0] for line in text.splitlines()
               if line.startswith("abaila_http_requests_total{")}
    assert methods <= {"GET", "other"} and "other" in methods
    assert 'route="unmatched"' in text and "/nothing/" not in text
