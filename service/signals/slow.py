"""Slow-signal facts to findings: what a domain's registration and DNS answers say, with no weights.

`service.lookups` gathers the facts (a `DomainAge` and a `DnsFacts` per check); this pure module turns
them into findings — a reason code and its evidence — exactly as `lexical` and `lookalike` do for the
address. `service.scoring` alone weighs them (`WEIGHTS`). No I/O, no clock: the age in days comes with
the facts (`domain_age_days`, computed by the lookup from its injected clock). Example::

    slow_findings({"domain_age": DomainAge("new-shop.kz", Registration.REGISTERED, date(2026, 11, 20), ...),
                   "domain_age_days": 12, "dns": DnsFacts(host="new-shop.kz", outcome=DnsOutcome.RESOLVES, ...)})
    -> [Finding("domain.young", {"domain": "new-shop.kz", "source": "whois", "days": 12,
                                 "registered_on": "2026-11-20"})]

A missing fact (pending, or not looked up) gives no finding; a failed lookup gives an `*.lookup_failed` /
`dns.timeout` finding, which scoring weighs at zero: unknown is never safe, and never evidence either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.signals.dns import DnsFacts, DnsOutcome
from service.signals.domain_age import DomainAge, Registration
from service.signals.lexical import Finding

__all__ = ["CODES", "FAST_FLUX_MAX_TTL_S", "FAST_FLUX_MIN_SUBNETS", "KZ_TLDS", "RECENT_DAYS", "YOUNG_DAYS",
           "slow_findings"]

YOUNG_DAYS = 30  # registered fewer days ago than this: domain.young
RECENT_DAYS = 180  # fewer than this (and not young): domain.recent
FAST_FLUX_MAX_TTL_S = 300  # fast-flux zones rotate addresses with TTLs of minutes ...
FAST_FLUX_MIN_SUBNETS = 4  # ... across many unrelated networks (a CDN answers from one or two /24s)
KZ_TLDS = ("kz", "xn--80ao21a")  # names under KazNIC's local-hosting rule (kz-context.md §3)

_DNS_FAILURES = {
    DnsOutcome.NXDOMAIN: "dns.nxdomain",
    DnsOutcome.NO_ANSWER: "dns.no_answer",
    DnsOutcome.SERVFAIL: "dns.servfail",
    DnsOutcome.TIMEOUT: "dns.timeout",
}
_REGISTRATION = {
    Registration.UNREGISTERED: "domain.unregistered",
    Registration.HIDDEN: "domain.registration_hidden",
    Registration.FAILED: "domain.lookup_failed",
}
# Every code slow_findings can return: scoring must weigh each and the catalog word each (a test checks).
CODES = ("domain.young", "domain.recent", *_REGISTRATION.values(), *_DNS_FAILURES.values(), "dns.private_address",
         "dns.fast_flux", "dns.no_mx", "dns.kz_hosted_abroad")


def slow_findings(facts: Mapping[str, Any]) -> list[Finding]:
    """Returns the findings that slow-signal facts (`SlowResult.facts`) give, domain age first, then DNS."""
    findings: list[Finding] = []
    age: DomainAge | None = facts.get("domain_age")
    if age is not None:
        findings.extend(_age_findings(age, facts.get("domain_age_days")))
    dns: DnsFacts | None = facts.get("dns")
    if dns is not None:
        findings.extend(_dns_findings(dns))
    return findings


def _age_findings(age: DomainAge, days: int | None) -> list[Finding]:
    evidence: dict[str, Any] = {"domain": age.domain, "source": age.source}
    if age.status is Registration.REGISTERED:
        if days is None or age.registered_on is None:
            return []
        dated = {**evidence, "days": days, "registered_on": age.registered_on.isoformat()}
        if days < YOUNG_DAYS:
            return [Finding("domain.young", dated)]
        if days < RECENT_DAYS:
            return [Finding("domain.recent", dated)]
        return []
    code = _REGISTRATION.get(age.status)
    if code is None:
        return []
    if age.status is Registration.FAILED:
        evidence["error"] = age.error
    return [Finding(code, evidence)]


def _dns_findings(dns: DnsFacts) -> list[Finding]:
    if dns.outcome in _DNS_FAILURES:
        return [Finding(_DNS_FAILURES[dns.outcome], {"host": dns.host})]
    findings = []
    if dns.non_public:
        findings.append(Finding("dns.private_address",
                                {"host": dns.host, "address": dns.non_public[0], "addresses": list(dns.non_public)}))
    if dns.min_ttl is not None and dns.min_ttl <= FAST_FLUX_MAX_TTL_S and dns.subnets_24 >= FAST_FLUX_MIN_SUBNETS:
        findings.append(Finding("dns.fast_flux", {"host": dns.host, "min_ttl": dns.min_ttl, "subnets": dns.subnets_24,
                                                  "addresses": list(dns.addresses)}))
    if dns.has_mx is False:
        findings.append(Finding("dns.no_mx", {"host": dns.host}))
    if dns.outside_kz and dns.host.rsplit(".", 1)[-1] in KZ_TLDS:
        findings.append(Finding("dns.kz_hosted_abroad",
                                {"host": dns.host, "address": dns.outside_kz[0], "addresses": list(dns.outside_kz)}))
    return findings
