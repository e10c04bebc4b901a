"""ABAILA_FEEDS: a bad file or value stops start-up with a message naming the feed and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import ConfigError
from service.feeds import load_feeds, parse_duration
from service.settings import Settings

GOOD = """
[[feed]]
name = "urlhaus"
url = "https://urlhaus.abuse.ch/downloads/hostfile/"
category = "malware"
licence = "CC0-1.0"
every = "15m"

[[feed]]
name = "certpl"
url = "https://hole.cert.pl/domains/v2/domains.json"
category = "phishing"
licence = "CERT Polska terms"
every = "6h"
format = "cert-json"
max_bytes = "32MB"
timeout = "2m"
enabled = false
"""


def test_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(GOOD)
    urlhaus, certpl = load_feeds(path)
    assert (urlhaus.name, urlhaus.category, urlhaus.every, urlhaus.format, urlhaus.enabled) == \
        ("urlhaus", "malware", 900, None, True)
    assert (certpl.every, certpl.format, certpl.max_bytes, certpl.timeout, certpl.enabled) == \
        (21600, "cert_json", 32 << 20, 120.0, False)
    assert parse_duration("30s") == 30 and parse_duration("1d") == 86400
    settings = Settings.from_env({"ABAILA_FEEDS": str(path)})
    assert [feed.name for feed in settings.feeds] == ["urlhaus", "certpl"]
    assert Settings.from_env({}).feeds == ()


@pytest.mark.parametrize("change, message", [
    (('every = "15m"', 'every = "15 minutes"'), "feed 'urlhaus': key 'every' must look like"),
    (('every = "15m"', 'every = "5s"'), "feed 'urlhaus': key 'every' must be at least 30s"),
    (('category = "malware"', 'category = "ads"'), "feed 'urlhaus': key 'category' must be one of"),
    (('url = "https://urlhaus.abuse.ch/downloads/hostfile/"', 'url = "ftp://x"'), "feed 'urlhaus': key 'url'"),
    (('licence = "CC0-1.0"\n', ''), "feed 'urlhaus': key 'licence' is required"),
    (('format = "cert-json"', 'format = "xml"'), "feed 'certpl': key 'format' must be one of"),
    (('max_bytes = "32MB"', 'max_bytes = "lots"'), "feed 'certpl': key 'max_bytes'"),
    (('enabled = false', 'enabled = "no"'), "feed 'certpl': key 'enabled' must be true or false"),
    (('enabled = false', 'colour = "red"'), "feed 'certpl': key 'colour' is not a feed setting"),
    (('name = "certpl"', 'name = "urlhaus"'), "feed 'urlhaus': key 'name' is used by two feeds"),
    (('name = "urlhaus"', 'name = "URL Haus"'), "feed #1: key 'name' must be"),
    (('[[feed]]\nname = "urlhaus"', '[[feed]\nname = "urlhaus"'), "is not valid TOML"),
])
def test_a_bad_value_names_the_feed_and_the_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "feeds.toml"
    old, new = change
    assert old in GOOD
    path.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"ABAILA_FEEDS": str(path)})
    assert message in raised.value.message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ABAILA_FEEDS=.*cannot read it"):
        Settings.from_env({"ABAILA_FEEDS": str(tmp_path / "nope.toml")})


def test_the_example_file_parses_with_nothing_enabled() -> None:
    example = Path(__file__).resolve().parents[2] / "feeds.example.toml"
    feeds = load_feeds(example)
    assert len(feeds) >= 6 and not any(feed.enabled for feed in feeds)
