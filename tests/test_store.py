"""service.store on SQLite and PostgreSQL: the same tests on both (see conftest.database_url)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from service.errors import Conflict, InvalidField, NotFound
from service.store import DEFAULT_LIST, Store, hash_token


@pytest.fixture
async def store(database_url: str):  # type: ignore[no-untyped-def]
    s = await Store.open(database_url)
    yield s
    await s.close()


async def test_add_is_idempotent_and_audited(store: Store) -> None:
    entry, created = await store.add_entry("kaspi-kz.top/", reason="phishing kit", actor="aigerim",
                                           evidence_url="https://example.org/screenshot")
    assert created and entry.list == DEFAULT_LIST and entry.category == "phishing" and entry.effect == "block"
    again, created_again = await store.add_entry("kaspi-kz.top/", reason="again", actor="berik")
    assert not created_again and again.id == entry.id
    changes = await store.changes_since(0)
    assert [(c.op, c.expression) for c in changes] == [("add", "kaspi-kz.top/")]
    log = await store.audit_log()
    assert [(r.actor, r.action, r.target, r.reason) for r in log] == [
        ("aigerim", "entry.add", "kaspi-kz.top/", "phishing kit")]
    assert log[0].detail["evidence_url"] == "https://example.org/screenshot"


async def test_remove_leaves_a_suppression_and_readd_lifts_it(store: Store) -> None:
    await store.add_entry("evil.kz/", reason="r", actor="a")
    removed = await store.remove_entry("evil.kz/", reason="wrong", actor="b")
    assert [e.expression for e in removed] == ["evil.kz/"]
    version, live = await store.live_entries()
    assert version == 2 and [(e.expression, e.effect) for e in live] == [("evil.kz/", "suppress")]
    await store.add_entry("evil.kz/", reason="it is bad after all", actor="c")
    _, live = await store.live_entries()
    assert [(e.expression, e.effect, e.added_by) for e in live] == [("evil.kz/", "block", "c")]
    history = await store.search_entries("evil", include_removed=True)
    assert [(e.effect, e.removed_by) for e in history] == [("block", None), ("suppress", "c"), ("block", "b")]


async def test_remove_of_a_bundled_entry_uses_the_hint(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.remove_entry("bundled.kz/", reason="r", actor="a")
    removed = await store.remove_entry("bundled.kz/", reason="honest shop", actor="a",
                                       lists_hint=[("kz-scam", "scam")])
    assert [(e.list, e.effect) for e in removed] == [("kz-scam", "suppress")]
    changes = await store.changes_since(0)
    assert [(c.op, c.list, c.category) for c in changes] == [("remove", "kz-scam", "scam")]
    with pytest.raises(NotFound):  # already suppressed there: nothing left to remove, no second change
        await store.remove_entry("bundled.kz/", reason="again", actor="a", lists_hint=[("kz-scam", "scam")])
    assert len(await store.changes_since(0)) == 1


async def test_new_list_and_category_conflict(store: Store) -> None:
    entry, _ = await store.add_entry("shop.kz/", reason="r", actor="a", list_name="verified-shops",
                                     category="allowlist")
    assert entry.category == "allowlist"
    with pytest.raises(Conflict):
        await store.add_entry("x.kz/", reason="r", actor="a", list_name="verified-shops", category="phishing")
    with pytest.raises(Conflict):
        await store.import_entries(["x.kz/"], list_name="verified-shops", category="phishing", reason="r", actor="a")


async def test_expired_entries_are_not_live(store: Store) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    await store.add_entry("old.kz/", reason="r", actor="a", expires_at=past)
    await store.add_entry("new.kz/", reason="r", actor="a", expires_at=future)
    _, live = await store.live_entries()
    assert [e.expression for e in live] == ["new.kz/"]
    assert live[0].expires_at == future.replace(microsecond=live[0].expires_at.microsecond)


async def test_import_dry_run_then_real(store: Store) -> None:
    await store.add_entry("a.kz/", reason="r", actor="a", list_name="feed", category="phishing")
    dry = await store.import_entries(["a.kz/", "b.kz/", "c.kz/", "b.kz/"], list_name="feed", category=None,
                                     reason="feed", actor="a", dry_run=True)
    assert (dry["added"], dry["unchanged"]) == (2, 1)
    assert len(await store.changes_since(0)) == 1
    real = await store.import_entries(["a.kz/", "b.kz/", "c.kz/"], list_name="feed", category=None,
                                      reason="feed", actor="a")
    assert (real["added"], real["unchanged"]) == (2, 1)
    assert [c.expression for c in await store.changes_since(1)] == ["b.kz/", "c.kz/"]
    assert (await store.audit_log(action="import"))[0].detail["added"] == 2


async def test_keys_hashed_and_revocable(store: Store) -> None:
    key, token = await store.create_key(name="halyk", role="bank", actor="admin", rate="50/second")
    assert token.startswith("abk_") and len(token) > 40
    found = await store.key_for_hash(hash_token(token))
    assert found is not None and found[0].rate == "50/second" and found[1] != token
    await store.revoke_key(key.id, actor="admin")
    assert await store.key_for_hash(hash_token(token)) is None
    again = await store.revoke_key(key.id, actor="admin")  # revoking twice keeps the first time, audits once
    assert again.revoked_at is not None
    assert [r.action for r in await store.audit_log(target=f"key:{key.id}")] == ["key.revoke", "key.create"]
    with pytest.raises(NotFound):
        await store.revoke_key(999, actor="admin")
    for name, role, field in (("x", "root", "role"), ("   ", "bank", "name"), ("x" * 201, "bank", "name")):
        with pytest.raises(InvalidField) as refused:
            await store.create_key(name=name, role=role, actor="admin")
        assert refused.value.field == field
    assert [k.id for k in await store.list_keys()] == [key.id]


async def test_reports_grouped_and_decided(store: Store) -> None:
    a = await store.create_report(url="https://fake.kz/a", expression="fake.kz/", kind="scam", comment="x", client="1")
    b = await store.create_report(url="https://fake.kz/b", expression="fake.kz/", kind="phishing", comment=None,
                                  client="2")
    appeal = await store.create_report(url="https://fake.kz/", expression="fake.kz/", kind="wrong_warning",
                                       comment="my shop", client="3")
    assert b.group_id == a.id and appeal.group_id == appeal.id
    groups = await store.report_groups()
    assert [(g.id, g.count, g.kind) for g in groups] == [(a.id, 2, "report"), (appeal.id, 1, "appeal")]
    result = await store.decide(b.id, decision="accept", note="confirmed", actor="m")
    assert result["reports"] == 2 and result["entries"][0]["entry"] == "fake.kz/"
    assert (await store.get_report(a.id)).status == "accepted"
    with pytest.raises(Conflict):
        await store.decide(a.id, decision="reject", note="late", actor="m2")
    with pytest.raises(NotFound):
        await store.decide("r0000000000000000", decision="accept", note="n", actor="m")
    with pytest.raises(InvalidField):  # /admin's form hands the decision over as typed
        await store.decide(appeal.id, decision="maybe", note="n", actor="m")
    result = await store.decide(appeal.id, decision="accept", note="verified merchant", actor="m")
    assert result["entries"][0]["list"] == DEFAULT_LIST
    _, live = await store.live_entries()
    assert [(e.expression, e.effect) for e in live] == [("fake.kz/", "suppress")]


async def test_two_moderators_at_once_lose_nothing(database_url: str) -> None:
    """Two stores (as two instances) writing concurrently: every write lands, once, with its audit row."""
    one, two = await Store.open(database_url), await Store.open(database_url)
    try:
        async def edit(store: Store, who: str) -> None:
            for i in range(25):
                await store.add_entry(f"{who}-{i}.kz/", reason="r", actor=who)
                await store.add_entry(f"shared-{i}.kz/", reason="r", actor=who)

        await asyncio.gather(edit(one, "a"), edit(two, "b"))
        _, live = await one.live_entries()
        assert len(live) == 75
        changes = await one.changes_since(0)
        assert len(changes) == 75 and [c.id for c in changes] == sorted(c.id for c in changes)
        assert len(await one.audit_log(limit=1000)) == 75
    finally:
        await one.close()
        await two.close()


async def test_migrations_run_once(database_url: str) -> None:
    first = await Store.open(database_url)
    await first.add_entry("keep.kz/", reason="r", actor="a")
    await first.close()
    second = await Store.open(database_url)  # migrating again changes nothing
    _, live = await second.live_entries()
    assert [e.expression for e in live] == ["keep.kz/"]
    await second.close()


async def test_entries_expire_by_the_injected_clock(database_url: str) -> None:
    now = [dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)]
    store = await Store.open(database_url, clock=lambda: now[0])
    try:
        entry, _ = await store.add_entry("brief.kz/", reason="r", actor="a",
                                         expires_at=now[0] + dt.timedelta(hours=1))
        assert entry.live and entry.to_json()["live"] is True
        now[0] += dt.timedelta(hours=2)  # no sleeping: the store's clock moves
        assert (await store.get_entry(entry.id)).to_json()["live"] is False
        assert [e.expression for e in (await store.live_entries())[1]] == []
    finally:
        await store.close()


async def test_report_clients_are_keyed_by_the_months_secret_which_is_dropped_later(database_url: str) -> None:
    import hashlib

    import sqlalchemy as sa

    from service.store import reports, store_secrets

    now = [dt.datetime(2026, 1, 10, tzinfo=dt.UTC)]
    store = await Store.open(database_url, clock=lambda: now[0])

    async def file(address: str) -> str:
        report = await store.create_report(url="https://fake.kz/", expression="fake.kz/", kind="scam",
                                           comment=None, client=address)
        async with store.engine.connect() as conn:
            return str((await conn.execute(sa.select(reports.c.client).where(reports.c.id == report.id))).scalar())

    async def key_months() -> list[str]:
        async with store.engine.connect() as conn:
            return sorted((await conn.execute(sa.select(store_secrets.c.name))).scalars())

    try:
        january = [await file("203.0.113.7"), await file("203.0.113.7"), await file("198.51.100.1")]
        assert january[0] == january[1] != january[2]  # one reporter's reports group within the month
        assert january[0] != hashlib.sha256(b"203.0.113.7").hexdigest()[:32]  # not guessable from the address
        now[0] = dt.datetime(2026, 2, 3, tzinfo=dt.UTC)
        assert await file("203.0.113.7") != january[0]  # a new month, a new key
        assert await key_months() == ["report-client-2026-01", "report-client-2026-02"]
        now[0] = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        await file("203.0.113.7")
        assert await key_months() == ["report-client-2026-02", "report-client-2026-03"]  # January's key is gone
    finally:
        await store.close()


async def test_an_in_memory_sqlite_store_needs_no_directory() -> None:
    store = await Store.open("sqlite+aiosqlite:///:memory:")
    try:
        await store.add_entry("kept.kz/", reason="r", actor="a")
        _, live = await store.live_entries()
        assert [e.expression for e in live] == ["kept.kz/"]
    finally:
        await store.close()
