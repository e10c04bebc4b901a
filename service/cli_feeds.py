"""`abaila feeds list [--json]` and `abaila feeds sync [NAME] [--once]` (feeds from ABAILA_FEEDS).

    abaila feeds list            name, entries, last success, last error, next run of each feed
    abaila feeds sync --once     fetch every enabled feed now (or only NAME), then exit: 0 all good, 1 a failure
    abaila feeds sync            keep fetching each feed when it is due, in the foreground (a sync worker)

Both read and write the store (ABAILA_DATABASE_URL), so they see what the servers see: a feed fetched by
`feeds sync` is applied by every running server within seconds (service.feedsync).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from service.cli_store import open_store
from service.errors import ConfigError
from service.feedsync import FeedSyncer
from service.settings import Settings

__all__ = ["add_parser", "run_feeds"]


def add_parser(sub: Any, parser_class: type) -> None:
    feeds = sub.add_parser("feeds", help="public feeds (ABAILA_FEEDS): state and sync",
                           description="Show and sync the public feeds configured in ABAILA_FEEDS.")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", parser_class=parser_class)
    feeds_sub.required = True
    listing = feeds_sub.add_parser("list", help="entries, last success, last error and next run of each feed")
    listing.add_argument("--json", action="store_true")
    sync = feeds_sub.add_parser("sync", help="fetch feeds (when due; now with --once)")
    sync.add_argument("name", nargs="?", help="only this feed")
    sync.add_argument("--once", action="store_true", help="fetch now (due or not), then exit")


def _print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'feed':<24} {'category':<10} {'entries':>9}  {'last success':<21} {'next run':<21} last error")
    for row in rows:
        state = "" if row["enabled"] else " (disabled)"
        error = f"{row['last_error']} ({row['failures']} in a row)" if row["last_error"] else "-"
        print(f"{row['name'] + state:<24} {row['category']:<10} {row['entries']:>9}  "
              f"{row['last_success'] or 'never':<21} {row['next_run'] or '-':<21} {error}")


async def run_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """Runs `abaila feeds list|sync`; returns the exit status."""
    if not settings.feeds:
        raise ConfigError("no feeds configured: set ABAILA_FEEDS to a TOML file of [[feed]] tables (docs/feeds.md)")
    store = await open_store(settings)
    syncer = FeedSyncer(settings.feeds, store, settings.var_dir)
    try:
        if args.feeds_command == "list":
            await syncer.look()
            rows = syncer.status()
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                _print_table(rows)
            return 0
        if args.name is not None and args.name not in syncer.feeds:
            raise ConfigError(f"no feed named {args.name!r}; feeds: {', '.join(sorted(syncer.feeds))}")
        names = [args.name] if args.name else [name for name, feed in syncer.feeds.items() if feed.enabled]
        if not args.once:
            await syncer.run_in_foreground(names)
            return 0  # pragma: no cover - runs until interrupted
        status = 0
        for name in names:
            outcome = await syncer.sync(name, force=True, apply=False)
            print(f"{name}: {outcome}")
            if outcome.startswith("failed"):
                status = 1
        return status
    finally:
        await syncer.close()
        await store.close()
