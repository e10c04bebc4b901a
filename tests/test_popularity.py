"""Popularity (a feed or list of category "popular"): damps false positives on long-established sites,
shown as an info reason, never blocks and never overrides a list hit."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import messages
from service.brands import default_brands
from service.engine import open_engine
from service.lists import parse_list
from service.scoring import Facts, score
from service.settings import Settings
from service.urls import parse, registrable_domain
from service.verdicts import Level, ListHit
from tests._env import require_shared_data

MAJESTIC = "popular/majestic_million_top15k_2026-03.csv"
POPULAR = ListHit("majestic.com/", "majestic-million", "popular", "https://majestic.com/", "CC-BY-3.0")


def _facts(host: str, **kwargs: object) -> Facts:
    return Facts(url=parse(f"https://{host}/"), registrable_domain=registrable_domain(host),  # type: ignore[arg-type]
                 brands=default_brands(), **kwargs)


def test_a_popular_host_is_damped_with_an_info_reason() -> None:
    plain = score(_facts("outlookindia.com"))  # "outlook" (a protected brand's token) in a news site's name
    damped = score(_facts("outlookindia.com", popular=(POPULAR,)))
    assert plain.level == Level.SUSPICIOUS
    assert damped.level == Level.UNVERIFIED and damped.score < plain.score
    info = [r for r in damped.reasons if r.code == "popularity.listed"]
    assert info and info[0].weight == 0 and info[0].evidence["list"] == "majestic-million"
    assert score(_facts("pubmed.ncbi.nlm.nih.gov", popular=(POPULAR,))).level == Level.NO_KNOWN_RISK
    for lang in ("kk", "ru", "en"):
        text = messages.render("popularity.listed", lang, info[0].evidence)
        assert "majestic-million" in text and text != "popularity.listed"


def test_popularity_never_overrides_a_list_hit() -> None:
    hit = ListHit("outlookindia.com/", "kz-scam", "phishing", "tests")
    assessment = score(_facts("outlookindia.com", list_hits=(hit,), popular=(POPULAR,)))
    assert assessment.level == Level.BLOCKED and assessment.score == 100


@pytest.mark.parametrize("host, damped", [("outlookindia.com", True), ("www.outlookindia.com", True),
                                          ("outlook-login.outlookindia.com", False)])
async def test_the_checker_damps_the_listed_host_only(tmp_path: Path, settings_factory, lists_dir: Path,  # type: ignore[no-untyped-def]
                                                      host: str, damped: bool) -> None:
    data = require_shared_data()
    text = (data / MAJESTIC).read_text()
    (lists_dir / "majestic.csv").write_text("# name: majestic-million\n# category: popular\n"
                                            "# licence: CC-BY-3.0\n# source: https://majestic.com/\n" + text)
    (lists_dir / "scam.txt").write_text((lists_dir / "scam.txt").read_text() + "outlookindia.com\n")
    engine = await open_engine(settings_factory(), offline=True, follow=False)
    try:
        index = engine.checker.index
        assert index.popular is not None and len(index.popular) > 14_000
        assert not index.contains("apache.org/")  # popular sites are not list entries...
        verdict = await engine.checker.check(parse(f"https://{host}/"), url=f"https://{host}/", offline=True)
        assert verdict.verdict == Level.BLOCKED  # ...and never clear one
        (lists_dir / "scam.txt").write_text((lists_dir / "scam.txt").read_text().replace("outlookindia.com\n", ""))
        assert await engine.rebuilder.refresh()
        verdict = await engine.checker.check(parse(f"https://{host}/"), url=f"https://{host}/", offline=True)
        codes = [r.code for r in verdict.reasons]
        assert ("popularity.listed" in codes) is damped
        google = await engine.checker.check(parse("https://apache.org/"), url="https://apache.org/", offline=True)
        assert google.verdict == Level.NO_KNOWN_RISK and not google.signals["lists"]
    finally:
        await engine.close()


def test_ranked_csv_formats() -> None:
    majestic = parse_list("GlobalRank,TldRank,Domain,TLD\n1,1,google.com,com\n2,2,facebook.com,com\n")
    assert majestic.meta.format == "ranked_csv" and majestic.expressions == ["google.com/", "facebook.com/"]
    tranco = parse_list("1,google.com\n2,gstatic.com\n")
    assert tranco.meta.format == "ranked_csv" and tranco.expressions == ["google.com/", "gstatic.com/"]


def test_a_popular_feed_is_configurable(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "majestic"\nurl = "https://downloads.majestic.com/majestic_million.csv"\n'
                     'category = "popular"\nlicence = "CC-BY-3.0"\nevery = "1d"\n')
    assert Settings.from_env({"ABAILA_FEEDS": str(feeds)}).feeds[0].category == "popular"
