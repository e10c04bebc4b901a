"""service.signals.slow: domain-age and DNS facts to findings (codes and evidence; scoring weighs them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from service.signals.dns import DnsFacts, DnsOutcome
from service.signals.domain_age import DomainAge, Registration
from service.signals.slow import slow_findings


def _age(status: Registration, on: date | None = None, error: str = "") -> DomainAge:
    return DomainAge("shop.kz", status, on, "whois", "whois.nic.kz", error)


@pytest.mark.parametrize(("facts", "codes"), [
    ({"domain_age": _age(Registration.REGISTERED, date(2026, 11, 4)), "domain_age_days": 12}, ["domain.young"]),
    ({"domain_age": _age(Registration.REGISTERED, date(2026, 6, 1)), "domain_age_days": 100}, ["domain.recent"]),
    ({"domain_age": _age(Registration.REGISTERED, date(2000, 1, 1)), "domain_age_days": 9000}, []),
    ({"domain_age": _age(Registration.UNREGISTERED)}, ["domain.unregistered"]),
    ({"domain_age": _age(Registration.HIDDEN)}, ["domain.registration_hidden"]),
    ({"domain_age": _age(Registration.FAILED, error="timeout")}, ["domain.lookup_failed"]),
    ({"dns": DnsFacts("x.kz", DnsOutcome.NXDOMAIN)}, ["dns.nxdomain"]),
    ({"dns": DnsFacts("x.kz", DnsOutcome.NO_ANSWER)}, ["dns.no_answer"]),
    ({"dns": DnsFacts("x.kz", DnsOutcome.SERVFAIL)}, ["dns.servfail"]),
    ({"dns": DnsFacts("x.kz", DnsOutcome.TIMEOUT)}, ["dns.timeout"]),
    ({"dns": DnsFacts("x.com", DnsOutcome.RESOLVES, ("10.0.0.1",), ("10.0.0.1",), 300, 1, True, True)},
     ["dns.private_address"]),
    ({"dns": DnsFacts("x.com", DnsOutcome.RESOLVES, ("1.1.1.1",) * 5, (), 60, 5, True, True)}, ["dns.fast_flux"]),
    ({"dns": DnsFacts("x.com", DnsOutcome.RESOLVES, ("1.1.1.1",), (), 300, 1, False, True)}, ["dns.no_mx"]),
    ({"dns": DnsFacts("x.kz", DnsOutcome.RESOLVES, ("8.8.8.8",), (), 300, 1, True, True, ("8.8.8.8",))},
     ["dns.kz_hosted_abroad"]),
    ({"dns": DnsFacts("x.kz", DnsOutcome.RESOLVES, ("8.8.8.8",), (), 300, 1, True, True, None)}, []),
    ({}, []),
])
def test_slow_findings(facts: dict[str, Any], codes: list[str]) -> None:
    assert [r.code for r in slow_findings(facts)] == codes
