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
import re
import sys
from pathlib import Path

from service.errors import AbailaError, ConfigError, InvalidURL
from service.settings import Settings
from service.store import DEFAULT_ALLOWLIST, DEFAULT_LIST, Store

__all__ = ["run_keys", "run_lists"]

_RATE = re.compile(r"^(none|\d{1,9}/(second|minute|hour|day))$")


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return str(args.actor)
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


async def _open(settings: Settings) -> Store:
    try:
        return await Store.open(settings.database_url)
    except AbailaError:
        raise
    except Exception as exc:
        raise ConfigError(f"cannot open the store at ABAILA_DATABASE_URL={settings.database_url!r}: "
                          f"{type(exc).__name__}: {exc}") from exc


async def run_keys(args: argparse.Namespace, settings: Settings) -> int:
    """Runs `abaila keys create|list|revoke`; returns the exit status."""
    store = await _open(settings)
    try:
        if args.keys_command == "create":
            if args.rate is not None and not _RATE.match(args.rate):
                raise ConfigError(f"--rate must look like 50/second, 1000/minute or none, not {args.rate!r}")
            key, token = await store.create_key(name=args.name, role=args.role, rate=args.rate, actor=_actor(args))
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
    """Runs `abaila lists add|remove|import`; returns the exit status."""
    from service.api.admin import parse_category, parse_entry, parse_list_name, parse_text, parse_time

    try:
        store = await _open(settings)
    except InvalidURL as exc:  # pragma: no cover - a URL error cannot come from opening
        raise ConfigError(exc.message) from exc
    try:
        reason = parse_text(args.reason, "--reason")
        if args.lists_command == "add":
            category = parse_category(args.category)
            default = DEFAULT_ALLOWLIST if category == "allowlist" else DEFAULT_LIST
            entry, created = await store.add_entry(
                parse_entry(args.entry), reason=reason, actor=_actor(args),
                list_name=parse_list_name(args.list_name, default=default) or default, category=category,
                evidence_url=args.evidence_url, expires_at=parse_time(args.expires_at, "--expires-at"))
            print(f"{'added' if created else 'already there:'} {entry.expression} on {entry.list} ({entry.category})")
            return 0
        if args.lists_command == "remove":
            from service.snapshots import load_index

            expression = parse_entry(args.entry)
            loaded = await asyncio.to_thread(load_index, settings.lists_dir, settings.var_dir)
            hint = list(dict.fromkeys((h.list.name, h.list.category) for h in loaded.index.match([expression])))
            removed = await store.remove_entry(expression, reason=reason, actor=_actor(args),
                                               list_name=parse_list_name(args.list_name), lists_hint=hint)
            for entry in removed:
                print(f"removed {entry.expression} from {entry.list}")
            return 0
        return await _import(args, store, reason)
    finally:
        await store.close()


async def _import(args: argparse.Namespace, store: Store, reason: str) -> int:
    from service.api.admin import parse_category, parse_list_name
    from service.lists import parse_list

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"cannot read {args.file}: {exc.strerror}") from None
    parsed = parse_list(text, path=str(path), format=args.format, name=DEFAULT_LIST)
    list_name = parse_list_name(args.list_name) or parsed.meta.name
    if not re.match(r"^[a-z0-9][a-z0-9._-]{0,99}$", list_name):
        list_name = DEFAULT_LIST
    category = parse_category(args.category)
    if category is None and list_name not in dict(await store.list_names()):
        category = parsed.meta.category if parsed.meta.category != "unknown" else "phishing"
    summary = await store.import_entries(parsed.expressions, list_name=list_name, category=category,
                                         reason=reason, actor=_actor(args), dry_run=args.dry_run)
    summary.update(format=parsed.meta.format, entries=len(parsed.expressions),
                   bad_lines=[{"line": p.line, "text": p.text, "message": p.message} for p in parsed.problems])
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return 0
    verb = "would add" if args.dry_run else "added"
    print(f"{summary['list']} ({summary['category']}, read as {summary['format']}): {verb} {summary['added']}, "
          f"unchanged {summary['unchanged']}, bad lines {len(parsed.problems)}")
    for problem in parsed.problems[:50]:
        print(f"  {path}:{problem.line}: {problem.message}: {problem.text!r}", file=sys.stderr)
    return 0
