"""The request log: the route template, never a query string, a body or a report id."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests._serve import environ, serve


def test_access_log_names_the_route_not_the_report_id(tmp_path: Path, lists_dir: Path):
    log = tmp_path / "serve.log"
    with serve(environ(tmp_path, lists_dir, ABAILA_LOG_LEVEL="info"), log=log) as base:
        report = httpx.post(base + "/v1/reports", json={"url": "http://scam-shop.kz/", "kind": "scam"}).json()
        assert httpx.get(f"{base}/v1/reports/{report['id']}").status_code == 200
        httpx.get(base + "/v1/check", params={"url": "http://secret-path.kz/"})
    text = log.read_text(encoding="utf-8")
    assert "/v1/reports/{report_id}" in text
    assert report["id"] not in text and "secret-path" not in text
