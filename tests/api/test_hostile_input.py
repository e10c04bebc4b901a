"""Issue 10, High 1-2 and Low: URL limits on every route that takes URLs, bounded bodies, nested JSON."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from service.api.batch import MAX_URLS
from service.urls import MAX_URL_LENGTH
from tests._serve import environ, serve

LONG_URL = "https://a.kz/%" + "25" * (MAX_URL_LENGTH // 2) + "41"  # one byte over, and nested escapes


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_safe_browsing_refuses_a_url_over_the_api_limit(bank_client, make_key):
    client = bank_client()
    token = make_key(client)
    body = {"threatInfo": {"threatEntries": [{"url": LONG_URL}]}}
    response = client.post("/v4/threatMatches:find", json=body, headers=_auth(token))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "threatInfo.threatEntries"
    ok = {"threatInfo": {"threatEntries": [{"url": "https://a.kz/" + "x" * (MAX_URL_LENGTH - 20)}]}}
    assert client.post("/v4/threatMatches:find", json=ok, headers=_auth(token)).status_code == 200


def test_batch_body_limit_fits_the_documented_maximum(bank_client, make_key):
    client = bank_client(ABAILA_CHECK_DEADLINE_MS="50")
    token = make_key(client, rate="none")
    url = "http://kaspi-kz.top/" + "a" * (MAX_URL_LENGTH - len("http://kaspi-kz.top/"))
    response = client.post("/v1/check/batch", json={"urls": [url] * MAX_URLS}, headers=_auth(token))
    assert response.status_code == 200, response.text[:300]
    assert len(response.json()["results"]) == MAX_URLS


@pytest.mark.parametrize("path", ["/v1/check", "/v1/lookup/prefixes", "/v1/admin/entries"])
def test_deeply_nested_json_is_a_400(bank_client, make_key, path):
    client = bank_client()
    token = make_key(client, role="moderator")
    body = "[" * 30_000 + "]" * 30_000
    response = client.post(path, content=body, headers={**_auth(token), "Content-Type": "application/json"})
    assert response.status_code == 400, response.text[:200]
    assert response.json()["error"]["code"] == "invalid_json"


def test_prefixes_are_under_the_anonymous_rate_limit(client_factory):
    client = client_factory(ABAILA_ANON_RATE="2/minute")
    for _ in range(2):
        assert client.post("/v1/lookup/prefixes", json={"prefixes": []}).status_code == 200
    limited = client.post("/v1/lookup/prefixes", json={"prefixes": []})
    assert limited.status_code == 429 and limited.headers["retry-after"]


def _exchange(port: int, head: bytes, body: bytes) -> bytes:
    """Sends head and body on a real socket, without the rest of a declared body; returns what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                break  # before issue 10: the server sat waiting for the rest of the body
            if not data:
                break
            chunks.append(data)
            if b"\r\n\r\n" in b"".join(chunks) and b"}" in data:
                break
        return b"".join(chunks)


def test_prefixes_refuse_big_bodies_before_reading_them(tmp_path: Path, lists_dir: Path):
    env = environ(tmp_path, lists_dir)
    with serve(env) as base:
        port = int(base.rsplit(":", 1)[1])
        declared = (b"POST /v1/lookup/prefixes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 268435456\r\n\r\n")
        answer = _exchange(port, declared, b"")
        assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
        chunked = (b"POST /v1/lookup/prefixes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (32 * 1024, b" " * 32 * 1024)
        answer = _exchange(port, chunked, chunk * 4)  # 128 KB sent, the body never ends
        assert answer.startswith(b"HTTP/1.1 413"), answer[:100]


def test_a_dripping_body_is_cut_off(tmp_path: Path, lists_dir: Path):
    # Issue 10: no body-read timeout, so 300 connections that never finish their body held workers for 40 s.
    env = environ(tmp_path, lists_dir)
    with serve(env) as base:
        port = int(base.rsplit(":", 1)[1])
        head = (b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\n\r\n")
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(head + b'{"url": ')
            answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
