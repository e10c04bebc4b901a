"""DNS -> DnsFacts: does the name resolve, to what kind of address, how briefly, and is mail set up.

`DnsClient.lookup("shop.example.kz", "example.kz")` asks four questions at once (A and AAAA of the host,
MX and NS of the registrable domain) and condenses the answers::

    DnsFacts(host="shop.example.kz", outcome=DnsOutcome.RESOLVES, addresses=("203.0.113.7",),
             non_public=(), min_ttl=300, subnets_24=1, has_mx=True, has_ns=True, outside_kz=None)

The outcome tells apart the ways a name can fail to resolve, because they mean different things:
NXDOMAIN (no such name), NO_ANSWER (the name exists, with no address), SERVFAIL (the zone is broken or
lame) and TIMEOUT (nobody answered in time). `outside_kz` is only known when a list of Kazakhstan's
networks is configured (`ABAILA_KZ_NETWORKS`); without it the .kz local-hosting rule cannot be checked
and the fact stays None.
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

__all__ = ["DnsClient", "DnsFacts", "DnsOutcome", "load_networks"]

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class DnsOutcome(enum.StrEnum):
    RESOLVES = "resolves"  # at least one A/AAAA address: judge the addresses
    NXDOMAIN = "nxdomain"  # the name does not exist: a link to it is dead or not yet live
    NO_ANSWER = "no_answer"  # the name exists but has no address: nothing to visit
    SERVFAIL = "servfail"  # the resolver could not get an answer (broken or lame zone)
    TIMEOUT = "timeout"  # no answer in time: unknown, never counted as safe


@dataclass(frozen=True, slots=True)
class DnsFacts:
    host: str
    outcome: DnsOutcome
    addresses: tuple[str, ...] = ()  # A then AAAA, as answered
    non_public: tuple[str, ...] = ()  # private, loopback, link-local, reserved, multicast, unspecified
    min_ttl: int | None = None  # lowest TTL (seconds) over the address answers
    subnets_24: int = 0  # distinct IPv4 /24 (and IPv6 /48) networks among the addresses
    has_mx: bool | None = None  # None: the MX question failed (not the same as "no MX")
    has_ns: bool | None = None
    outside_kz: tuple[str, ...] | None = None  # addresses outside the KZ networks; None: not knowable

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "outcome": self.outcome.value, "addresses": list(self.addresses),
                "non_public": list(self.non_public), "min_ttl": self.min_ttl, "subnets_24": self.subnets_24,
                "has_mx": self.has_mx, "has_ns": self.has_ns,
                "outside_kz": None if self.outside_kz is None else list(self.outside_kz)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DnsFacts:
        outside = data.get("outside_kz")
        return cls(host=data["host"], outcome=DnsOutcome(data["outcome"]), addresses=tuple(data["addresses"]),
                   non_public=tuple(data["non_public"]), min_ttl=data["min_ttl"], subnets_24=data["subnets_24"],
                   has_mx=data["has_mx"], has_ns=data["has_ns"],
                   outside_kz=None if outside is None else tuple(outside))


@dataclass(frozen=True, slots=True)
class _Answer:
    outcome: DnsOutcome
    values: tuple[str, ...] = ()
    ttl: int | None = None


class DnsClient:
    """Resolves through the given servers (host, port), or the system's resolver when there are none."""

    def __init__(self, servers: Sequence[tuple[str, int]] = (), *, timeout_s: float = 2.0, max_in_flight: int = 64,
                 kz_networks: Iterable[IpNetwork] | None = None) -> None:
        assert timeout_s > 0 and max_in_flight > 0
        if servers:
            self._resolver = dns.asyncresolver.Resolver(configure=False)
            self._resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in servers]
        else:
            self._resolver = dns.asyncresolver.Resolver()
        # One try per server within the lifetime; dnspython retries the list until the lifetime ends.
        self._resolver.timeout = timeout_s
        self._resolver.lifetime = timeout_s
        self._limit = asyncio.Semaphore(max_in_flight)
        self._kz_networks = tuple(kz_networks) if kz_networks is not None else None

    async def lookup(self, host: str, domain: str) -> DnsFacts:
        """Returns the DNS facts of host (addresses) and of its registrable domain (MX, NS)."""
        a, aaaa, mx, ns = await asyncio.gather(self._ask(host, "A"), self._ask(host, "AAAA"),
                                               self._ask(domain, "MX"), self._ask(domain, "NS"))
        addresses = a.values + aaaa.values
        ttls = [t for t in (a.ttl, aaaa.ttl) if t is not None]
        return DnsFacts(
            host=host,
            outcome=_outcome_of(a, aaaa),
            addresses=addresses,
            non_public=tuple(ip for ip in addresses if not ipaddress.ip_address(ip).is_global),
            min_ttl=min(ttls) if ttls else None,
            subnets_24=len({_subnet_of(ip) for ip in addresses}),
            has_mx=_presence(mx),
            has_ns=_presence(ns),
            outside_kz=self._outside_kz(addresses),
        )

    async def _ask(self, name: str, rdtype: str) -> _Answer:
        try:
            async with self._limit:
                answer = await self._resolver.resolve(name, rdtype, search=False)
        except dns.resolver.NXDOMAIN:
            return _Answer(DnsOutcome.NXDOMAIN)
        except dns.resolver.NoAnswer:
            return _Answer(DnsOutcome.NO_ANSWER)
        except dns.resolver.LifetimeTimeout:
            return _Answer(DnsOutcome.TIMEOUT)
        except (dns.resolver.NoNameservers, dns.resolver.YXDOMAIN, dns.exception.DNSException):
            return _Answer(DnsOutcome.SERVFAIL)
        values = tuple(rr.to_text() for rr in answer.rrset) if answer.rrset else ()
        ttl = answer.rrset.ttl if answer.rrset else None
        if not values:
            return _Answer(DnsOutcome.NO_ANSWER)
        return _Answer(DnsOutcome.RESOLVES, values, ttl)

    def _outside_kz(self, addresses: tuple[str, ...]) -> tuple[str, ...] | None:
        if self._kz_networks is None or not addresses:
            return None
        return tuple(ip for ip in addresses
                     if not any(ipaddress.ip_address(ip) in net for net in self._kz_networks))


def load_networks(path: str) -> list[IpNetwork]:
    """Returns the networks listed one CIDR a line in path (blank lines and `#` comments skipped)."""
    networks: list[IpNetwork] = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not a network: {text!r}") from exc
    return networks


def _outcome_of(a: _Answer, aaaa: _Answer) -> DnsOutcome:
    outcomes = {a.outcome, aaaa.outcome}
    for outcome in (DnsOutcome.RESOLVES, DnsOutcome.NXDOMAIN, DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT):
        if outcome in outcomes:
            return outcome
    return DnsOutcome.NO_ANSWER


def _presence(answer: _Answer) -> bool | None:
    if answer.outcome is DnsOutcome.RESOLVES:
        return True
    if answer.outcome in (DnsOutcome.NXDOMAIN, DnsOutcome.NO_ANSWER):
        return False
    return None


def _subnet_of(ip: str) -> str:
    address = ipaddress.ip_address(ip)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
