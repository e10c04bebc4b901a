"""The store: moderators' entries, reports, decisions, the audit log and API keys, in SQL (async Core).

    Store.open(url) ──migrate (Alembic)──> tables ──add_entry / remove_entry / decide──> entries + changes + audit
                                                   (one transaction each: the change and its audit row
                                                    commit together or not at all)

SQLite (the default, a file under `./var/`, WAL, `synchronous=FULL` so an acknowledged write survives a
kill -9 or power loss) or PostgreSQL (`postgresql+asyncpg://...`). The same code and tests run on both.

Entries. The bundled `blocklists/` files are the seed; the store holds what moderators changed on top:
a *block* row puts an expression on a list, a *suppress* row takes one off (even a bundled one). At most
one live row (removed_at IS NULL) per (expression, list): adding lifts a suppression, removing ends a
block and leaves a suppression. Nothing is ever deleted; a removed row keeps who removed it and why.

Changes. Every write that alters what matches appends to `changes`; its id is the store's version.
Running instances poll `changes_since(version)` and apply each change to their index (`service.live`).
PostgreSQL hands out sequence values before commit, so writers take one advisory lock per transaction:
ids then commit in order and a poller never skips a change that commits late. SQLite writers start with
`BEGIN IMMEDIATE` (one writer at a time, no lock upgrade deadlocks between processes).

Example::

    store = await Store.open("sqlite+aiosqlite:///var/abaila.db")
    entry, created = await store.add_entry("kaspi-kz.top/", reason="phishing kit", actor="aigerim")
    await store.changes_since(0)   # -> [Change(id=1, op=Op.ADD, expression="kaspi-kz.top/", ...)]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cachetools import TTLCache
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from service.errors import Conflict, InvalidField, NotFound, PlatformEntry
from service.indicators import hash_hex, is_indicator, mask
from service.lists import Category
from service.platforms import guard_problem

__all__ = [
    "DEFAULT_ALLOWLIST", "DEFAULT_INDICATOR_LIST", "DEFAULT_LIST", "INDICATOR_LISTING_DAYS", "MAX_KEY_NAME",
    "REPORT_KINDS", "ROLES",
    "ApiKey", "Decision", "Effect", "IndicatorFacts", "Op", "ReportKind", "ReportStatus", "Role", "AuditRecord",
    "Change", "Entry", "Report", "ReportGroup", "Store", "hash_token", "metadata", "shown", "utc_now",
]

DEFAULT_LIST = "abaila-moderators"  # moderators' own blocklist (category phishing)
DEFAULT_ALLOWLIST = "abaila-moderators-allowlist"  # moderators' own allowlist
DEFAULT_INDICATOR_LIST = "abaila-indicators"  # moderators' cards, phones and IBANs (category fraud)
# A listed indicator is personal data: it expires after this many days unless renewed (re-added) or given
# its own expires_at (docs/privacy.md).
INDICATOR_LISTING_DAYS = 365
MAX_KEY_NAME = 200  # characters of an API key's name


class Role(StrEnum):
    """Who an API key belongs to; service.auth checks it per route."""

    MODERATOR = "moderator"  # changes lists and decides reports
    BANK = "bank"  # calls the check API with its own rate limit
    ADMIN = "admin"  # everything a moderator does, plus API keys


class Effect(StrEnum):
    """What an entry row does to its expression on its list."""

    BLOCK = "block"  # the expression is on the list
    SUPPRESS = "suppress"  # the expression is taken off the list (it stays in a bundled file)


class Op(StrEnum):
    """What a change-log row tells every instance's index to do (service.live)."""

    ADD = "add"  # put the expression on the list
    REMOVE = "remove"  # take it off


class ReportKind(StrEnum):
    """What a shopper reports."""

    SCAM = "scam"  # a scam site: accepted → its host goes on a list
    PHISHING = "phishing"  # a phishing site: the same
    WRONG_WARNING = "wrong_warning"  # an appeal: accepted → the entry that warned is removed


class ReportStatus(StrEnum):
    """Where a report is in the queue."""

    OPEN = "open"  # waits for a moderator
    ACCEPTED = "accepted"  # a moderator acted on it
    REJECTED = "rejected"  # a moderator declined it


class Decision(StrEnum):
    """A moderator's answer to a report group."""

    ACCEPT = "accept"  # report → entry added; appeal → entry removed
    REJECT = "reject"  # nothing changes; the reports close


ROLES = tuple(Role)
REPORT_KINDS = tuple(ReportKind)
REPORTS_PER_GROUP = 20  # newest reports of a group loaded with a page of groups
TOKEN_CACHE_SECONDS = 5.0  # seconds a resolved API token is trusted without asking the database again
_PG_WRITE_LOCK = 0x4142_4149_4C41  # advisory lock id ("ABAILA"): serializes writers so change ids commit in order


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_token(token: str) -> str:
    """Returns the stored form of an API token: hex SHA-256 (tokens are 256-bit random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timestamp that is always an aware UTC datetime in Python (SQLite keeps it naive UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert value.tzinfo is not None, "timestamps must be timezone-aware"
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# ---------------------------------------------------------------------------------------------------------
# Tables (the migration in service/migrations/versions/ creates exactly these)

metadata = sa.MetaData()

lists = sa.Table(
    "lists", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
)

entries = sa.Table(
    "entries", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("expression", sa.String(2048), nullable=False),
    sa.Column("list_id", sa.Integer, sa.ForeignKey("lists.id"), nullable=False),
    sa.Column("effect", sa.String(16), nullable=False),  # an Effect
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("evidence_url", sa.Text),
    sa.Column("added_by", sa.String(200), nullable=False),
    sa.Column("added_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("removed_at", UTCDateTime),
    sa.Column("removed_by", sa.String(200)),
    sa.Column("removed_reason", sa.Text),
    # SHA-256 hex of the expression when it is an indicator (card:/phone:/iban:), else NULL: the range lookup.
    sa.Column("indicator_hash", sa.String(64)),
    sa.Index("entries_live", "expression", "list_id", unique=True,
             sqlite_where=sa.text("removed_at IS NULL"), postgresql_where=sa.text("removed_at IS NULL")),
    sa.Index("entries_expression", "expression"),
    sa.Index("entries_indicator_hash", "indicator_hash"),
)

changes = sa.Table(
    "changes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("op", sa.String(8), nullable=False),  # an Op
    sa.Column("expression", sa.String(2048), nullable=False),
    sa.Column("list_name", sa.String(200), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("at", UTCDateTime, nullable=False),
)

reports = sa.Table(
    "reports", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("group_id", sa.String(32), nullable=False, index=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("expression", sa.String(2048), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # a ReportKind
    sa.Column("comment", sa.Text),
    sa.Column("client", sa.String(64), nullable=False),  # hashed client address, for abuse review only
    sa.Column("status", sa.String(16), nullable=False, index=True),  # a ReportStatus
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("decided_at", UTCDateTime),
    sa.Column("decided_by", sa.String(200)),
    sa.Column("note", sa.Text),
)

decisions = sa.Table(
    "decisions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("group_id", sa.String(32), nullable=False, index=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("reports", sa.Integer, nullable=False),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.String(2048), nullable=False, index=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # JSON object
)

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # a Role
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("rate", sa.String(32)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("revoked_at", UTCDateTime),
)

# Server-side secrets the instances share through the store: today the monthly keys of report_client().
store_secrets = sa.Table(
    "secrets", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(64), nullable=False),  # 32 random bytes, hex
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# A report's client digest is keyed with the month's secret, and a month's secret is deleted after
# REPORT_KEY_MONTHS: until then a reporter's reports group together (abuse review, "reports per reporter");
# after it nobody, not even someone holding the database, can test an address against stored digests.
REPORT_KEY_MONTHS = 2


def report_client(key: bytes, client: str) -> str:
    """Returns the stored form of a reporter's address: HMAC-SHA256 under the month's key, 32 hex digits."""
    return hmac.new(key, client.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------------------
# Values


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    expression: str
    list: str
    category: str
    effect: Effect
    reason: str
    evidence_url: str | None
    added_by: str
    added_at: dt.datetime
    expires_at: dt.datetime | None
    removed_at: dt.datetime | None
    removed_by: str | None
    removed_reason: str | None
    live: bool  # in force when the store read it (by the store's clock): not removed, not expired

    def is_live(self, now: dt.datetime) -> bool:
        """Reports whether the entry is in force: not removed and not expired."""
        return self.removed_at is None and (self.expires_at is None or self.expires_at > now)

    def to_json(self, *, reveal: bool = True) -> dict[str, Any]:
        """Returns the entry for the API; reveal=False masks an indicator (docs/privacy.md)."""
        return {"id": self.id, "entry": shown(self.expression, reveal), "list": self.list, "category": self.category,
                "effect": self.effect, "reason": self.reason, "evidence_url": self.evidence_url,
                "added_by": self.added_by, "added_at": _iso(self.added_at), "expires_at": _iso(self.expires_at),
                "removed_at": _iso(self.removed_at), "removed_by": self.removed_by,
                "removed_reason": self.removed_reason, "live": self.live, **_indicator_fields(self.expression)}


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    op: Op
    expression: str
    list: str
    category: str
    expires_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    reason: str
    detail: dict[str, Any]

    def to_json(self, *, reveal: bool = True) -> dict[str, Any]:
        return {"id": self.id, "at": _iso(self.at), "actor": self.actor, "action": self.action,
                "target": shown(self.target, reveal), "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Report:
    id: str
    group_id: str
    url: str
    expression: str
    kind: ReportKind
    comment: str | None
    status: ReportStatus
    created_at: dt.datetime
    decided_at: dt.datetime | None
    note: str | None

    def to_public_json(self) -> dict[str, Any]:
        """Returns what the reporter may see: no other reporters, no moderator names."""
        public = {"id": self.id, "status": self.status, "kind": self.kind, "url": self.url or None,
                  "created_at": _iso(self.created_at), "decided_at": _iso(self.decided_at), "note": self.note}
        if is_indicator(self.expression):  # the reporter's own card or number, shown masked (docs/privacy.md)
            public["indicator"] = mask(self.expression)
        return public


@dataclass(frozen=True, slots=True)
class ReportGroup:
    id: str  # the group id: the first report's id
    expression: str
    kind: str  # "report" (scam/phishing) or "appeal" (wrong_warning)
    status: ReportStatus
    count: int
    first_at: dt.datetime
    last_at: dt.datetime
    reports: tuple[Report, ...]  # the newest REPORTS_PER_GROUP
    reporters: int = 0  # distinct reporting addresses (hashed)
    by_reporter: tuple[int, ...] = ()  # reports of the five busiest reporters, most first

    def to_json(self, *, reveal: bool = True) -> dict[str, Any]:
        return {"id": self.id, "entry": shown(self.expression, reveal), "kind": self.kind, "status": self.status,
                "count": self.count, "reporters": self.reporters, "by_reporter": list(self.by_reporter),
                "first_at": _iso(self.first_at), "last_at": _iso(self.last_at), **_indicator_fields(self.expression),
                "reports": [{"id": r.id, "url": r.url or None, "kind": r.kind, "comment": r.comment,
                             "created_at": _iso(r.created_at)} for r in self.reports]}


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str
    role: Role
    rate: str | None
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "rate": self.rate,
                "created_at": _iso(self.created_at), "created_by": self.created_by,
                "revoked_at": _iso(self.revoked_at)}


@dataclass(frozen=True, slots=True)
class IndicatorFacts:
    """What the store knows of one canonical indicator: the lists it is on and what people reported."""

    canonical: str
    lists: tuple[tuple[str, str], ...]  # (list, category) of the live entries
    reports: int  # reports filed about it ("I paid to this card"), appeals and rejected ones not counted
    first_seen: dt.datetime | None  # its first report or listing
    last_seen: dt.datetime | None  # its latest report or listing

    @property
    def listed(self) -> bool:
        """Reports whether it is on a blocking list (an allowlist entry does not count)."""
        return any(category != Category.ALLOWLIST for _, category in self.lists)

    def to_json(self) -> dict[str, Any]:
        return {"canonical": self.canonical, "listed": self.listed, "reports": self.reports,
                "first_seen": _iso(self.first_seen), "last_seen": _iso(self.last_seen),
                "lists": [{"list": name, "category": category} for name, category in self.lists]}


def shown(expression: str, reveal: bool) -> str:
    """Returns an expression as a screen may show it: an indicator masked unless reveal (docs/privacy.md)."""
    return expression if reveal or not is_indicator(expression) else mask(expression)


def _indicator_fields(expression: str) -> dict[str, Any]:
    """The hash of an indicator, so masked rows can still be told apart and searched; nothing for a URL."""
    return {"indicator_hash": hash_hex(expression)} if is_indicator(expression) else {}


def _indicator_hash(expression: str) -> str | None:
    return hash_hex(expression) if is_indicator(expression) else None


def _group_kind(kind: str) -> str:
    return "appeal" if kind == ReportKind.WRONG_WARNING else "report"


# ---------------------------------------------------------------------------------------------------------
# The store


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    # The driver must not open transactions itself: we send BEGIN / BEGIN IMMEDIATE (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # fsync the WAL on every commit: an ack survives power loss
    cursor.execute("PRAGMA busy_timeout=10000")  # ms another process may hold the write lock
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    write = connection.get_execution_options().get("abaila_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _new_id(result: sa.CursorResult[Any]) -> int:
    """Returns the primary key an INSERT made (every table here has one integer key)."""
    key = result.inserted_primary_key
    assert key is not None, "an INSERT with a primary key"
    return int(key[0])


def _as_time(value: Any) -> dt.datetime:
    """Returns an aware UTC datetime from what min()/max() of a group returned (a datetime, or SQLite's text)."""
    when: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _entry(row: sa.Row[Any], now: dt.datetime) -> Entry:
    m = row._mapping
    live = m["removed_at"] is None and (m["expires_at"] is None or m["expires_at"] > now)
    return Entry(m["id"], m["expression"], m["list_name"], m["category"], Effect(m["effect"]), m["reason"],
                 m["evidence_url"], m["added_by"], m["added_at"], m["expires_at"], m["removed_at"], m["removed_by"],
                 m["removed_reason"], live)


def _report(row: sa.Row[Any]) -> Report:
    m = row._mapping
    return Report(m["id"], m["group_id"], m["url"], m["expression"], ReportKind(m["kind"]), m["comment"],
                  ReportStatus(m["status"]), m["created_at"], m["decided_at"], m["note"])


def _key(row: sa.Row[Any]) -> ApiKey:
    m = row._mapping
    return ApiKey(m["id"], m["name"], Role(m["role"]), m["rate"], m["created_at"], m["created_by"], m["revoked_at"])


_ENTRY_COLUMNS = (entries, lists.c.name.label("list_name"), lists.c.category)


class Store:
    """Async access to the store. Every write method is one transaction, audited inside it."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], dt.datetime] = utc_now,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._now = clock  # every time the store writes or compares (tests pass a fixed one)
        # service.auth's token hash -> principal (or None: unknown), trusted for TOKEN_CACHE_SECONDS. Keys are
        # fixed-size SHA-256 hex digests, so the entry bound is a byte bound (~2 MB) whatever callers send.
        self.token_cache: TTLCache[str, Any] = TTLCache(maxsize=10_000, ttl=TOKEN_CACHE_SECONDS, timer=monotonic)

    @classmethod
    async def open(cls, url: str, *, clock: Callable[[], dt.datetime] = utc_now) -> Store:
        """Returns a store on the database at url, migrated to the latest schema."""
        from service.migrations import upgrade

        store = cls(_make_engine(url), clock=clock)
        await upgrade(store)
        return store

    async def close(self) -> None:
        await self.engine.dispose()

    @contextlib.asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """Yields a connection in a write transaction: serialized with every other writer, committed on exit."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(abaila_write=True)
            async with conn.begin():
                if self.dialect == "postgresql":
                    await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_WRITE_LOCK})
                yield conn

    async def ping(self) -> dict[str, Any]:
        async with self._read() as conn:
            version = (await conn.execute(sa.select(sa.func.coalesce(sa.func.max(changes.c.id), 0)))).scalar_one()
        return {"ok": True, "backend": self.dialect, "version": int(version)}

    # -- changes ---------------------------------------------------------------------------------------

    async def changes_since(self, version: int, *, limit: int = 10_000) -> list[Change]:
        """Returns the changes after version, oldest first."""
        query = sa.select(changes).where(changes.c.id > version).order_by(changes.c.id).limit(limit)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [Change(r.id, Op(r.op), r.expression, r.list_name, r.category, r.expires_at) for r in rows]

    async def live_entries(self) -> tuple[int, list[Entry]]:
        """Returns (version, every entry in force) read in one transaction: what to lay over the bundled lists.

        Indicators are in it too: a listed `phone:` is the identity key of its WhatsApp and Telegram links
        (service.platforms), so the index blocks `wa.me/<digits>` when the phone is listed."""
        now = self._now()
        query = (sa.select(*_ENTRY_COLUMNS).join(lists, entries.c.list_id == lists.c.id)
                 .where(entries.c.removed_at.is_(None))
                 .where(sa.or_(entries.c.expires_at.is_(None), entries.c.expires_at > now)))
        async with self._read() as conn:
            version = (await conn.execute(sa.select(sa.func.coalesce(sa.func.max(changes.c.id), 0)))).scalar_one()
            rows = (await conn.execute(query)).all()
        return int(version), [_entry(r, self._now()) for r in rows]

    # -- entries ---------------------------------------------------------------------------------------

    async def _list_id(self, conn: AsyncConnection, name: str, category: str | None, actor: str) -> tuple[int, str]:
        row = (await conn.execute(sa.select(lists.c.id, lists.c.category).where(lists.c.name == name))).first()
        if row is not None:
            if category is not None and category != row.category:
                raise Conflict(f"list {name!r} has category {row.category!r}, not {category!r}", field="category")
            return row.id, row.category
        category = category or {DEFAULT_ALLOWLIST: Category.ALLOWLIST, DEFAULT_INDICATOR_LIST: "fraud"}.get(
            name, Category.PHISHING)
        result = await conn.execute(lists.insert().values(name=name, category=category, created_at=self._now(),
                                                          created_by=actor))
        return _new_id(result), category

    async def _live_row(self, conn: AsyncConnection, expression: str, list_id: int) -> Entry | None:
        row = (await conn.execute(sa.select(*_ENTRY_COLUMNS).join(lists, entries.c.list_id == lists.c.id).where(
            entries.c.expression == expression, entries.c.list_id == list_id, entries.c.removed_at.is_(None)))).first()
        return None if row is None else _entry(row, self._now())

    async def _end(self, conn: AsyncConnection, entry_id: int, actor: str, reason: str, now: dt.datetime) -> None:
        await conn.execute(entries.update().where(entries.c.id == entry_id).values(
            removed_at=now, removed_by=actor, removed_reason=reason))

    async def _audit(self, conn: AsyncConnection, actor: str, action: str, target: str, reason: str,
                     **detail: Any) -> None:
        await conn.execute(audit.insert().values(at=self._now(), actor=actor, action=action, target=target,
                                                 reason=reason, detail=json.dumps(detail, ensure_ascii=False,
                                                                                  default=str)))

    async def _add(self, conn: AsyncConnection, expression: str, *, list_name: str, category: str | None,
                   reason: str, actor: str, evidence_url: str | None, expires_at: dt.datetime | None,
                   action: str = "entry.add", force: bool = False) -> tuple[Entry, bool]:
        now = self._now()
        if expires_at is None and is_indicator(expression):  # personal data: listed for a year unless renewed
            expires_at = (now + dt.timedelta(days=INDICATOR_LISTING_DAYS)).replace(microsecond=0)
        list_id, category = await self._list_id(conn, list_name, category, actor)
        problem = guard_problem(expression, allowlist=category == Category.ALLOWLIST)
        if problem and not force:
            raise PlatformEntry(f"{problem} (an admin can force it)", field="entry")
        live = await self._live_row(conn, expression, list_id)
        if live is not None and live.effect == Effect.BLOCK and live.expires_at == expires_at and live.is_live(now):
            return live, False
        if live is not None:  # a suppression, an expired block or a new expiry: end it, then add afresh
            await self._end(conn, live.id, actor, reason, now)
        result = await conn.execute(entries.insert().values(
            expression=expression, list_id=list_id, effect=Effect.BLOCK, reason=reason, evidence_url=evidence_url,
            added_by=actor, added_at=now, expires_at=expires_at, indicator_hash=_indicator_hash(expression)))
        await conn.execute(changes.insert().values(op=Op.ADD, expression=expression, list_name=list_name,
                                                   category=category, expires_at=expires_at, at=now))
        await self._audit(conn, actor, action, expression, reason, list=list_name, category=category,
                          evidence_url=evidence_url, expires_at=_iso(expires_at),
                          **({"forced": problem} if problem else {}))
        entry = await self._live_row(conn, expression, list_id)
        assert entry is not None and entry.id == _new_id(result)
        return entry, True

    async def add_entry(self, expression: str, *, reason: str, actor: str, list_name: str = DEFAULT_LIST,
                        category: str | None = None, evidence_url: str | None = None,
                        expires_at: dt.datetime | None = None, force: bool = False) -> tuple[Entry, bool]:
        """Puts expression on a list (made if new); returns (entry, created). Re-adding a live entry changes nothing.

        Raises PlatformEntry for a public suffix or a platform's own domain or page unless force (an admin's
        explicit choice, written to the audit log with the reason it was refused).
        """
        async with self.write() as conn:
            return await self._add(conn, expression, list_name=list_name, category=category, reason=reason,
                                   actor=actor, evidence_url=evidence_url, expires_at=expires_at, force=force)

    async def _remove(self, conn: AsyncConnection, expression: str, *, lists_hint: Iterable[tuple[str, str]],
                      list_name: str | None, reason: str, actor: str, action: str = "entry.remove") -> list[Entry]:
        now = self._now()
        rows = (await conn.execute(sa.select(*_ENTRY_COLUMNS).join(lists, entries.c.list_id == lists.c.id).where(
            entries.c.expression == expression, entries.c.removed_at.is_(None)))).all()
        targets: dict[str, str | None] = {name: category for name, category in lists_hint}
        for row in rows:
            entry = _entry(row, self._now())
            if entry.effect == Effect.BLOCK:
                targets[entry.list] = entry.category
        if list_name is not None:
            targets = {k: v for k, v in targets.items() if k == list_name}
        removed: list[Entry] = []
        for name, category in targets.items():
            list_id, category = await self._list_id(conn, name, None, actor) if category is None else \
                await self._list_id(conn, name, category, actor)
            live = await self._live_row(conn, expression, list_id)
            if live is not None and live.effect == Effect.SUPPRESS:
                continue
            if live is not None:
                await self._end(conn, live.id, actor, reason, now)
            # The suppression keeps the entry off the list after a restart, even when a bundled file has it.
            await conn.execute(entries.insert().values(
                expression=expression, list_id=list_id, effect=Effect.SUPPRESS, reason=reason, added_by=actor,
                added_at=now, indicator_hash=_indicator_hash(expression)))
            await conn.execute(changes.insert().values(op=Op.REMOVE, expression=expression, list_name=name,
                                                       category=category, at=now))
            await self._audit(conn, actor, action, expression, reason, list=name, category=category,
                              entry_id=None if live is None else live.id)
            if live is not None:
                removed.append(live)
            else:
                suppress = await self._live_row(conn, expression, list_id)
                assert suppress is not None
                removed.append(suppress)
        return removed

    async def remove_entry(self, expression: str, *, reason: str, actor: str, list_name: str | None = None,
                           lists_hint: Iterable[tuple[str, str]] = ()) -> list[Entry]:
        """Takes expression off every list it is on (or just list_name); returns what was removed.

        lists_hint names (list, category) pairs the running index has it on (bundled lists the store does not
        know). Raises NotFound when it is on none.
        """
        async with self.write() as conn:
            removed = await self._remove(conn, expression, lists_hint=lists_hint, list_name=list_name,
                                         reason=reason, actor=actor)
        if not removed:
            raise NotFound(f"{expression!r} is on no list" + (f" named {list_name!r}" if list_name else ""))
        return removed

    async def get_entry(self, entry_id: int) -> Entry:
        query = (sa.select(*_ENTRY_COLUMNS).join(lists, entries.c.list_id == lists.c.id)
                 .where(entries.c.id == entry_id))
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"no entry with id {entry_id}")
        return _entry(row, self._now())

    async def search_entries(self, q: str = "", *, list_name: str | None = None, category: str | None = None,
                             include_removed: bool = False, limit: int = 100, offset: int = 0) -> list[Entry]:
        """Returns entries whose expression contains q, newest first."""
        query = sa.select(*_ENTRY_COLUMNS).join(lists, entries.c.list_id == lists.c.id)
        if q:
            escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(entries.c.expression.like(f"%{escaped}%", escape="\\"))
        if list_name:
            query = query.where(lists.c.name == list_name)
        if category:
            query = query.where(lists.c.category == category)
        if not include_removed:
            query = query.where(entries.c.removed_at.is_(None), entries.c.effect == Effect.BLOCK)
        query = query.order_by(entries.c.id.desc()).limit(limit).offset(offset)
        async with self._read() as conn:
            return [_entry(r, self._now()) for r in (await conn.execute(query)).all()]

    async def import_entries(self, expressions: Sequence[str], *, list_name: str, category: str | None,
                             reason: str, actor: str, dry_run: bool = False,
                             evidence_url: str | None = None, force: bool = False) -> dict[str, Any]:
        """Puts many expressions on one list in one transaction; returns {"added", "unchanged", "list", ...}.

        Expressions that are public suffixes or platforms' own domains or pages are left out and returned
        under "refused" with the reason (unless force: an admin's choice, audited).
        """
        unique = list(dict.fromkeys(expressions))
        async with self.write() as conn:
            now = self._now()
            row = (await conn.execute(sa.select(lists.c.id, lists.c.category).where(lists.c.name == list_name))).first()
            if row is not None and category is not None and row.category != category:
                raise Conflict(f"list {list_name!r} has category {row.category!r}, not {category!r}", field="category")
            effective = (row.category if row else category) or Category.PHISHING
            refused = [(e, p) for e in unique if (p := guard_problem(e, allowlist=effective == Category.ALLOWLIST))]
            if refused and not force:
                unique = [e for e in unique if e not in dict(refused)]
            existing: set[str] = set()
            if row is not None:
                result = await conn.execute(sa.select(entries.c.expression).where(
                    entries.c.list_id == row.id, entries.c.removed_at.is_(None), entries.c.effect == Effect.BLOCK,
                    sa.or_(entries.c.expires_at.is_(None), entries.c.expires_at > now)))
                existing = {r[0] for r in result}
            new = [e for e in unique if e not in existing]
            summary = {"list": list_name, "category": (row.category if row else category) or Category.PHISHING,
                       "added": len(new), "unchanged": len(unique) - len(new), "dry_run": dry_run,
                       "refused": [{"entry": e, "problem": p} for e, p in refused[:100]] if not force else [],
                       **({"forced": [e for e, _ in refused[:100]]} if force and refused else {})}
            if dry_run or not new:
                if not dry_run:
                    await self._audit(conn, actor, "import", list_name, reason, **summary)
                return summary
            list_id, cat = await self._list_id(conn, list_name, category, actor)
            summary["category"] = cat
            indicator_expiry = (now + dt.timedelta(days=INDICATOR_LISTING_DAYS)).replace(microsecond=0)
            expiry = {e: indicator_expiry for e in new if is_indicator(e)}
            # End what is live for these expressions (suppressions, expired blocks) before adding afresh.
            for start in range(0, len(new), 500):
                chunk = new[start:start + 500]
                await conn.execute(entries.update().where(
                    entries.c.list_id == list_id, entries.c.removed_at.is_(None), entries.c.expression.in_(chunk)
                ).values(removed_at=now, removed_by=actor, removed_reason=reason))
                await conn.execute(entries.insert(), [
                    {"expression": e, "list_id": list_id, "effect": Effect.BLOCK, "reason": reason,
                     "evidence_url": evidence_url, "added_by": actor, "added_at": now, "expires_at": expiry.get(e),
                     "indicator_hash": _indicator_hash(e)} for e in chunk])
                await conn.execute(changes.insert(), [
                    {"op": Op.ADD, "expression": e, "list_name": list_name, "category": cat,
                     "expires_at": expiry.get(e), "at": now} for e in chunk])
            await self._audit(conn, actor, "import", list_name, reason, **summary)
            return summary

    async def list_names(self) -> list[tuple[str, str]]:
        async with self._read() as conn:
            return [(r.name, r.category) for r in (await conn.execute(sa.select(lists).order_by(lists.c.name)))]

    # -- indicators (card:, phone:, iban:) --------------------------------------------------------------

    def _live_indicator_rows(self, now: dt.datetime) -> sa.Select[Any]:
        return (sa.select(entries.c.expression, entries.c.indicator_hash, entries.c.added_at, lists.c.name,
                          lists.c.category)
                .join(lists, entries.c.list_id == lists.c.id)
                .where(entries.c.indicator_hash.is_not(None), entries.c.removed_at.is_(None),
                       entries.c.effect == Effect.BLOCK,
                       sa.or_(entries.c.expires_at.is_(None), entries.c.expires_at > now)))

    async def _report_counts(self, conn: AsyncConnection,
                             expressions: Sequence[str]) -> dict[str, tuple[int, Any, Any]]:
        """Returns {expression: (reports, first, last)} of the reports (not appeals, not rejected) about them."""
        out: dict[str, tuple[int, Any, Any]] = {}
        for start in range(0, len(expressions), 500):
            chunk = list(expressions[start:start + 500])
            rows = await conn.execute(
                sa.select(reports.c.expression, sa.func.count(), sa.func.min(reports.c.created_at),
                          sa.func.max(reports.c.created_at))
                .where(reports.c.expression.in_(chunk), reports.c.kind != ReportKind.WRONG_WARNING,
                       reports.c.status != ReportStatus.REJECTED)
                .group_by(reports.c.expression))
            for expression, count, first, last in rows:
                # min()/max() come back as text on SQLite: read them through the column type.
                out[expression] = (int(count), _as_time(first), _as_time(last))
        return out

    async def indicator_range(self, prefix: str) -> list[tuple[str, int]]:
        """Returns (hash, reports) of every listed indicator whose SHA-256 hex starts with prefix, by hash."""
        assert all(c in "0123456789abcdef" for c in prefix), "prefix is lowercase hex"
        query = self._live_indicator_rows(self._now()).where(
            entries.c.indicator_hash >= prefix, entries.c.indicator_hash < prefix + "g",  # "g" sorts after hex
            lists.c.category != Category.ALLOWLIST)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
            canonicals = sorted({r.expression for r in rows})
            counts = await self._report_counts(conn, canonicals)
        return sorted((hash_hex(c), counts.get(c, (0, None, None))[0]) for c in canonicals)

    async def indicator_facts(self, canonicals: Sequence[str]) -> dict[str, IndicatorFacts]:
        """Returns what the store knows of each canonical indicator (lists, reports, first and last seen)."""
        unique = list(dict.fromkeys(canonicals))
        found: dict[str, list[Any]] = {c: [] for c in unique}
        async with self._read() as conn:
            for start in range(0, len(unique), 500):
                chunk = unique[start:start + 500]
                query = self._live_indicator_rows(self._now()).where(entries.c.expression.in_(chunk))
                for row in (await conn.execute(query)).all():
                    found[row.expression].append(row)
            counts = await self._report_counts(conn, unique)
        facts: dict[str, IndicatorFacts] = {}
        for c in unique:
            count, first, last = counts.get(c, (0, None, None))
            times = [t for t in (first, last, *(r.added_at for r in found[c])) if t is not None]
            facts[c] = IndicatorFacts(c, tuple(dict.fromkeys((r.name, r.category) for r in found[c])), count,
                                      min(times) if times else None, max(times) if times else None)
        return facts

    async def live_indicators(self, *, list_name: str | None = None) -> list[Entry]:
        """Returns every indicator entry in force (on list_name only, when given), by expression."""
        now = self._now()
        query = (sa.select(*_ENTRY_COLUMNS).join(lists, entries.c.list_id == lists.c.id)
                 .where(entries.c.indicator_hash.is_not(None), entries.c.removed_at.is_(None),
                        entries.c.effect == Effect.BLOCK,
                        sa.or_(entries.c.expires_at.is_(None), entries.c.expires_at > now)))
        if list_name:
            query = query.where(lists.c.name == list_name)
        async with self._read() as conn:
            return [_entry(r, now) for r in (await conn.execute(query.order_by(entries.c.expression))).all()]

    async def audit_reads(self, actor: str, indicators: Iterable[str], *, where: str) -> int:
        """Records that a person was shown these indicators in full (one `indicator.read` row each)."""
        shown_now = list(dict.fromkeys(i for i in indicators if is_indicator(i)))
        if not shown_now:
            return 0
        async with self.write() as conn:
            for indicator in shown_now:
                await self._audit(conn, actor, "indicator.read", indicator, "", where=where)
        return len(shown_now)

    # -- audit -----------------------------------------------------------------------------------------

    async def audit_log(self, *, actor: str | None = None, target: str | None = None, action: str | None = None,
                        since: dt.datetime | None = None, until: dt.datetime | None = None,
                        limit: int = 100, offset: int = 0) -> list[AuditRecord]:
        """Returns audit records matching every given filter, newest first."""
        query = sa.select(audit)
        if actor:
            query = query.where(audit.c.actor == actor)
        if target:
            query = query.where(audit.c.target == target)
        if action:
            query = query.where(audit.c.action == action)
        if since:
            query = query.where(audit.c.at >= since)
        if until:
            query = query.where(audit.c.at < until)
        query = query.order_by(audit.c.id.desc()).limit(limit).offset(offset)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [AuditRecord(r.id, r.at, r.actor, r.action, r.target, r.reason, json.loads(r.detail)) for r in rows]

    # -- reports ---------------------------------------------------------------------------------------

    async def create_report(self, *, url: str, expression: str, kind: str, comment: str | None,
                            client: str) -> Report:
        """Files a user's report, grouped with the open reports of the same kind about the same expression."""
        assert kind in REPORT_KINDS
        report_id = "r" + secrets.token_hex(8)
        appeal = kind == ReportKind.WRONG_WARNING
        group_kinds = [ReportKind.WRONG_WARNING] if appeal else [ReportKind.SCAM, ReportKind.PHISHING]
        async with self.write() as conn:
            group = (await conn.execute(sa.select(reports.c.group_id).where(
                reports.c.expression == expression, reports.c.status == ReportStatus.OPEN,
                reports.c.kind.in_(group_kinds)
            ).order_by(reports.c.created_at).limit(1))).scalar()
            await conn.execute(reports.insert().values(
                id=report_id, group_id=group or report_id, url=url, expression=expression, kind=kind,
                comment=comment, client=report_client(await self._report_key(conn), client), status=ReportStatus.OPEN,
                created_at=self._now()))
            row = (await conn.execute(sa.select(reports).where(reports.c.id == report_id))).one()
        return _report(row)

    async def _report_key(self, conn: AsyncConnection) -> bytes:
        """Returns this month's report-client key, made (and the expired months' keys deleted) on first use.
        Called inside a write transaction, which writers take one at a time, so two instances never make two."""
        now = self._now()
        name = f"report-client-{now:%Y-%m}"
        value = (await conn.execute(sa.select(store_secrets.c.value).where(store_secrets.c.name == name))).scalar()
        if value is None:
            value = secrets.token_hex(32)
            await conn.execute(store_secrets.insert().values(name=name, value=value, created_at=now))
            month = now.year * 12 + now.month - 1 - (REPORT_KEY_MONTHS - 1)  # the oldest month still kept
            oldest = f"{month // 12:04d}-{month % 12 + 1:02d}"
            await conn.execute(store_secrets.delete().where(
                store_secrets.c.name.like("report-client-%"), store_secrets.c.name < f"report-client-{oldest}"))
        return bytes.fromhex(value)

    async def get_report(self, report_id: str) -> Report:
        async with self._read() as conn:
            row = (await conn.execute(sa.select(reports).where(reports.c.id == report_id))).first()
        if row is None:
            raise NotFound(f"no report with id {report_id!r}")
        return _report(row)

    async def report_groups(self, *, status: ReportStatus | None = ReportStatus.OPEN,
                            limit: int = 100) -> list[ReportGroup]:
        """Returns the first page of report groups, the group with the most reports first."""
        return (await self.report_page(status=status, limit=limit))[0]

    async def report_page(self, *, status: ReportStatus | None = ReportStatus.OPEN, sort: str = "count",
                          offset: int = 0, limit: int = 50) -> tuple[list[ReportGroup], int]:
        """Returns one page of report groups (site and kind) and how many groups there are in all.

        sort "count": most reports first; "newest": the latest report first; "reporters": most distinct
        reporters first (a flood from one address does not outrank ten people). Only the REPORTS_PER_GROUP
        newest reports of each group are loaded (issue 10: /admin loaded every open row, 3 MB for 3,000).
        """
        assert sort in ("count", "newest", "reporters") and limit > 0 and offset >= 0
        where = [reports.c.status == status] if status else []
        count = sa.func.count().label("n")
        reporters = sa.func.count(sa.distinct(reports.c.client)).label("reporters")
        first = sa.func.min(reports.c.created_at).label("first_at")
        last = sa.func.max(reports.c.created_at).label("last_at")
        grouped = (sa.select(reports.c.group_id, count, reporters, first, last).where(*where)
                   .group_by(reports.c.group_id))
        order = {"count": (count.desc(), first, reports.c.group_id), "newest": (last.desc(), reports.c.group_id),
                 "reporters": (reporters.desc(), count.desc(), first, reports.c.group_id)}[sort]
        async with self._read() as conn:
            total = (await conn.execute(sa.select(sa.func.count()).select_from(grouped.subquery()))).scalar_one()
            heads = (await conn.execute(grouped.order_by(*order).limit(limit).offset(offset))).all()
            groups = []
            for head in heads:
                rows = (await conn.execute(sa.select(reports).where(reports.c.group_id == head.group_id, *where)
                                           .order_by(reports.c.created_at.desc()).limit(REPORTS_PER_GROUP))).all()
                per_client = (await conn.execute(
                    sa.select(sa.func.count()).where(reports.c.group_id == head.group_id, *where)
                    .group_by(reports.c.client).order_by(sa.func.count().desc()).limit(5))).scalars().all()
                items = [_report(r) for r in reversed(rows)]  # the newest few, in the order they came
                groups.append(ReportGroup(head.group_id, items[0].expression, _group_kind(items[0].kind),
                                          items[0].status, head.n, head.first_at, head.last_at, tuple(items),
                                          reporters=head.reporters, by_reporter=tuple(per_client)))
        return groups, int(total)

    async def decide(self, report_id: str, *, decision: str, note: str, actor: str,
                     lists_hint: Iterable[tuple[str, str]] = (), list_name: str | None = None,
                     category: str | None = None, force: bool = False) -> dict[str, Any]:
        """Decides a report's whole group: accept adds the site (a report) or removes it (an appeal); reject closes.

        Returns {"group", "decision", "reports", "entries"}. Raises Conflict when the group is already decided.
        """
        if decision not in tuple(Decision):
            raise InvalidField(f"decision must be accept or reject, not {decision!r}", field="decision")
        async with self.write() as conn:
            row = (await conn.execute(sa.select(reports).where(reports.c.id == report_id))).first()
            if row is None:
                raise NotFound(f"no report with id {report_id!r}")
            first = _report(row)
            open_rows = [_report(r) for r in (await conn.execute(sa.select(reports).where(
                reports.c.group_id == first.group_id, reports.c.status == ReportStatus.OPEN))).all()]
            if not open_rows:
                raise Conflict(f"report {report_id!r} was already decided ({first.status})")
            now = self._now()
            status = ReportStatus.ACCEPTED if decision == Decision.ACCEPT else ReportStatus.REJECTED
            await conn.execute(reports.update().where(reports.c.group_id == first.group_id,
                                                      reports.c.status == ReportStatus.OPEN).values(
                status=status, decided_at=now, decided_by=actor, note=note))
            await conn.execute(decisions.insert().values(group_id=first.group_id, decision=decision, note=note,
                                                         actor=actor, at=now, reports=len(open_rows)))
            await self._audit(conn, actor, f"report.{decision}", first.expression, note, group=first.group_id,
                              reports=[r.id for r in open_rows], kind=_group_kind(first.kind))
            changed: list[Entry] = []
            if decision == Decision.ACCEPT:
                reason = f"report {first.group_id}: {note}"
                if first.kind == ReportKind.WRONG_WARNING:
                    changed = await self._remove(conn, first.expression, lists_hint=lists_hint, list_name=list_name,
                                                 reason=reason, actor=actor)
                else:
                    default = DEFAULT_INDICATOR_LIST if is_indicator(first.expression) else DEFAULT_LIST
                    entry, _ = await self._add(
                        conn, first.expression, list_name=list_name or default, category=category,
                        reason=reason, actor=actor, evidence_url=first.url or None, expires_at=None, force=force)
                    changed = [entry]
        return {"group": first.group_id, "decision": decision, "status": status, "reports": len(open_rows),
                "entries": [e.to_json(reveal=False) for e in changed]}

    # -- API keys --------------------------------------------------------------------------------------

    async def create_key(self, *, name: str, role: str, actor: str, rate: str | None = None) -> tuple[ApiKey, str]:
        """Returns (key, token): the secret token is shown once and only its hash is kept."""
        if role not in ROLES:
            raise InvalidField(f"role must be one of {', '.join(ROLES)}, not {role!r}", field="role")
        if not name.strip() or len(name) > MAX_KEY_NAME:
            raise InvalidField(f"name must be 1-{MAX_KEY_NAME} characters", field="name")
        token = f"abk_{secrets.token_urlsafe(32)}"
        async with self.write() as conn:
            result = await conn.execute(api_keys.insert().values(
                name=name, role=role, token_hash=hash_token(token), rate=rate, created_at=self._now(),
                created_by=actor))
            key_id = _new_id(result)
            await self._audit(conn, actor, "key.create", f"key:{key_id}", "", name=name, role=role, rate=rate)
            row = (await conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id))).one()
        return _key(row), token

    async def list_keys(self) -> list[ApiKey]:
        """Returns every key, revoked ones too, oldest first."""
        query = sa.select(api_keys).order_by(api_keys.c.id)
        async with self._read() as conn:
            return [_key(r) for r in (await conn.execute(query)).all()]

    async def revoke_key(self, key_id: int, *, actor: str, reason: str = "") -> ApiKey:
        async with self.write() as conn:
            row = (await conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id))).first()
            if row is None:
                raise NotFound(f"no API key with id {key_id}")
            if row.revoked_at is None:
                await conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(revoked_at=self._now()))
                await self._audit(conn, actor, "key.revoke", f"key:{key_id}", reason, name=row.name, role=row.role)
            row = (await conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id))).one()
        return _key(row)

    async def live_key(self, key_id: int) -> tuple[ApiKey, str] | None:
        """Returns (key, its token hash) for a key that is not revoked, or None (the /admin session check)."""
        async with self._read() as conn:
            row = (await conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id,
                                                                api_keys.c.revoked_at.is_(None)))).first()
        return None if row is None else (_key(row), row.token_hash)

    async def end_session(self, session_id: str, *, actor: str) -> None:
        """Records that an /admin session was signed out; it is refused from then on, on every instance."""
        async with self.write() as conn:
            await self._audit(conn, actor, "session.end", f"session:{session_id}", "signed out")

    async def is_session_ended(self, session_id: str) -> bool:
        async with self._read() as conn:
            row = (await conn.execute(sa.select(audit.c.id).where(audit.c.target == f"session:{session_id}",
                                                                  audit.c.action == "session.end"))).first()
        return row is not None

    async def key_for_hash(self, token_hash: str) -> tuple[ApiKey, str] | None:
        """Returns (key, stored hash) for a live key with this token hash, or None."""
        async with self._read() as conn:
            row = (await conn.execute(sa.select(api_keys).where(api_keys.c.token_hash == token_hash,
                                                                api_keys.c.revoked_at.is_(None)))).first()
        return None if row is None else (_key(row), row.token_hash)
