"""The CLI commands that change the store: `abaila lists add|remove|import` and `abaila keys ...`.

    abaila keys create --role moderator --name aigerim [--rate 50/second] [--json]
    abaila lists add kaspi-kz.top --reason "phishing kit, report 12"
    abaila lists import feed.txt --reason "OpenPhish 2025-06-01" --dry-run

They write to ABAILA_DATABASE_URL (migrating it first) in the same audited transactions as the admin
API; running servers pick the change up within a second (service.live). Errors print `abaila: ...` and
exit 2 (service.cli).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path

from service.errors import ConfigError
from service.moderation import (
    import_text,
    parse_addition,
    parse_category,
    parse_entry,
    parse_list_name,
    parse_rate,
    parse_text,
)
from service.settings import Settings
from service.store import Store

__all__ = ["run_keys", "run_lists"]

# The CLI's names for the fields service.moderation checks, so an error names the flag to fix.
_CLI_FIELDS = {"entry": "entry", "reason": "--reason", "list": "--list", "category": "--category",
               "evidence_url": "--evidence-url", "expires_at": "--expires-at"}


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return str(args.actor)
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


async def open_store(settings: Settings) -> Store:
    """Returns the opened store; raises ConfigError (one line: the variable and the reason) if it cannot open."""
    try:
        return await Store.open(settings.database_url, clock=settings.clock)
    except Exception as exc:
        reason = (str(exc).splitlines() or [""])[0]  # SQLAlchemy adds a "Background on this error" line
        raise ConfigError(f"cannot open the store at ABAILA_DATABASE_URL={settings.database_url!r}: "
                          f"{type(exc).__name__}: {reason}") from exc


async def run_keys(args: argparse.Namespace, settings: Settings) -> int:
    """Runs `abaila keys create|list|revoke`; returns the exit status."""
    store = await open_store(settings)
    try:
        if args.keys_command == "create":
            rate = parse_rate(args.rate, "--rate")
            key, token = await store.create_key(name=args.name, role=args.role, rate=rate, actor=_actor(args))
            if args.json:
                print(json.dumps({"id": key.id, "name": key.name, "role": key.role, "rate": key.rate, "token": token}))
            else:
                print(f"created key {key.id} ({key.role}) for {key.name}")
                print(f"token: {token}")
                print("This is the only time the token is shown; store it now.", file=sys.stderr)
            return 0
        if args.keys_command == "list":
            keys = await store.list_keys()
            if args.json:
                print(json.dumps([k.to_json() for k in keys], ensure_ascii=False, indent=1))
                return 0
            print(f"{'id':>4}  {'role':<10} {'rate':<12} {'created':<21} {'revoked':<21} name")
            for k in keys:
                created = k.to_json()["created_at"]
                print(f"{k.id:>4}  {k.role:<10} {k.rate or '-':<12} {created:<21} "
                      f"{k.to_json()['revoked_at'] or '-':<21} {k.name}")
            return 0
        key = await store.revoke_key(args.key_id, actor=_actor(args), reason=args.reason)
        print(f"revoked key {key.id} ({key.role}, {key.name})")
        return 0
    finally:
        await store.close()


async def run_lists(args: argparse.Namespace, settings: Settings) -> int:
    """Runs `abaila lists add|remove|import` (and `export --kind indicators`); returns the exit status."""
    store = await open_store(settings)
    try:
        if args.lists_command == "export":
            return await _export_indicators(args, store)
        reason = parse_text(args.reason, "--reason")
        if args.lists_command == "add":
            addition = parse_addition(entry=args.entry, reason=reason, list_name=args.list_name, category=args.category,
                                      evidence_url=args.evidence_url, expires_at=args.expires_at,
                                      now=settings.clock(), fields=_CLI_FIELDS)
            entry, created = await store.add_entry(
                addition.expression, reason=addition.reason, actor=_actor(args), list_name=addition.list_name,
                category=addition.category, evidence_url=addition.evidence_url, expires_at=addition.expires_at,
                force=args.force)
            print(f"{'added' if created else 'already there:'} {entry.expression} on {entry.list} ({entry.category})")
            return 0
        if args.lists_command == "remove":
            from service.snapshots import load_index

            expression = parse_entry(args.entry)
            loaded = await asyncio.to_thread(load_index, settings.lists_dir, settings.var_dir)
            hint = list(dict.fromkeys((h.list.name, h.list.category) for h in loaded.index.match([expression])))
            removed = await store.remove_entry(expression, reason=reason, actor=_actor(args),
                                               list_name=parse_list_name(args.list_name, field="--list"),
                                               lists_hint=hint)
            for entry in removed:
                print(f"removed {entry.expression} from {entry.list}")
            return 0
        return await _import(args, store, reason)
    finally:
        await store.close()


async def _export_indicators(args: argparse.Namespace, store: Store) -> int:
    """`lists export --kind indicators`: every indicator in force, in full; each is audited as read."""
    if args.format not in ("plain", "json"):
        raise ConfigError(f"indicators export as plain or json, not {args.format!r}")
    found = await store.live_indicators(list_name=args.list_name)
    await store.audit_reads(_actor(args), [e.expression for e in found], where="abaila lists export")
    if args.format == "json":
        output = json.dumps({"indicators": [e.to_json() for e in found]}, ensure_ascii=False, indent=1) + "\n"
    else:
        output = "".join(f"{line}\n" for line in sorted({e.expression for e in found}))
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return 0


async def _import(args: argparse.Namespace, store: Store, reason: str) -> int:
    path = Path(args.file)
    from service.lists import read_list_bytes

    try:
        # .bz2 / .gz are decompressed as a stream with a size cap, as in the lists directory.
        text = read_list_bytes(path).decode("utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except (ValueError, EOFError) as exc:
        raise ConfigError(f"cannot read {args.file}: {exc}") from None
    plan, summary = await import_text(
        store, text, reason=reason, actor=_actor(args), dry_run=args.dry_run, fmt=args.format,
        list_name=parse_list_name(args.list_name, field="--list"), category=parse_category(args.category, "--category"),
        path=str(path), force=args.force)
    if args.json:
        summary.pop("skipped", None)
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return 0
    verb = "would add" if args.dry_run else "added"
    print(f"{summary['list']} ({summary['category']}, read as {summary['format']}): {verb} {summary['added']}, "
          f"unchanged {summary['unchanged']}, bad lines {len(plan.problems)}, refused {len(summary['refused'])}")
    for refused in summary["refused"][:50]:
        print(f"  refused {refused['entry']}: {refused['problem']}", file=sys.stderr)
    if "indicators" in summary:
        more = summary["indicators"]
        print(f"{more['list']} (indicators): {verb} {more['added']}, unchanged {more['unchanged']}")
    for problem in plan.problems[:50]:
        print(f"  {path}:{problem.line}: {problem.message}: {problem.text!r}", file=sys.stderr)
    return 0
