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
import json
from collections import Counter
from pathlib import Path

from tests.peers.servers import HttpPeer, Request, Response

__all__ = ["RdapPeer"]

_NOT_FOUND = b'{"errorCode":404,"title":"Not Found"}'


class RdapPeer(HttpPeer):
    def __init__(self, answers: dict[str, tuple]) -> None:
        super().__init__()
        self._answers = {}
        for name, answer in answers.items():
            status, body, *delay = answer
            self._answers[name.lower()] = (status, body.read_bytes() if isinstance(body, Path) else body,
                                           delay[0] if delay else 0.0)
        self.requests: Counter[str] = Counter()

    def bootstrap_file(self, directory: Path, tlds: list[str]) -> Path:
        path = directory / "dns.json"
        path.write_text(json.dumps({"description": "test bootstrap", "publication": "2026-01-01T00:00:00Z",
                                    "services": [[tlds, [f"http://127.0.0.1:{self.port}/rdap/"]]],
                                    "version": "1.0"}))
        return path

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    async def respond(self, request: Request) -> Response:
        name = request.path.rsplit("/domain/", 1)[-1].lower() if "/domain/" in request.path else ""
        self.requests[name] += 1
        status, body, delay = self._answers.get(name, (404, _NOT_FOUND, 0.0))
        if delay:
            await asyncio.sleep(delay)
        return Response(status, body, {"Content-Type": "application/rdap+json"})
