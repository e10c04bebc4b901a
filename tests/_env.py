"""What the test machine offers, and the rule for what is missing.

A test that needs ../shared/data, PostgreSQL, Redis, Chromium or Firefox is skipped with a clear reason on a
machine without it, except under CI (CI=true), where a missing service fails the test so nothing silently
stops being tested.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# ABAILA_TEST_SHARED: where ../shared is when the checkout sits elsewhere (a git worktree, say).
SHARED = Path(os.environ.get("ABAILA_TEST_SHARED") or ROOT.parent / "shared")
SHARED_DATA = SHARED / "data"
VECTORS = SHARED / "vectors"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

POSTGRES_URL = os.environ.get("ABAILA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ABAILA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def missing(reason: str) -> None:
    """Skips the calling test, or fails it under CI."""
    if IN_CI:
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        missing(f"{SHARED_DATA} is absent (a user's clone has no ../shared)")
    return SHARED_DATA


def require_vectors() -> Path:
    if not VECTORS.is_dir():
        missing(f"{VECTORS} is absent (a user's clone has no ../shared); tests/fixtures/vectors is used instead")
    return VECTORS


def require_redis() -> str:
    if not _port_open("127.0.0.1", 6379):
        missing("Redis is not running on 127.0.0.1:6379")
    return REDIS_URL


def require_postgres() -> str:
    if not _port_open("127.0.0.1", 5432):
        missing("PostgreSQL is not running on 127.0.0.1:5432")
    return POSTGRES_URL


def chromium_path() -> str:
    path = os.environ.get("ABAILA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        missing("Chromium is not installed (apt-get install -y chromium)")
    return path


def firefox_path() -> str:
    path = os.environ.get("ABAILA_FIREFOX") or shutil.which("firefox-esr") or shutil.which("firefox") or ""
    if not path or not Path(path).exists():
        missing("Firefox is not installed (apt-get install -y firefox-esr)")
    return path


CLOSED_PORT = "127.0.0.1:9"  # nothing listens there: a lookup fails at once, on this machine
EMPTY_RDAP_BOOTSTRAP = '{"version": "1.0", "publication": "2026-01-01T00:00:00Z", "services": []}'


def offline_upstreams(directory: Path) -> dict[str, str]:
    """Returns ABAILA_* settings under which a service never reaches a real DNS, WHOIS or RDAP server.

    Every WHOIS server the service knows (IANA included) and the DNS server are a closed local port, and
    the RDAP bootstrap (written into directory) lists no servers. Tests that need answers start local peers.
    """
    from service.signals.whois import DEFAULT_SERVERS, IANA

    directory.mkdir(parents=True, exist_ok=True)
    bootstrap = directory / "rdap-empty.json"
    bootstrap.write_text(EMPTY_RDAP_BOOTSTRAP, encoding="utf-8")
    return {
        "ABAILA_DNS_SERVERS": CLOSED_PORT,
        "ABAILA_WHOIS_SERVERS": ",".join(f"{key}={CLOSED_PORT}" for key in [*DEFAULT_SERVERS, IANA]),
        "ABAILA_RDAP_BOOTSTRAP": str(bootstrap),
    }
