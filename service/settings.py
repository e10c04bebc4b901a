"""Settings from `ABAILA_*` environment variables: the one place configuration is read.

    ABAILA_DATABASE_URL       the store; default sqlite+aiosqlite:///<var>/abaila.db (postgresql+asyncpg://...)
    ABAILA_REDIS_URL          Redis for the cache, rate limits and change events; unset: in-process
    ABAILA_LISTS_DIR          directory of list files (any supported format); default: bundled blocklists/
    ABAILA_VAR_DIR            index snapshots and the default SQLite file; default ./var
    ABAILA_CHECK_DEADLINE_MS  deadline for the slow signals of one check, ms; default 1500
    ABAILA_VERDICT_TTL        seconds a client may cache a verdict; default 300
    ABAILA_ANON_RATE          anonymous checks per client address; default 120/minute
    ABAILA_KEY_RATE           checks per API key made without --rate; default 20/second
    ABAILA_PAGE_RATE          checks of a pasted message on the page (POST /) per client address; default 30/minute
    ABAILA_BAD_TOKEN_RATE     unknown API tokens per client address before 429; default 30/minute (none: a fuzzer)
    ABAILA_LOG_LEVEL          debug, info, warning, error; default info
    ABAILA_REDIS_TIMEOUT_MS   bound on one rate-limit / key-usage Redis call, ms; default 100 (then: in-process)
    ABAILA_TRUSTED_PROXIES    addresses or CIDR blocks whose X-Forwarded-For/-Proto are believed; default none
    ABAILA_PUBLIC_URL         the address people reach (https://abaila.example.kz); https makes cookies Secure
    ABAILA_FEEDS              a TOML file of public feeds to sync (docs/feeds.md); unset: no feeds
    ABAILA_REDIRECT_ALLOW_NETWORKS  CIDRs exempt from the short-link follower's public-address rule (tests)
    ABAILA_TELEGRAM_TOKEN, ABAILA_TELEGRAM_API_URL, ABAILA_SERVICE_URL, ABAILA_SERVICE_KEY, ABAILA_BOT_*:
    the Telegram bot's `BotConfig` below (docs/bot.md).
    ABAILA_DNS_SERVERS, ABAILA_WHOIS_SERVERS, ABAILA_RDAP_BOOTSTRAP, ABAILA_KZ_NETWORKS and the lookup limits
    and timeouts: `LookupConfig` below (docs/signals.md), built here as `Settings.lookups`.

Every `ABAILA_*` variable is read here and nowhere else: the other modules take the config objects.

A bad value raises ConfigError naming the variable and the value.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.cache import parse_redis_url
from service.errors import ConfigError
from service.feeds import FeedConfig, load_feeds
from service.redirects import IpNetwork, parse_networks
from service.signals.dns import load_networks
from service.signals.rdap import RdapBootstrap

__all__ = ["BotConfig", "LookupConfig", "Settings", "bundled_lists_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_lists_dir() -> Path:
    """Returns the bundled blocklists/ directory: the repository's, else the copy inside the package."""
    repo = _PACKAGE_DIR.parent / "blocklists"
    return repo if repo.is_dir() else _PACKAGE_DIR / "data" / "blocklists"


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass(frozen=True, slots=True)
class LookupConfig:
    """How slow signals reach their upstreams. Times are in seconds, limits in requests in flight."""

    dns_servers: tuple[tuple[str, int], ...] = ()  # ABAILA_DNS_SERVERS "host[:port],..."; empty = system resolver
    # ABAILA_WHOIS_SERVERS "key=host[:port],...": key is a TLD / suffix ("kz", "com.kz") whose registry
    # server this replaces, or a WHOIS server host name ("whois.iana.org", a registrar's) to reach elsewhere.
    whois_servers: dict[str, tuple[str, int]] = field(default_factory=dict)
    rdap_bootstrap: str | None = None  # ABAILA_RDAP_BOOTSTRAP path to an IANA dns.json; None = bundled snapshot
    redis_url: str | None = None  # ABAILA_REDIS_URL; None = in-process memory cache
    redis_pool_size: int = 50  # ABAILA_REDIS_POOL_SIZE: connections in the blocking pool
    cache_timeout_s: float = 0.05  # ABAILA_CACHE_TIMEOUT_MS: bound on one cache operation (a hung Redis: issue 10)
    dns_timeout_s: float = 2.0  # ABAILA_DNS_TIMEOUT_MS: lifetime of one DNS question
    rdap_timeout_s: float = 5.0  # ABAILA_RDAP_TIMEOUT_MS: one RDAP request, connect to last byte
    whois_timeout_s: float = 8.0  # ABAILA_WHOIS_TIMEOUT_MS: one WHOIS lookup in total, referral hops included
    dns_max_in_flight: int = 64  # ABAILA_DNS_MAX_IN_FLIGHT: DNS questions in flight, all servers together
    rdap_per_host: int = 8  # ABAILA_RDAP_PER_HOST: requests in flight to one RDAP server
    whois_per_server: int = 2  # ABAILA_WHOIS_PER_SERVER: connections open to one WHOIS server
    kz_networks: str | None = None  # ABAILA_KZ_NETWORKS: file of KZ CIDRs; None = dns.kz_hosted_abroad unknowable

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> LookupConfig:
        """Returns the config the ABAILA_* variables describe; raises ConfigError naming a bad variable."""
        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        kwargs: dict[str, Any] = {}
        if value := get("ABAILA_DNS_SERVERS"):
            kwargs["dns_servers"] = tuple(_parse_address("ABAILA_DNS_SERVERS", item, 53)
                                          for item in value.split(",") if item.strip())
        if value := get("ABAILA_WHOIS_SERVERS"):
            servers: dict[str, tuple[str, int]] = {}
            for item in (i.strip() for i in value.split(",")):
                key, sep, address = item.partition("=")
                if not item:
                    continue
                if not sep or not key.strip() or not address.strip():
                    raise ConfigError(f"ABAILA_WHOIS_SERVERS: expected tld=host[:port], got {item!r}")
                servers[key.strip().lower().strip(".")] = _parse_address("ABAILA_WHOIS_SERVERS", address, 43)
            kwargs["whois_servers"] = servers
        # Values taken as they are, once a loader has shown they are usable (a bad one names its variable).
        for name, attr, check in (("ABAILA_RDAP_BOOTSTRAP", "rdap_bootstrap", RdapBootstrap.from_file),
                                  ("ABAILA_REDIS_URL", "redis_url", parse_redis_url),
                                  ("ABAILA_KZ_NETWORKS", "kz_networks", load_networks)):
            if value := get(name):
                try:
                    check(value)
                except (OSError, ValueError) as exc:
                    raise ConfigError(f"{name}: {exc}") from exc
                kwargs[attr] = value
        for name, attr in (("ABAILA_CACHE_TIMEOUT_MS", "cache_timeout_s"), ("ABAILA_DNS_TIMEOUT_MS", "dns_timeout_s"),
                           ("ABAILA_RDAP_TIMEOUT_MS", "rdap_timeout_s"),
                           ("ABAILA_WHOIS_TIMEOUT_MS", "whois_timeout_s")):
            if value := get(name):
                kwargs[attr] = _parse_positive(name, value) / 1000
        for name, attr in (("ABAILA_REDIS_POOL_SIZE", "redis_pool_size"),
                           ("ABAILA_DNS_MAX_IN_FLIGHT", "dns_max_in_flight"),
                           ("ABAILA_RDAP_PER_HOST", "rdap_per_host"), ("ABAILA_WHOIS_PER_SERVER", "whois_per_server")):
            if value := get(name):
                kwargs[attr] = int(_parse_positive(name, value, integer=True))
        return cls(**kwargs)


def _parse_address(variable: str, text: str, default_port: int) -> tuple[str, int]:
    text = text.strip()
    host, port = text, str(default_port)
    if text.startswith("["):  # [IPv6]:port
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ConfigError(f"{variable}: bad address {text!r}")
        port = rest[1:] or port
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{variable}: bad address {text!r} (expected host[:port])")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not all(part and len(part) < 64 for part in host.split(".")) or " " in host:
            raise ConfigError(f"{variable}: bad host {host!r} in {text!r}") from None
    return host, int(port)


def _parse_positive(variable: str, text: str, *, integer: bool = False) -> float:
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise ConfigError(f"{variable}: expected a positive {'integer' if integer else 'number'}, got {text!r}") \
            from None
    if not value > 0:
        raise ConfigError(f"{variable}: expected a positive number, got {text!r}")
    return value


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    redis_url: str | None
    lists_dir: Path
    var_dir: Path
    check_deadline_ms: int = 1500  # ms
    verdict_ttl: int = 300  # seconds
    anon_rate: str = "120/minute"
    key_rate: str = "20/second"  # for an API key made without --rate
    page_rate: str = "30/minute"  # POST / (the check page) per client address; "none": unlimited
    bad_token_rate: str = "30/minute"  # unknown API tokens per client address before 429; "none": unlimited
    log_level: str = "info"
    redis_timeout_ms: int = 100  # ms; past it a counter call falls back to this process (circuit breaker)
    trusted_proxies: tuple[str, ...] = ()  # addresses/networks whose X-Forwarded-* headers are believed
    public_url: str | None = None  # the address people reach; None: unknown (the request's own scheme)
    lookups: LookupConfig = field(default_factory=lambda: LookupConfig())  # the slow signals' upstreams
    redirect_allow_networks: tuple[IpNetwork, ...] = ()  # exempt from the public-address rule; default none
    feeds: tuple[FeedConfig, ...] = ()  # from ABAILA_FEEDS
    # The wall clock of the store, the live updater and the moderation front ends: when entries expire and
    # what "in the past" means for expires_at. Not from the environment; tests pass one they move by hand.
    clock: Callable[[], dt.datetime] = field(default=_utc_now, compare=False, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        var_dir = Path(env.get("ABAILA_VAR_DIR") or "var")
        lists_dir = Path(env["ABAILA_LISTS_DIR"]) if env.get("ABAILA_LISTS_DIR") else bundled_lists_dir()
        if not lists_dir.is_dir():
            raise ConfigError(f"ABAILA_LISTS_DIR={str(lists_dir)!r} is not a directory")
        database_url = env.get("ABAILA_DATABASE_URL") or f"sqlite+aiosqlite:///{(var_dir / 'abaila.db').as_posix()}"
        if "://" not in database_url:
            raise ConfigError(f"ABAILA_DATABASE_URL must be a SQLAlchemy URL, not {database_url!r}")
        redis_url = env.get("ABAILA_REDIS_URL") or None
        if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(f"ABAILA_REDIS_URL must start with redis://, rediss:// or unix://, not {redis_url!r}")
        log_level = (env.get("ABAILA_LOG_LEVEL") or "info").lower()
        if log_level not in ("debug", "info", "warning", "error"):
            raise ConfigError(f"ABAILA_LOG_LEVEL must be debug, info, warning or error, not {log_level!r}")
        anon_rate = env.get("ABAILA_ANON_RATE") or "120/minute"
        key_rate = env.get("ABAILA_KEY_RATE") or "20/second"
        trusted = tuple(item.strip() for item in (env.get("ABAILA_TRUSTED_PROXIES") or "").split(",") if item.strip())
        for item in trusted:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ConfigError(f"ABAILA_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
        public_url = (env.get("ABAILA_PUBLIC_URL") or "").strip().rstrip("/") or None
        if public_url is not None and not public_url.startswith(("http://", "https://")):
            raise ConfigError(f"ABAILA_PUBLIC_URL must start with http:// or https://, not {public_url!r}")
        feeds = load_feeds(Path(env["ABAILA_FEEDS"]) if env.get("ABAILA_FEEDS") else None)
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            lists_dir=lists_dir,
            var_dir=var_dir,
            check_deadline_ms=_int(env, "ABAILA_CHECK_DEADLINE_MS", 1500, 50, 60_000),
            verdict_ttl=_int(env, "ABAILA_VERDICT_TTL", 300, 0, 86_400),
            anon_rate=anon_rate,
            key_rate=key_rate,
            page_rate=(env.get("ABAILA_PAGE_RATE") or "30/minute").strip(),
            bad_token_rate=(env.get("ABAILA_BAD_TOKEN_RATE") or "30/minute").strip(),
            log_level=log_level,
            redis_timeout_ms=_int(env, "ABAILA_REDIS_TIMEOUT_MS", 100, 1, 10_000),
            trusted_proxies=trusted,
            public_url=public_url,
            lookups=LookupConfig.from_env(env),
            redirect_allow_networks=_networks(env, "ABAILA_REDIRECT_ALLOW_NETWORKS"),
            feeds=feeds,
        )


def _networks(environ: Mapping[str, str], name: str) -> tuple[IpNetwork, ...]:
    try:
        return parse_networks(environ.get(name), name=name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_SERVICE_URL = "http://127.0.0.1:8080"


@dataclass(frozen=True, slots=True)
class BotConfig:
    """`abaila bot`: the Telegram side, the API it asks, and its own knobs (docs/bot.md)."""

    token: str
    api_url: str = DEFAULT_TELEGRAM_API_URL  # ABAILA_TELEGRAM_API_URL
    service_url: str = DEFAULT_SERVICE_URL  # ABAILA_SERVICE_URL
    public_url: str = ""  # ABAILA_PUBLIC_URL; empty = service_url
    service_key: str | None = None  # ABAILA_SERVICE_KEY
    state_path: Path = Path("var/bot-chats.json")  # ABAILA_BOT_STATE
    metrics_port: int | None = None  # ABAILA_BOT_METRICS_PORT; None = no metrics endpoint
    metrics_host: str = "127.0.0.1"  # ABAILA_BOT_METRICS_HOST
    rate: float = 25.0  # ABAILA_BOT_RATE: messages a second, all chats together
    poll_timeout_s: int = 30  # long-poll seconds of one getUpdates

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BotConfig:
        """Returns the bot's configuration; raises ConfigError naming a bad or missing variable."""
        env = dict(os.environ if environ is None else environ)
        token = (env.get("ABAILA_TELEGRAM_TOKEN") or "").strip()
        if not token or ":" not in token or any(c.isspace() for c in token):
            raise ConfigError("ABAILA_TELEGRAM_TOKEN must be the bot token BotFather gave (digits:letters)")
        urls = {}
        for name, default in (("ABAILA_TELEGRAM_API_URL", DEFAULT_TELEGRAM_API_URL),
                              ("ABAILA_SERVICE_URL", DEFAULT_SERVICE_URL), ("ABAILA_PUBLIC_URL", "")):
            value = (env.get(name) or default).strip().rstrip("/")
            if value and not value.startswith(("http://", "https://")):
                raise ConfigError(f"{name} must be an http(s) address, not {value!r}")
            urls[name] = value
        port_text = (env.get("ABAILA_BOT_METRICS_PORT") or "").strip()
        try:
            port = int(port_text) if port_text else None
            rate = float(env.get("ABAILA_BOT_RATE") or 25)
        except ValueError:
            raise ConfigError("ABAILA_BOT_METRICS_PORT must be a port number and ABAILA_BOT_RATE a number") from None
        if port is not None and not 0 < port < 65536:
            raise ConfigError(f"ABAILA_BOT_METRICS_PORT must be 1-65535, not {port}")
        if not rate > 0:
            raise ConfigError(f"ABAILA_BOT_RATE must be above 0, not {rate}")
        var_dir = Path(env.get("ABAILA_VAR_DIR") or "var")
        return cls(token=token, api_url=urls["ABAILA_TELEGRAM_API_URL"], service_url=urls["ABAILA_SERVICE_URL"],
                   public_url=urls["ABAILA_PUBLIC_URL"] or urls["ABAILA_SERVICE_URL"],
                   service_key=(env.get("ABAILA_SERVICE_KEY") or "").strip() or None,
                   state_path=Path(env.get("ABAILA_BOT_STATE") or var_dir / "bot-chats.json"),
                   metrics_port=port, metrics_host=env.get("ABAILA_BOT_METRICS_HOST") or "127.0.0.1", rate=rate)
