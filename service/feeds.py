"""Feed configuration: the `ABAILA_FEEDS` TOML file, read once at start-up.

    [[feed]]
    name = "urlhaus"                                  # the list name verdicts show
    url = "https://urlhaus.abuse.ch/downloads/text_online/"
    category = "malware"                              # phishing | scam | malware | allowlist | popular
    licence = "CC0-1.0"
    every = "15m"                                     # 30s, 15m, 6h, 1d ...
    # format = "urlhaus-csv"                          # optional: detected from the content like list files
    # max_bytes = "64MB"                              # optional: a larger body is refused (default 64 MB)
    # timeout = "2m"                                  # optional: the whole download, retries included
    # enabled = true                                  # optional: false keeps the feed listed but never fetched

A bad file or value raises ConfigError naming the feed and the key, so start-up stops with that message.
`popular` is a ranked list of popular sites (service.popularity): it never blocks, it damps look-alike and
lexical suspicion on long-established sites.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.errors import ConfigError
from service.listformats import FORMATS, format_name

__all__ = ["FEED_CATEGORIES", "FeedConfig", "load_feeds", "parse_duration", "parse_size"]

FEED_CATEGORIES = ("phishing", "scam", "malware", "allowlist", "popular")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_DURATION = re.compile(r"^(\d{1,9})\s*(s|m|h|d)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^(\d{1,12})\s*(B|KB|MB|GB)?$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30}
_KEYS = ("name", "url", "category", "licence", "every", "format", "max_bytes", "timeout", "enabled", "source")

MIN_EVERY = 30  # seconds: no public feed changes faster, and their operators ask for restraint
DEFAULT_MAX_BYTES = 64 << 20
DEFAULT_TIMEOUT = 120.0  # seconds for one download, retries included


def parse_duration(text: str) -> int:
    """Returns the seconds of "30s", "15m", "6h" or "1d"; raises ValueError otherwise."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"must look like 30s, 15m, 6h or 1d, not {text!r}")
    return int(match.group(1)) * _UNITS[match.group(2)]


def parse_size(text: str | int) -> int:
    """Returns the bytes of 1048576, "500KB", "64MB" or "1GB"; raises ValueError otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    match = _SIZE.match(str(text).strip())
    if not match:
        raise ValueError(f"must be a number of bytes or look like 500KB, 64MB, 1GB, not {text!r}")
    return int(match.group(1)) * _SIZE_UNITS[(match.group(2) or "").lower()]


@dataclass(frozen=True, slots=True)
class FeedConfig:
    name: str
    url: str
    category: str
    licence: str
    every: int  # seconds between syncs
    format: str | None = None  # a list format (service.listformats: urlhaus-csv, cert-json, ...); None: detect
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    enabled: bool = True
    source: str = ""  # homepage shown with list hits; default: the URL

    @property
    def shown_source(self) -> str:
        return self.source or self.url

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "category": self.category, "licence": self.licence,
                "every": self.every, "format": self.format, "max_bytes": self.max_bytes, "timeout": self.timeout,
                "enabled": self.enabled, "source": self.shown_source}


def _feed(item: Any, position: int) -> FeedConfig:
    label = f"feed #{position}"
    if not isinstance(item, dict):
        raise ConfigError(f"ABAILA_FEEDS: {label} must be a [[feed]] table")
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"ABAILA_FEEDS: {label}: key 'name' must be lower-case letters, digits, '.', '_' or '-' "
                          f"(at most 100), not {name!r}")
    label = f"feed {name!r}"

    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"ABAILA_FEEDS: {label}: key {key!r} {why}")

    for key in item:
        if key not in _KEYS:
            raise bad(key, f"is not a feed setting (settings: {', '.join(_KEYS)})")
    for key in ("url", "category", "licence", "every"):
        if key not in item:
            raise bad(key, "is required")
        if not isinstance(item[key], str) or not item[key].strip():
            raise bad(key, f"must be a non-empty string, not {item[key]!r}")
    url = item["url"].strip()
    if not re.match(r"^https?://[^\s/?#]+", url, re.IGNORECASE):
        raise bad("url", f"must be an http:// or https:// URL, not {url!r}")
    category = item["category"].strip().lower()
    if category not in FEED_CATEGORIES:
        raise bad("category", f"must be one of {', '.join(FEED_CATEGORIES)}, not {item['category']!r}")
    try:
        every = parse_duration(item["every"])
    except ValueError as exc:
        raise bad("every", str(exc)) from None
    if every < MIN_EVERY:
        raise bad("every", f"must be at least {MIN_EVERY}s, not {item['every']!r}")
    fmt = item.get("format")
    if fmt is not None:
        if not isinstance(fmt, str) or format_name(fmt) is None:
            raise bad("format", f"must be one of {', '.join(FORMATS)}, not {fmt!r}")
        fmt = format_name(fmt)
    try:
        max_bytes = parse_size(item.get("max_bytes", DEFAULT_MAX_BYTES))
    except ValueError as exc:
        raise bad("max_bytes", str(exc)) from None
    if max_bytes < 1:
        raise bad("max_bytes", "must be at least 1 byte")
    timeout = item.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, str):
        try:
            timeout = float(parse_duration(timeout))
        except ValueError as exc:
            raise bad("timeout", str(exc)) from None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 3600:
        raise bad("timeout", f"must be a duration between 1s and 1h, not {item.get('timeout')!r}")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise bad("enabled", f"must be true or false, not {enabled!r}")
    source = item.get("source", "")
    if not isinstance(source, str):
        raise bad("source", f"must be a string, not {source!r}")
    return FeedConfig(name=name, url=url, category=category, licence=item["licence"].strip(), every=every,
                      format=fmt, max_bytes=max_bytes, timeout=float(timeout), enabled=enabled, source=source)


def load_feeds(path: Path | None) -> tuple[FeedConfig, ...]:
    """Returns the feeds configured in the TOML file at path (none for None); raises ConfigError."""
    if path is None:
        return ()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"ABAILA_FEEDS={str(path)!r}: cannot read it: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"ABAILA_FEEDS={str(path)!r} is not valid TOML: {exc}") from None
    extra = [key for key in document if key != "feed"]
    if extra:
        raise ConfigError(f"ABAILA_FEEDS={str(path)!r}: unknown top-level key {extra[0]!r} (expected [[feed]] tables)")
    items = document.get("feed", [])
    if not isinstance(items, list):
        raise ConfigError(f"ABAILA_FEEDS={str(path)!r}: 'feed' must be an array of tables ([[feed]])")
    feeds = [_feed(item, i + 1) for i, item in enumerate(items)]
    seen: set[str] = set()
    for feed in feeds:
        if feed.name in seen:
            raise ConfigError(f"ABAILA_FEEDS: feed {feed.name!r}: key 'name' is used by two feeds")
        seen.add(feed.name)
    return tuple(feeds)
