"""`/admin` sessions: a random id with an expiry, signed with the key's stored hash, revocable.

    issue(key, token_hash, now)  -> "3.1767225600.Yk3...Q.9f2c..."   (key id . expires . session id . MAC)
    await resolve(store, cookie, now) -> Session(principal, id) | None

The cookie never holds the token (issue 10: it was the raw, permanent API token, usable as a Bearer
token and still valid after logout). The MAC is an HMAC-SHA256 keyed with the key's token hash, which only
the store knows, so every instance can check a session without a sessions table, and revoking the key
ends its sessions at once. Signing out is recorded in the store (`session.end` in the audit log), so the
id is refused on every instance. A session lasts SESSION_SECONDS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from service.auth import Principal

__all__ = ["SESSION_SECONDS", "Session", "issue", "resolve"]

SESSION_SECONDS = 8 * 3600  # a working day; then sign in again
_ROLES = ("moderator", "admin")


@dataclass(frozen=True, slots=True)
class Session:
    principal: Principal
    id: str  # random, 128 bits; also what the CSRF token is derived from


def _mac(token_hash: str, payload: str) -> str:
    return hmac.new(token_hash.encode(), payload.encode(), hashlib.sha256).hexdigest()


def issue(key_id: int, token_hash: str, now: float) -> str:
    """Returns a new session cookie value for the key."""
    payload = f"{key_id}.{int(now) + SESSION_SECONDS}.{secrets.token_urlsafe(16)}"
    return f"{payload}.{_mac(token_hash, payload)}"


async def resolve(store: Any, cookie: str, now: float) -> Session | None:
    """Returns the session a cookie stands for, or None (malformed, expired, forged, signed out, key revoked)."""
    parts = cookie.split(".")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit() or len(cookie) > 200:
        return None
    key_id, expires, session_id, mac = int(parts[0]), int(parts[1]), parts[2], parts[3]
    if expires <= now:
        return None
    found = await store.live_key(key_id)
    if found is None:
        return None
    key, token_hash = found
    if not hmac.compare_digest(mac, _mac(token_hash, ".".join(parts[:3]))) or key.role not in _ROLES:
        return None
    if await store.is_session_ended(session_id):
        return None
    return Session(Principal(key.id, key.name, key.role, key.rate), session_id)
