"""Believes `X-Forwarded-For` / `X-Forwarded-Proto` only from ABAILA_TRUSTED_PROXIES (empty by default).

    trusted = 10.0.0.5       client 10.0.0.5, X-Forwarded-For: 203.0.113.9, 10.0.0.7
                             -> scope["client"] = ("203.0.113.9", 0) if 10.0.0.7 is trusted too, else 10.0.0.7

uvicorn trusts these headers from loopback by default, so a client on the same host rotated
X-Forwarded-For and escaped every per-address limit (issue 10); `abaila serve` turns that off and this
middleware decides instead. The list is walked from the right: each trusted hop is skipped, the first
untrusted address is the client. A request from an untrusted peer keeps its socket address whatever it sends.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ProxyHeadersMiddleware", "client_key", "parse_networks"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> tuple[_Network, ...]:
    """Returns the networks of addresses or CIDR blocks; raises ValueError naming a bad one."""
    networks = []
    for item in items:
        text = item.strip()
        if text:
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(f"{text!r} is not an IP address or network") from None
    return tuple(networks)


def client_key(scope: Scope) -> str:
    """Returns the counter identity of the client address: the IPv4 address, or the IPv6 /64 it is in.

    One IPv6 subscriber usually holds a whole /64 (RFC 6177), so per-address counting would give it 2^64
    budgets.
    """
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class ProxyHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, trusted: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted = parse_networks(trusted)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and self.trusted and client and self._is_trusted(client[0]):
            headers = dict(scope.get("headers") or ())  # the last of repeated headers wins, as in uvicorn
            forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            while hops and self._is_trusted(hops[-1]):
                hops.pop()
            if hops:
                scope["client"] = (hops[-1], 0)
            proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
        await self.app(scope, receive, send)
