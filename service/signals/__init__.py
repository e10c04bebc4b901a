"""Slow signals: what the network says about a domain, as frozen facts.

Each module turns one kind of upstream answer into one value, and none of them caches, coalesces or
knows about deadlines (that is `service.lookups`):

    dns.py        host -> DnsFacts        (dnspython async resolver; A/AAAA on the host, MX/NS on the domain)
    rdap.py       domain -> DomainAge     (httpx; base URL from the IANA RDAP bootstrap, RFC 9224)
    whois.py      domain -> DomainAge     (our own port-43 client with a total deadline; python-whois parsers)
    whois_kz.py   KazNIC text -> date     (the .kz formats python-whois 0.9.6 cannot read)
    domain_age.py the DomainAge value and the date parsing RDAP and WHOIS share

This module holds the one gate every lookup passes: `is_public_domain`. Only public, syntactically
valid DNS names under a suffix of the Public Suffix List are ever sent to a resolver, a WHOIS server or
an RDAP server::

    is_public_domain("shop.example.kz")  -> True
    is_public_domain("printer.local")    -> False   (not a public suffix)
    is_public_domain("localhost")        -> False   (single label)
    is_public_domain("192.0.2.1")        -> False   (an IP literal is not a domain)
"""

from __future__ import annotations

import ipaddress
import re

from service.urls import public_suffix_list as _psl

__all__ = ["is_public_domain"]

# RFC 1035 §2.3.1 letter-digit-hyphen labels, after IDNA (punycode) encoding; 63 octets a label.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Names that the Public Suffix List does not list but some resolvers answer anyway (RFC 6761, RFC 6762,
# ICANN's .internal reservation, home-router habits): refused before the PSL is even asked.
_INTERNAL_TLDS = frozenset({"localhost", "local", "internal", "lan", "home", "corp", "localdomain", "test",
                            "invalid", "example", "onion", "arpa", "intranet", "private", "home.arpa"})


def is_public_domain(name: str) -> bool:
    """Reports whether name is a syntactically valid, public DNS name (ASCII/punycode, lowercase) that
    sits below a public suffix, so that looking it up cannot reach an internal or reserved namespace."""
    if not name or len(name) > 253 or name != name.lower() or name.endswith("."):
        return False
    try:
        ipaddress.ip_address(name)
        return False
    except ValueError:
        pass
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return False
    if labels[-1] in _INTERNAL_TLDS or labels[-1].isdigit():
        return False
    suffix = _psl().publicsuffix(name, accept_unknown=False)
    return suffix is not None and suffix != name
