"""A port-43 WHOIS server on 127.0.0.1 for tests, replaying real captures (tests/fixtures/whois).

    peer = WhoisPeer({"google.kz": FIXTURES / "whois.nic.kz__google.kz.2026.txt"})
    port = await peer.start()             # ephemeral; use it as an ABAILA_WHOIS_SERVERS override
    peer.queries["google.kz"]             # questions received for that name

A query with no reply configured gets `default` (empty: the server just closes). With `drip_s`, the
reply is written one byte every drip_s seconds, the way a throttling server stalls a client whose only
timeout is per read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from pathlib import Path

__all__ = ["WhoisPeer", "chain_parts"]


def chain_parts(path: Path) -> dict[str, bytes]:
    """Returns the parts of a `chain__*.txt` capture by server (`# whois.example` lines split them); the
    part before the first such line is IANA's."""
    parts: dict[str, list[bytes]] = {"whois.iana.org": []}
    current = "whois.iana.org"
    for line in path.read_bytes().splitlines(keepends=True):
        text = line.strip()
        if text.startswith(b"# whois.") and b" " not in text[2:]:
            current = text[2:].decode()
            parts[current] = []
            continue
        parts[current].append(line)
    return {server: b"".join(lines).strip(b"\r\n") + b"\n" for server, lines in parts.items()}


class WhoisPeer:
    def __init__(self, replies: dict[str, bytes | Path], *, default: bytes = b"", drip_s: float = 0.0) -> None:
        self._replies = {k.lower(): (v.read_bytes() if isinstance(v, Path) else v) for k, v in replies.items()}
        self._default = default
        self._drip_s = drip_s
        self.queries: Counter[str] = Counter()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    @property
    def total(self) -> int:
        return sum(self.queries.values())

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            query = (await reader.readline()).decode("utf-8", "replace").strip().lower()
            self.queries[query] += 1
            reply = self._replies.get(query, self._default)
            if self._drip_s:
                for i in range(len(reply)):
                    writer.write(reply[i:i + 1])
                    await writer.drain()
                    await asyncio.sleep(self._drip_s)
            else:
                writer.write(reply)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
