"""Short links to where they lead: the redirect chain of a known shortener, followed safely.

A shortener (bit.ly, clck.ru, vk.cc, …: service.signals.lexical.SHORTENERS) hides the destination until
the click, so a scam link arrives as `https://bit.ly/3xY`. The follower asks the shortener itself::

    chain = await follower.follow("https://bit.ly/3xY")
    chain.outcome -> ChainOutcome.FOLLOWED
    chain.hops    -> ("https://bit.ly/3xY", "https://clck.ru/abc", "https://kaspi-kz.top/unblock")
    chain.final   -> "https://kaspi-kz.top/unblock"

The checker then judges the final address and shows the chain. Following a link a stranger chose is a
server-side request forgery risk, so every hop is held to the same rules:

- **Public addresses only.** Each hop's host is resolved first, and every address it resolves to must be
  public (`ipaddress.is_global`: not loopback, private, link-local — the 169.254.169.254 metadata
  service —, CGNAT, reserved or multicast). The request then connects to that checked address (the Host
  header and TLS SNI keep the name), so a second DNS answer cannot swap in an internal one (DNS rebinding).
  `allowed_networks` (ABAILA_REDIRECT_ALLOW_NETWORKS, empty by default) exempts given networks, for tests.
- **At most MAX_HOPS redirects and TIMEOUT_S seconds** for the whole chain; a loop stops at once.
- **Headers only**: HEAD, or a GET whose body is never read when the server refuses HEAD.
- **Cached**: a chain is remembered CACHE_SECONDS (failures FAILURE_CACHE_SECONDS), and concurrent follows
  of one link share one walk.

A chain that cannot be finished is data, not an exception: its outcome says why (LOOP, TOO_MANY, REFUSED,
TIMEOUT, FAILED), and the hops so far are kept.
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver
import httpx

from service.signals.lexical import SHORTENERS
from service.urls import registrable_domain

__all__ = ["Chain", "ChainOutcome", "RedirectFollower", "dns_resolver", "is_shortener", "parse_networks"]

log = logging.getLogger("abaila.redirects")

MAX_HOPS = 5  # redirects followed from the first link; browsers allow ~20, a shortener needs 1 or 2
TIMEOUT_S = 3.0  # seconds for the whole chain, resolving included
CACHE_SIZE = 4096  # chains remembered
CACHE_SECONDS = 600.0  # a short link's target rarely changes; a moderator's list change is applied anyway
FAILURE_CACHE_SECONDS = 60.0  # a timeout or a refused connection is retried sooner
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "Abaila-link-check/1 (+https://github.com/abaila; follows redirects of short links only)"

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolve = Callable[[str], Awaitable[Sequence[str]]]


class ChainOutcome(enum.StrEnum):
    FOLLOWED = "followed"  # the last hop answered without a redirect: judge `final`
    TOO_MANY = "too_many"  # more than MAX_HOPS redirects: destination unknown
    LOOP = "loop"  # a hop led back to an address already visited
    REFUSED = "refused"  # a hop resolves to a non-public address: never connected; a strong warning sign
    TIMEOUT = "timeout"  # the chain did not finish within TIMEOUT_S: unknown, never safe
    FAILED = "failed"  # a hop could not be reached or sent a bad Location: unknown, never safe


@dataclass(frozen=True, slots=True)
class Chain:
    hops: tuple[str, ...]  # every URL visited, the link itself first
    outcome: ChainOutcome
    refused_address: str | None = None  # the non-public address a hop resolved to (REFUSED)

    @property
    def final(self) -> str:
        return self.hops[-1]

    def to_json(self) -> dict[str, Any]:
        return {"chain": list(self.hops), "outcome": self.outcome.value, "final": self.final,
                **({"refused_address": self.refused_address} if self.refused_address else {})}


def is_shortener(host: str) -> bool:
    """Reports whether host is a known link shortener (the host itself or its registrable domain)."""
    host = host.lower().rstrip(".")
    return host in SHORTENERS or registrable_domain(host) in SHORTENERS


def parse_networks(value: str | None, *, name: str = "ABAILA_REDIRECT_ALLOW_NETWORKS") -> tuple[IpNetwork, ...]:
    """Returns the networks of a comma-separated CIDR list; raises ValueError naming the variable."""
    networks = []
    for item in (value or "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{name}: not a network: {item.strip()!r}") from None
    return tuple(networks)


def dns_resolver(servers: Sequence[tuple[str, int]] = (), timeout_s: float = TIMEOUT_S) -> Resolve:
    """Returns a resolver of a name to its A and AAAA addresses (through servers, else the system's)."""
    if servers:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in servers]
    else:
        resolver = dns.asyncresolver.Resolver()
    resolver.timeout = resolver.lifetime = timeout_s

    async def ask(name: str, rdtype: str) -> list[str]:
        try:
            answer = await resolver.resolve(name, rdtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.DNSException as exc:
            raise OSError(f"cannot resolve {name}: {exc.__class__.__name__}") from exc
        return [rr.to_text() for rr in answer.rrset] if answer.rrset else []

    async def resolve(name: str) -> list[str]:
        a, aaaa = await asyncio.gather(ask(name, "A"), ask(name, "AAAA"))
        return a + aaaa

    return resolve


class _Refused(Exception):
    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


class RedirectFollower:
    """Follows the redirects of shortener links (see the module docstring for the rules)."""

    def __init__(self, resolve: Resolve, *, allowed_networks: Iterable[IpNetwork] = (), max_hops: int = MAX_HOPS,
                 timeout_s: float = TIMEOUT_S, transport: httpx.AsyncBaseTransport | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        assert max_hops >= 1 and timeout_s > 0
        self._resolve = resolve
        self._allowed = tuple(allowed_networks)
        self.max_hops = max_hops
        self.timeout_s = timeout_s
        self._monotonic = monotonic
        # Redirects are handled here, hop by hop, never by httpx; no cookies are kept between hops.
        self._client = httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False,
                                         timeout=httpx.Timeout(timeout_s), headers={"User-Agent": _USER_AGENT})
        self._cache: OrderedDict[str, tuple[float, Chain]] = OrderedDict()  # url -> (expires, chain)
        self._in_flight: dict[str, asyncio.Future[Chain]] = {}
        self.walks = 0  # chains walked over the network (not from the cache), for metrics

    def applies(self, host: str) -> bool:
        """Reports whether links to host are followed (known shorteners only)."""
        return is_shortener(host)

    async def close(self) -> None:
        await self._client.aclose()

    async def follow(self, url: str) -> Chain:
        """Returns the redirect chain from url (cached; concurrent calls for one url share one walk)."""
        cached = self._cache.get(url)
        if cached is not None and cached[0] > self._monotonic():
            self._cache.move_to_end(url)
            return cached[1]
        running = self._in_flight.get(url)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[Chain] = asyncio.get_running_loop().create_future()
        self._in_flight[url] = future
        try:
            chain = await self._walk(url)
            future.set_result(chain)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a caller that went away must not leave an unhandled error
            raise
        finally:
            del self._in_flight[url]
        ttl = CACHE_SECONDS if chain.outcome is ChainOutcome.FOLLOWED else FAILURE_CACHE_SECONDS
        self._cache[url] = (self._monotonic() + ttl, chain)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return chain

    async def _walk(self, url: str) -> Chain:
        self.walks += 1
        hops: list[str] = [url]
        try:
            async with asyncio.timeout(self.timeout_s):
                while True:
                    location = await self._hop(hops[-1])
                    if location is None:
                        return Chain(tuple(hops), ChainOutcome.FOLLOWED)
                    if location in hops:
                        return Chain(tuple(hops + [location]), ChainOutcome.LOOP)
                    hops.append(location)
                    if len(hops) > self.max_hops + 1:
                        return Chain(tuple(hops), ChainOutcome.TOO_MANY)
        except TimeoutError:
            return Chain(tuple(hops), ChainOutcome.TIMEOUT)
        except _Refused as refused:
            return Chain(tuple(hops), ChainOutcome.REFUSED, refused.address)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            log.info("redirect chain stopped: %s", exc.__class__.__name__)  # never the URL: it is the user's
            return Chain(tuple(hops), ChainOutcome.FAILED)

    async def _hop(self, url: str) -> str | None:
        """Returns the absolute Location a hop redirects to, or None when it does not redirect."""
        target = httpx.URL(url)
        if target.scheme not in ("http", "https") or not target.host:
            raise ValueError("only http(s) hops are followed")
        address = await self._public_address(target.host)
        port = target.port or (443 if target.scheme == "https" else 80)
        host_header = target.host if target.port is None else f"{target.host}:{target.port}"
        if ":" in target.host:
            host_header = f"[{target.host}]" if target.port is None else f"[{target.host}]:{target.port}"
        pinned = target.copy_with(host=address, port=port)
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        headers = {"Host": host_header, "Accept": "*/*"}
        request = self._client.build_request("HEAD", pinned, headers=headers, extensions=extensions)
        response = await self._client.send(request, stream=True)
        await response.aclose()
        if response.status_code in (405, 501):  # some shorteners answer HEAD with "not allowed": ask GET, no body
            request = self._client.build_request("GET", pinned, headers=headers, extensions=extensions)
            response = await self._client.send(request, stream=True)
            await response.aclose()
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or not location:
            return None
        return str(target.join(location.strip()))

    async def _public_address(self, host: str) -> str:
        """Returns an address of host that may be connected to; raises _Refused if any of them may not."""
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = list(await self._resolve(host))
        if not addresses:
            raise OSError(f"{host} has no address")
        for text in addresses:
            address = ipaddress.ip_address(text)
            if not self._is_allowed(address):
                raise _Refused(text)
        return addresses[0]

    def _is_allowed(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if any(address in network for network in self._allowed):
            return True
        mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.1 is 10.0.0.1
        if mapped is not None:
            return self._is_allowed(mapped)
        return address.is_global and not address.is_multicast

