"""Slow signals for one check: domain age and DNS, concurrently, under one deadline, coalesced and cached.

    signals = SlowSignals(Settings.from_env().lookups); await signals.start()    (LookupConfig: service.settings)
    result = await signals.collect("shop.example.kz", "example.kz", deadline_s=1.5)
    result.signals  -> {"domain_age_days": 12, "registered_on": "2026-11-04", "registration_source": "whois",
                        "registration": "registered", "dns": {"outcome": "resolves", ...}}
    result.pending  -> ()            (or ("domain_age",) when WHOIS was still talking at the deadline)
    slow_findings(result.facts) -> [Finding("domain.young", {"days": 12, ...})]   (service.signals.slow; pure)

How one `collect` runs::

    collect(host, domain, deadline)
      ├─ is_public_domain? ── no ──> nothing is looked up (localhost, .local, IP literals, single labels)
      ├─ "age:<domain>"  ─┐  one in-flight task per key: 100 concurrent collects share it
      └─ "dns:<host>"    ─┤      task: cache.get ─ hit ──> value
                          │                     └ miss ─> RDAP (bootstrap) ─ no RDAP / failed ─> WHOIS
                          │                               DNS: A, AAAA (host), MX, NS (domain)
                          │                               ──> cache.set(TTL from the source) ──> value
      asyncio.wait(tasks, timeout=deadline) ── done ──> signals + facts
                                             └ not done ─> name in `pending`; the task keeps running,
                                               fills the cache, and the next collect finds it there.

TTLs come from the source: the DNS answer's TTL (bounded to `DNS_TTL_BOUNDS_S`), days for registration
dates, minutes for failures (`AGE_TTL_S`, `DNS_FAILURE_TTL_S`), so a registry is asked about one domain
at most once per cache period. A failed cache (Redis gone) only costs the caching; see `service.cache`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from service.cache import SignalCache
from service.errors import ConfigError
from service.settings import LookupConfig
from service.signals import is_public_domain
from service.signals.dns import DnsClient, DnsFacts, DnsOutcome, load_networks
from service.signals.domain_age import DomainAge, Registration
from service.signals.rdap import BUNDLED_BOOTSTRAP, RdapBootstrap, RdapClient
from service.signals.whois import WhoisClient

__all__ = [
    "DnsFacts",
    "DnsOutcome",
    "DomainAge",
    "LookupConfig",
    "Registration",
    "SlowResult",
    "SlowSignals",
]

log = logging.getLogger(__name__)

# Cache lifetimes, in seconds, by what the source said.
AGE_TTL_S = {
    Registration.REGISTERED: 3 * 86400,  # a date does not change; re-check now and then for re-registration
    Registration.HIDDEN: 86400,
    Registration.UNREGISTERED: 3600,  # a scammer may register it within the hour
    Registration.FAILED: 300,  # retry soon, but not on every check: registries rate-limit
}
DNS_TTL_BOUNDS_S = (30, 3600)  # honour the zone's TTL, but no fewer than 30 s and no more than an hour
DNS_NEGATIVE_TTL_S = 300  # NXDOMAIN / no address (RFC 2308 would use the SOA minimum; 5 min is typical)
DNS_FAILURE_TTL_S = 60  # SERVFAIL / timeout



# ---------------------------------------------------------------------------------------------- results

@dataclass(frozen=True, slots=True)
class SlowResult:
    signals: dict[str, Any]  # JSON-ready, for Verdict.signals
    facts: dict[str, Any]  # {"domain_age": DomainAge, "domain_age_days": int | None, "dns": DnsFacts}
    pending: tuple[str, ...]  # names of signals that missed the deadline: "domain_age", "dns"

    @property
    def complete(self) -> bool:
        return not self.pending


_EMPTY = SlowResult({}, {}, ())


# ---------------------------------------------------------------------------------------------- orchestration

class SlowSignals:
    """Runs the slow lookups of checks: one instance per process, `start()`ed and `close()`d with the app."""

    def __init__(self, config: LookupConfig, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config = config
        self._clock = clock
        try:
            bootstrap = RdapBootstrap.from_file(config.rdap_bootstrap or BUNDLED_BOOTSTRAP)
        except ValueError as exc:
            raise ConfigError(f"ABAILA_RDAP_BOOTSTRAP: {exc}") from exc
        kz_networks = None
        if config.kz_networks:
            try:
                kz_networks = load_networks(config.kz_networks)
            except (OSError, ValueError) as exc:
                raise ConfigError(f"ABAILA_KZ_NETWORKS: {exc}") from exc
        self._cache = SignalCache(config.redis_url, pool_size=config.redis_pool_size,
                                  op_timeout_s=config.cache_timeout_s)
        self._rdap = RdapClient(bootstrap, timeout_s=config.rdap_timeout_s, per_host_limit=config.rdap_per_host)
        self._whois = WhoisClient(config.whois_servers, timeout_s=config.whois_timeout_s,
                                  per_server_limit=config.whois_per_server)
        self._dns = DnsClient(config.dns_servers, timeout_s=config.dns_timeout_s,
                              max_in_flight=config.dns_max_in_flight, kz_networks=kz_networks)
        self._in_flight: dict[str, asyncio.Task[Any]] = {}  # cache key -> the one task computing it
        self.stats: Counter[str] = Counter()  # which layer answered: cache, rdap, whois, dns, coalesced

    async def start(self) -> None:
        is_public_domain("warm.example.com")  # loads the Public Suffix List now, not inside a first check
        self._whois.start()
        await self._cache.ping()

    async def close(self) -> None:
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._rdap.close()
        self._whois.close()
        await self._cache.close()

    async def health(self) -> dict[str, Any]:
        """Returns the state of the cache and the lookups, for /readyz."""
        ok = await self._cache.ping()
        return {"cache": self._cache.kind, "cache_ok": ok, "cache_error": self._cache.last_error,
                "rdap_bootstrap": self._rdap.bootstrap.publication, "lookups_in_flight": len(self._in_flight)}

    async def collect(self, host: str, registrable_domain: str, *, deadline_s: float) -> SlowResult:
        """Returns the domain-age and DNS signals known within deadline_s seconds; the rest is `pending`."""
        host, domain = host.lower().rstrip("."), registrable_domain.lower().rstrip(".")
        tasks: dict[str, asyncio.Task[Any]] = {}
        if is_public_domain(domain):
            tasks["domain_age"] = self._coalesced(f"age:v1:{domain}", lambda: self._domain_age(domain))
            if host == domain or (host.endswith("." + domain) and is_public_domain(host)):
                tasks["dns"] = self._coalesced(f"dns:v1:{host}", lambda: self._dns_facts(host, domain))
        if not tasks:
            return _EMPTY
        await asyncio.wait(tasks.values(), timeout=max(0.0, deadline_s))
        signals: dict[str, Any] = {}
        facts: dict[str, Any] = {}
        pending = []
        for name, task in tasks.items():
            if not task.done():
                pending.append(name)
                continue
            value = _result_of(task, name, domain, host)
            if isinstance(value, DomainAge):
                days = value.age_days(self._clock().date())
                facts["domain_age"], facts["domain_age_days"] = value, days
                signals["registration"] = value.status.value
                signals["registration_source"] = value.source or None
                if value.registered_on is not None:
                    signals["domain_age_days"] = days
                    signals["registered_on"] = value.registered_on.isoformat()
            else:
                facts["dns"] = value
                signals["dns"] = value.to_json()
        return SlowResult(signals, facts, tuple(pending))

    # -------------------------------------------------------------------------------- lookups

    def _coalesced(self, key: str, factory: Callable[[], Coroutine[Any, Any, Any]]) -> asyncio.Task[Any]:
        task = self._in_flight.get(key)
        if task is not None:
            self.stats["coalesced"] += 1
            return task
        task = asyncio.create_task(factory(), name=f"abaila-lookup {key}")
        self._in_flight[key] = task

        def _forget(done: asyncio.Task[Any]) -> None:
            if self._in_flight.get(key) is done:
                del self._in_flight[key]
            if not done.cancelled() and done.exception() is not None:
                log.error("lookup %s crashed", key, exc_info=done.exception())

        task.add_done_callback(_forget)
        return task

    async def _domain_age(self, domain: str) -> DomainAge:
        key = f"age:v1:{domain}"
        if (cached := await self._cache.get(key)) is not None:
            self.stats["cache"] += 1
            return DomainAge.from_json(cached)
        age = await self._rdap.lookup(domain)
        if age is not None:
            self.stats["rdap"] += 1
        # WHOIS when the TLD has no RDAP server, or when RDAP failed and the registry's WHOIS server is known.
        if age is None or (age.status is Registration.FAILED and self._whois.has_server(domain)):
            fallback = await self._whois.lookup(domain)
            self.stats["whois"] += 1
            if age is None or fallback.status is not Registration.FAILED:
                age = fallback
        await self._cache.set(key, age.to_json(), AGE_TTL_S[age.status])
        return age

    async def _dns_facts(self, host: str, domain: str) -> DnsFacts:
        key = f"dns:v1:{host}"
        if (cached := await self._cache.get(key)) is not None:
            self.stats["cache"] += 1
            return DnsFacts.from_json(cached)
        facts = await self._dns.lookup(host, domain)
        self.stats["dns"] += 1
        await self._cache.set(key, facts.to_json(), _dns_ttl(facts))
        return facts


def _dns_ttl(facts: DnsFacts) -> int:
    if facts.outcome is DnsOutcome.RESOLVES:
        low, high = DNS_TTL_BOUNDS_S
        return min(high, max(low, facts.min_ttl if facts.min_ttl is not None else low))
    if facts.outcome in (DnsOutcome.NXDOMAIN, DnsOutcome.NO_ANSWER):
        return DNS_NEGATIVE_TTL_S
    return DNS_FAILURE_TTL_S


def _result_of(task: asyncio.Task[Any], name: str, domain: str, host: str) -> DomainAge | DnsFacts:
    """Returns a finished task's value; a crashed lookup becomes a failed fact, never an exception."""
    if not task.cancelled() and task.exception() is None:
        value: DomainAge | DnsFacts = task.result()
        return value
    if name == "domain_age":
        return DomainAge(domain, Registration.FAILED, error="internal")
    return DnsFacts(host, DnsOutcome.SERVFAIL)
