"""KazNIC WHOIS text -> registration facts, for the formats python-whois 0.9.6 gets wrong.

whois.nic.kz (and .қаз, `xn--80ao21a`, on the same server) answers::

    Domain Name............: google.kz
    ...
    Domain created: 1999-06-07 14:01:43 (GMT+0:00)
    Last modified : 2012-11-28 04:16:59 (GMT+0:00)

python-whois 0.9.6 raises `WhoisUnknownDateFormatError` on the `(GMT+0:00)` suffix (its PR #119 was
never merged), reads only the 2010 form `1999-06-07 20:01:43.0`, and knows nothing of the registrar
format (whois.megahost.kz) that pads the label: `Domain created.........: 2010-05-21 06:34:24`.
`parse_kz("google.kz", text)` returns `KzRecord(found=True, created=date(1999, 6, 7))`; for
``*** Nothing found for this query.`` it returns `KzRecord(found=False, created=None)`.
See docs/kz-context.md §3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from service.signals.domain_age import parse_registry_date

__all__ = ["KzRecord", "is_kaznic_text", "parse_kz"]

_CREATED = re.compile(r"^\s*Domain created[ .]*:[ \t]*(?P<value>.*?)\s*$", re.IGNORECASE | re.MULTILINE)
_DOMAIN = re.compile(r"^\s*Domain Name[ .]*:[ \t]*(?P<value>\S+)", re.IGNORECASE | re.MULTILINE)
_NOT_FOUND = "*** Nothing found for this query"
_BANNER = "Whois Server for the KZ top level domain name"


@dataclass(frozen=True, slots=True)
class KzRecord:
    found: bool  # False: the registry has no such name
    created: date | None  # the `Domain created` date, None if absent or unreadable
    domain: str | None = None  # the `Domain Name` as the registry wrote it


def is_kaznic_text(text: str) -> bool:
    """Reports whether text is a KazNIC-style reply (registry banner or padded `Domain created` label)."""
    return _BANNER in text or _NOT_FOUND in text or _CREATED.search(text) is not None


def parse_kz(text: str) -> KzRecord:
    """Returns what a KazNIC-style reply says: found or not, and the registration date."""
    if _NOT_FOUND in text:
        return KzRecord(found=False, created=None)
    created = _CREATED.search(text)
    domain = _DOMAIN.search(text)
    return KzRecord(found=domain is not None or created is not None,
                    created=parse_registry_date(created["value"]) if created else None,
                    domain=domain["value"].lower() if domain else None)
