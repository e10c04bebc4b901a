"""Registry date parsing shared by RDAP and WHOIS, and the DomainAge value."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.signals.domain_age import DomainAge, Registration, parse_registry_date

vectors = [
    ("kaznic_2014", "2010-05-21 06:34:24 (GMT+0:00)", date(2010, 5, 21)),
    ("kaznic_2010", "1999-06-07 20:01:43.0", date(1999, 6, 7)),
    ("rdap_z", "1997-09-15T04:00:00Z", date(1997, 9, 15)),
    ("rdap_fraction_z", "2014-11-17T16:00:29.0Z", date(2014, 11, 17)),
    ("offset_no_colon", "1997-09-15T07:00:00.000+0000", date(1997, 9, 15)),
    ("offset_to_utc_next_day", "2021-04-15T23:30:00-0700", date(2021, 4, 16)),
    ("naive", "2020-07-01T14:05:58", date(2020, 7, 1)),
    ("uz_dd_mon_yyyy", "13-Apr-2006", date(2006, 4, 13)),
    ("kg_asctime", "Tue Feb 10 09:42:42 2004", date(2004, 2, 10)),
    ("namecheap_placeholder", "0001-01-01T00:00:00.00Z", None),
    ("blank", "", None),
    ("garbage", "REDACTED FOR PRIVACY", None),
    ("list_earliest", ["2021-04-15T18:21:57Z", "2021-04-15T18:21:56Z", "2021-04-14"], date(2021, 4, 14)),
    ("datetime", datetime(2020, 1, 2, 23, 0, tzinfo=UTC), date(2020, 1, 2)),
    ("none", None, None),
]


@pytest.mark.parametrize(("value", "expected"), [v[1:] for v in vectors], ids=[v[0] for v in vectors])
def test_parse_registry_date(value: object, expected: date | None) -> None:
    assert parse_registry_date(value) == expected


def test_age_days_and_json_round_trip() -> None:
    age = DomainAge("shop.kz", Registration.REGISTERED, date(2026, 11, 4), "whois", "whois.nic.kz")
    assert age.age_days(date(2026, 11, 16)) == 12
    assert age.age_days(date(2026, 11, 1)) == 0  # a registry clock ahead of ours is not a negative age
    assert DomainAge.from_json(age.to_json()) == age
    assert DomainAge("x.kz", Registration.FAILED, error="timeout").age_days(date(2026, 1, 1)) is None
