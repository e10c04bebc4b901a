"""An HTTP server on 127.0.0.1 that serves feed files the way feed hosts do, and misbehaves on request.

    peer = FeedPeer()
    base = peer.start()                                  # http://127.0.0.1:<port>, also peer.base
    peer.url("/hosts.txt")                                 # base + path
    peer.serve("/hosts.txt", SHARED_DATA / "hosts/x.txt")  # 200 with ETag and Last-Modified; 304 when unchanged
    peer.serve("/hosts.txt", other_bytes)                 # a changed file: new ETag
    peer.misbehave("/hosts.txt", "500" | "slow" | "truncate" | "empty")
    peer.requests                                          # [(path, {header: value})] received

Responses are gzip-encoded when the client accepts it (as most feed hosts do). Threads, not asyncio, so a
server in a child process and a test's own event loop can both reach it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import threading
import time
from email.utils import formatdate
from pathlib import Path

from tests.peers.servers import QuietHandler, ThreadedServer

__all__ = ["FeedPeer"]


class FeedPeer:
    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str, str]] = {}  # path -> (body, etag, last-modified)
        self.modes: dict[str, str] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.slow_seconds = 5.0
        self._server: ThreadedServer | None = None
        self.base = ""
        self._released = threading.Event()

    def serve(self, path: str, body: bytes | Path, *, gzip_file: bool = False) -> None:
        data = body.read_bytes() if isinstance(body, Path) else body
        if gzip_file:
            data = gzip.compress(data)
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        self.files[path] = (data, etag, formatdate(time.time() - 60, usegmt=True))
        self.modes.pop(path, None)

    def misbehave(self, path: str, mode: str) -> None:
        self.modes[path] = mode

    def behave(self, path: str) -> None:
        self.modes.pop(path, None)

    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def start(self) -> str:
        peer = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                peer.requests.append((self.path, dict(self.headers.items())))
                mode = peer.modes.get(self.path, "ok")
                found = peer.files.get(self.path)
                if found is None:
                    return self._send(404, b"not found")
                if mode == "500":
                    return self._send(500, b"internal error")
                if mode == "slow":
                    peer._released.wait(peer.slow_seconds)
                    return self._send(503, b"too late")
                body, etag, modified = found
                if mode == "empty":
                    body = b""
                if self.headers.get("If-None-Match") == etag and mode == "ok":
                    return self._send(304, b"", {"ETag": etag, "Last-Modified": modified})
                headers = {"ETag": etag, "Last-Modified": modified, "Content-Type": "text/plain"}
                if "gzip" in (self.headers.get("Accept-Encoding") or "") and body[:2] != b"\x1f\x8b":
                    body = gzip.compress(body, 1)
                    headers["Content-Encoding"] = "gzip"
                if mode == "truncate":  # promise the whole body, send half, hang up
                    self.send_response(200)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                return self._send(200, body, headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        # A client that hangs up (a timeout test, a cancelled download) is not news.
        self._server = ThreadedServer(Handler, quiet_errors=True, name="feed-peer")
        self.base = f"http://127.0.0.1:{self._server.port}"
        return self.base

    def url(self, path: str) -> str:
        assert self.base, "start() the peer first"
        return self.base + path

    def close(self) -> None:
        self._released.set()
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.stop()
