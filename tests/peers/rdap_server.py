"""An RDAP server on 127.0.0.1 for tests: plain HTTP/1.1 over asyncio streams, replaying real captures.

    peer = RdapPeer({"google.com": (200, FIXTURES / "rdap.verisign.com__google.com.2026.json"),
                     "slow.com": (200, b"{}", 5.0)})          # (status, body, optional delay in seconds)
    port = await peer.start()
    peer.bootstrap_file(tmp_path, ["com"])   # an IANA dns.json naming this server for .com
    peer.requests["google.com"]              # GET /domain/google.com requests received

A name with no answer configured gets 404 with an RDAP error body, as registries send for unregistered
names (RFC 7480 §5.3).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from pathlib import Path

__all__ = ["RdapPeer"]

_REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 302: "Found"}


class RdapPeer:
    def __init__(self, answers: dict[str, tuple]) -> None:
        self._answers = {}
        for name, answer in answers.items():
            status, body, *delay = answer
            self._answers[name.lower()] = (status, body.read_bytes() if isinstance(body, Path) else body,
                                           delay[0] if delay else 0.0)
        self.requests: Counter[str] = Counter()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    def bootstrap_file(self, directory: Path, tlds: list[str]) -> Path:
        path = directory / "dns.json"
        path.write_text(json.dumps({"description": "test bootstrap", "publication": "2026-01-01T00:00:00Z",
                                    "services": [[tlds, [f"http://127.0.0.1:{self.port}/rdap/"]]],
                                    "version": "1.0"}))
        return path

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: httpx reuses connections
                request_line = await reader.readline()
                if not request_line:
                    return
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                _method, path, _version = request_line.decode().split(" ", 2)
                name = path.rsplit("/domain/", 1)[-1].lower() if "/domain/" in path else ""
                self.requests[name] += 1
                status, body, delay = self._answers.get(
                    name, (404, b'{"errorCode":404,"title":"Not Found"}', 0.0))
                if delay:
                    await asyncio.sleep(delay)
                head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
                        f"Content-Type: application/rdap+json\r\nContent-Length: {len(body)}\r\n\r\n")
                writer.write(head.encode() + body)
                await writer.drain()
        except (ConnectionError, ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
