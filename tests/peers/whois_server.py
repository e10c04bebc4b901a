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
from collections import Counter
from pathlib import Path

from tests.peers.servers import StreamPeer

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


class WhoisPeer(StreamPeer):
    def __init__(self, replies: dict[str, bytes | Path], *, default: bytes = b"", drip_s: float = 0.0) -> None:
        super().__init__()
        self._replies = {k.lower(): (v.read_bytes() if isinstance(v, Path) else v) for k, v in replies.items()}
        self._default = default
        self._drip_s = drip_s
        self.queries: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.queries.values())

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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
