"""An authoritative-style DNS server on 127.0.0.1 for tests: real UDP packets, built and parsed by dnslib.

    peer = DnsPeer(records=["shop.com. 300 IN A 93.184.216.34", "shop.com. 300 IN MX 10 mx.shop.com."],
                   servfail={"broken.com"}, silent={"slow.com"})
    port = await peer.start()          # an ephemeral port, also peer.port; point LookupConfig.dns_servers at it
    peer.queries[("shop.com", "A")]    # how many questions of that name and type arrived

A name with records but none of the asked type gets NOERROR with no answer; a name with no records gets
NXDOMAIN; `servfail` names get SERVFAIL; `silent` names get nothing at all (the client must time out);
`delay_s` holds every answer back that long.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict

from dnslib import QTYPE, RCODE, RR, DNSRecord

__all__ = ["DnsPeer"]


class DnsPeer(asyncio.DatagramProtocol):
    def __init__(self, records: list[str] = (), *, servfail: set[str] = frozenset(),  # type: ignore[assignment]
                 silent: set[str] = frozenset(), delay_s: float = 0.0) -> None:  # type: ignore[assignment]
        self._zone: dict[str, list[RR]] = defaultdict(list)
        for line in records:
            for rr in RR.fromZone(line):
                self._zone[str(rr.rname).rstrip(".").lower()].append(rr)
        self._servfail = servfail
        self._silent = silent
        self._delay_s = delay_s
        self.queries: Counter[tuple[str, str]] = Counter()
        self._transport: asyncio.DatagramTransport | None = None
        self.port = 0

    async def start(self) -> int:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))
        self.port = self._transport.get_extra_info("sockname")[1]
        return self.port

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    @property
    def total(self) -> int:
        return sum(self.queries.values())

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = DNSRecord.parse(data)
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        self.queries[(name, qtype)] += 1
        if name in self._silent:
            return
        reply = request.reply()
        if name in self._servfail:
            reply.header.rcode = RCODE.SERVFAIL
        elif name not in self._zone:
            reply.header.rcode = RCODE.NXDOMAIN
        else:
            for rr in self._zone[name]:
                if rr.rtype == request.q.qtype:
                    reply.add_answer(rr)
        packet = reply.pack()
        if self._delay_s:
            asyncio.get_running_loop().call_later(self._delay_s, self._send, packet, addr)
        else:
            self._send(packet, addr)

    def _send(self, packet: bytes, addr: tuple[str, int]) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(packet, addr)
