"""The Verdict's reasons carry a display rank (service/verdicts.py display_rank; docs/scoring.md)."""

from __future__ import annotations

import pytest

from service.scoring import WEIGHTS
from service.verdicts import Reason, Severity, display_rank


@pytest.mark.parametrize(("code", "weight", "rank"), [
    ("list.phishing", 100, 100),
    ("list.scam", 100, 100),
    ("lookalike.homoglyph", 60, 95),
    ("lookalike.brand_keyword", 45, 90),
    ("lexical.userinfo", 35, 80),
    ("domain.young", 25, 50),
    ("lexical.suspicious_tld", 10, 10),  # not named: its weight
    ("context.asks_card", 10, 0),  # the person sees the card form
    ("context.transfer_card", 30, 30),  # a payment-moment trigger says something: its weight
    ("domain.lookup_failed", 0, 0),
    ("dns.timeout", 0, 0),
    ("allowlist.official", 0, 0),
])
def test_display_rank(code: str, weight: int, rank: int) -> None:
    assert display_rank(code, weight) == rank


def test_a_list_hit_outranks_every_other_reason() -> None:
    assert all(display_rank(code, weight) < 100 for code, (_, weight) in WEIGHTS.items())


def test_reason_json_carries_rank_and_labels() -> None:
    reason = Reason("list.scam", Severity.CRITICAL, 100, {"list": "x", "category": "scam"})
    assert reason.to_json("m")["rank"] == 100
    assert "labels" not in reason.to_json("m")
    assert reason.to_json("m", {"list": "икс"})["labels"] == {"list": "икс"}
