"""Settings from `ABAILA_*` environment variables: the one place configuration is read.

    ABAILA_DATABASE_URL       the store; default sqlite+aiosqlite:///<var>/abaila.db (postgresql+asyncpg://...)
    ABAILA_REDIS_URL          Redis for the cache, rate limits and change events; unset: in-process
    ABAILA_LISTS_DIR          directory of list files (any supported format); default: bundled blocklists/
    ABAILA_VAR_DIR            index snapshots and the default SQLite file; default ./var
    ABAILA_CHECK_DEADLINE_MS  deadline for the slow signals of one check, ms; default 1500
    ABAILA_VERDICT_TTL        seconds a client may cache a verdict; default 300
    ABAILA_ANON_RATE          anonymous checks per client address; default 120/minute
    ABAILA_KEY_RATE           checks per API key made without --rate; default 20/second
    ABAILA_LOG_LEVEL          debug, info, warning, error; default info
    ABAILA_TRUSTED_PROXIES    addresses or CIDR blocks whose X-Forwarded-For/-Proto are believed; default none
    ABAILA_PUBLIC_URL         the address people reach (https://abaila.example.kz); https makes cookies Secure
    ABAILA_DNS_SERVERS, ABAILA_WHOIS_SERVERS, ABAILA_RDAP_BOOTSTRAP and the lookup limits and timeouts are
    parsed by service.lookups.LookupConfig (docs/signals.md).

A bad value raises ConfigError naming the variable and the value.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import ConfigError

__all__ = ["Settings", "bundled_lists_dir"]

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
class Settings:
    database_url: str
    redis_url: str | None
    lists_dir: Path
    var_dir: Path
    check_deadline_ms: int = 1500  # ms
    verdict_ttl: int = 300  # seconds
    anon_rate: str = "120/minute"
    key_rate: str = "20/second"  # for an API key made without --rate
    log_level: str = "info"
    trusted_proxies: tuple[str, ...] = ()  # addresses/networks whose X-Forwarded-* headers are believed
    public_url: str | None = None  # the address people reach; None: unknown (the request's own scheme)
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)  # for modules that parse their own

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
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            lists_dir=lists_dir,
            var_dir=var_dir,
            check_deadline_ms=_int(env, "ABAILA_CHECK_DEADLINE_MS", 1500, 50, 60_000),
            verdict_ttl=_int(env, "ABAILA_VERDICT_TTL", 300, 0, 86_400),
            anon_rate=anon_rate,
            key_rate=key_rate,
            log_level=log_level,
            trusted_proxies=trusted,
            public_url=public_url,
            environ=env,
        )
