"""RDAP (RFC 9082/9083) -> DomainAge, with base URLs from the IANA bootstrap file only (RFC 9224).

The bootstrap maps TLDs to RDAP base URLs (`"com" -> "https://rdap.verisign.com/com/v1/"`); a lookup of
`themarquetry.com` is `GET https://rdap.verisign.com/com/v1/domain/themarquetry.com`, and its
`{"eventAction": "registration", "eventDate": "2021-03-16T18:36:12Z"}` event becomes
`DomainAge("themarquetry.com", REGISTERED, date(2021, 3, 16), source="rdap")`.

Outcomes: 200 with a registration event -> REGISTERED; 200 without one -> HIDDEN; 404 -> UNREGISTERED
(RFC 7480 §5.3); anything else, a timeout, or a body that is not an RDAP domain -> FAILED. Redirects are
not followed: nothing here connects anywhere the bootstrap file does not name. A TLD that is not in the
bootstrap (.kz, .қаз, .ru, ...) gives None, and the caller falls back to WHOIS.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from service.signals.domain_age import DomainAge, Registration, parse_registry_date

__all__ = ["BUNDLED_BOOTSTRAP", "RdapBootstrap", "RdapClient"]

BUNDLED_BOOTSTRAP = Path(__file__).resolve().parent.parent / "data" / "rdap-dns.json"
MAX_BODY_BYTES = 1024 * 1024  # real domain objects are 2-20 KiB


class RdapBootstrap:
    """The TLD -> base URLs table of an IANA `dns.json`; `publication` says how fresh it is."""

    def __init__(self, services: dict[str, tuple[str, ...]], publication: str = "") -> None:
        self._services = services
        self.publication = publication

    @classmethod
    def from_file(cls, path: str | Path) -> RdapBootstrap:
        """Returns the bootstrap read from an IANA dns.json file; raises ValueError for anything else."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            services: dict[str, tuple[str, ...]] = {}
            for tlds, urls in data["services"]:
                # RFC 9224 §4: prefer https; keep http only where a registry offers nothing else (.kg).
                ordered = tuple(sorted((u if u.endswith("/") else u + "/" for u in urls),
                                       key=lambda u: not u.startswith("https://")))
                for tld in tlds:
                    services[tld.lower()] = ordered
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not an IANA RDAP bootstrap file ({exc})") from exc
        return cls(services, str(data.get("publication", "")))

    def base_urls(self, domain: str) -> tuple[str, ...]:
        """Returns the RDAP base URLs for domain's longest listed suffix, or () when none is listed."""
        labels = domain.split(".")
        for i in range(1, len(labels)):
            urls = self._services.get(".".join(labels[i:]))
            if urls:
                return urls
        return ()

    def __len__(self) -> int:
        return len(self._services)


class RdapClient:
    """Asks RDAP servers about domains, at most `per_host_limit` requests in flight to each server."""

    def __init__(self, bootstrap: RdapBootstrap, *, timeout_s: float = 5.0, per_host_limit: int = 8,
                 client: httpx.AsyncClient | None = None) -> None:
        assert timeout_s > 0 and per_host_limit > 0
        self.bootstrap = bootstrap
        self._timeout_s = timeout_s
        self._per_host_limit = per_host_limit
        self._client = client or httpx.AsyncClient(
            follow_redirects=False, trust_env=False,
            headers={"Accept": "application/rdap+json", "User-Agent": "abaila (+https://github.com/abaila)"},
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))
        self._limits: dict[str, asyncio.Semaphore] = {}  # server host -> its concurrency bound

    async def lookup(self, domain: str) -> DomainAge | None:
        """Returns what RDAP says about the registrable domain, or None when its TLD has no RDAP server."""
        urls = self.bootstrap.base_urls(domain)
        if not urls:
            return None
        url = f"{urls[0]}domain/{domain}"
        host = urlsplit(url).hostname or ""
        limit = self._limits.setdefault(host, asyncio.Semaphore(self._per_host_limit))
        too_large = False
        try:
            async with asyncio.timeout(self._timeout_s):
                async with limit, self._client.stream("GET", url) as response:
                    # Streamed, and dropped past MAX_BODY_BYTES: a hostile server cannot make us hold more.
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > MAX_BODY_BYTES:
                            too_large = True
                            break
                        chunks.append(chunk)
                    body = b"".join(chunks)
        except TimeoutError:
            return DomainAge(domain, Registration.FAILED, source="rdap", server=host, error="timeout")
        except httpx.HTTPError as exc:
            return DomainAge(domain, Registration.FAILED, source="rdap", server=host,
                             error=f"http_error:{type(exc).__name__}")
        if response.status_code == 404:
            return DomainAge(domain, Registration.UNREGISTERED, source="rdap", server=host)
        if too_large:
            return DomainAge(domain, Registration.FAILED, source="rdap", server=host, error="too_large")
        if response.status_code != 200:
            return DomainAge(domain, Registration.FAILED, source="rdap", server=host,
                             error=f"http_{response.status_code}")
        return _domain_age_from(domain, host, body)

    async def close(self) -> None:
        await self._client.aclose()


def _domain_age_from(domain: str, host: str, body: bytes) -> DomainAge:
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("objectClassName", "domain") != "domain":
            raise ValueError("not a domain object")
        events = data.get("events") or []
        dates = [e.get("eventDate") for e in events if isinstance(e, dict) and e.get("eventAction") == "registration"]
    except (ValueError, RecursionError):  # RecursionError: a body nested deeper than the parser's stack
        return DomainAge(domain, Registration.FAILED, source="rdap", server=host, error="bad_body")
    registered_on = parse_registry_date(dates)
    if registered_on is None:
        return DomainAge(domain, Registration.HIDDEN, source="rdap", server=host)
    return DomainAge(domain, Registration.REGISTERED, registered_on, source="rdap", server=host)
