"""Domain age: the one value RDAP and WHOIS both produce, and the date parsing they share.

A lookup of `shop.kz` through whois.nic.kz that reads ``Domain created: 2026-11-04 06:34:24 (GMT+0:00)``
becomes::

    DomainAge(domain="shop.kz", status=Registration.REGISTERED, registered_on=date(2026, 11, 4),
              source="whois", server="whois.nic.kz")

and on 2026-11-16 `age.age_days(date(2026, 11, 16))` is 12. Only the calendar date is kept: the same
KazNIC record has been served with three different times of day over the years (see
tests/fixtures/whois/SOURCES.md), and a day is all scoring needs.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

__all__ = ["DomainAge", "Registration", "parse_registry_date"]


class Registration(enum.StrEnum):
    REGISTERED = "registered"  # a registration date was found: weigh the domain's age
    HIDDEN = "hidden"  # the registry knows the name but publishes no date: age unknown, never trusted
    UNREGISTERED = "unregistered"  # the registry says no such domain: a live link to it is suspicious
    FAILED = "failed"  # no usable answer (timeout, error, no server): unknown, never counted as safe


@dataclass(frozen=True, slots=True)
class DomainAge:
    """What the registry says about one registrable domain. `error` says why a FAILED lookup failed."""

    domain: str
    status: Registration
    registered_on: date | None = None
    source: str = ""  # "rdap" | "whois" | "" (nothing answered)
    server: str = ""  # host name of the server whose answer was used
    error: str = ""  # e.g. "timeout", "http_500", "no_whois_server", "unparseable"

    def age_days(self, today: date) -> int | None:
        """Returns the whole days from registration to today, or None when no date is known."""
        if self.registered_on is None:
            return None
        return max(0, (today - self.registered_on).days)

    def to_json(self) -> dict[str, Any]:
        return {"domain": self.domain, "status": self.status.value,
                "registered_on": self.registered_on.isoformat() if self.registered_on else None,
                "source": self.source, "server": self.server, "error": self.error}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DomainAge:
        on = data.get("registered_on")
        return cls(domain=data["domain"], status=Registration(data["status"]),
                   registered_on=date.fromisoformat(on) if on else None, source=data.get("source", ""),
                   server=data.get("server", ""), error=data.get("error", ""))


# A trailing parenthesised zone label as whois.nic.kz writes it: "(GMT+0:00)"; unreliable, dropped.
_PAREN_ZONE = re.compile(r"\s*\([^)]*\)\s*$")
_DMY = re.compile(r"^(\d{1,2})[-./ ]([A-Za-z]{3})[-./ ](\d{4})")
_ISO_DAY = re.compile(r"^(\d{4})[-./](\d{2})[-./](\d{2})")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}
# Placeholder dates some registrars print for "unknown" (Namecheap: 0001-01-01T00:00:00.00Z).
_EARLIEST_PLAUSIBLE = date(1985, 1, 1)


def parse_registry_date(value: object) -> date | None:
    """Returns the UTC calendar date in a registry's date value (a datetime, a date, a string in any of the
    forms RDAP and WHOIS servers are seen to write, or a list of those, whose earliest wins), or None."""
    if isinstance(value, (list, tuple)):
        found = [d for d in (parse_registry_date(v) for v in value) if d is not None]
        return min(found) if found else None
    day: date | None
    if isinstance(value, datetime):
        day = value.astimezone(UTC).date() if value.tzinfo else value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        day = _parse_date_text(value)
    else:
        return None
    if day is None or day < _EARLIEST_PLAUSIBLE:
        return None
    return day


def _parse_date_text(text: str) -> date | None:
    text = _PAREN_ZONE.sub("", text.strip())
    if not text:
        return None
    try:
        return parse_registry_date(datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text))
    except ValueError:
        pass
    if m := _ISO_DAY.match(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(text):
        month = _MONTHS.get(m[2].lower())
        return _safe_date(int(m[3]), month, int(m[1])) if month else None
    try:  # asctime, as whois.kg writes it: "Tue Feb 10 09:42:42 2004"
        return datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y").date()
    except ValueError:
        return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
