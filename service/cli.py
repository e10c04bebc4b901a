"""The `abaila` command: serve the API, check URLs in the terminal, manage lists and keys.

    abaila serve [--host 127.0.0.1] [--port 8080] [--workers N]
    abaila check URL... [--json] [--lang kk|ru|en] [--offline]
    abaila lists stats|export|add|remove|import ...
    abaila keys create|list|revoke ...
    abaila feeds list [--json] | sync [NAME] [--once]

Exit codes: 0 done; 1 a check found a blocked or dangerous URL (`check --fail-on`); 2 bad input or
configuration (the message says what and where).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service import __version__
from service.errors import AbailaError, ConfigError, InvalidURL
from service.lists import Category
from service.settings import Settings

__all__ = ["main"]

_LEVEL_MARK = {"blocked": "✖", "dangerous": "✖", "suspicious": "!", "unverified": "?", "trusted": "✔",
               "no_known_risk": "·"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"abaila: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="abaila", description="Abaila: URL reputation that warns before people pay on fake "
                     "shops and bank look-alikes. Configuration comes from ABAILA_* environment variables "
                     "(see README).")
    parser.add_argument("--version", action="version", version=f"abaila {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    serve = sub.add_parser("serve", help="run the HTTP API", description="Run the HTTP API (uvicorn).")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")

    check = sub.add_parser("check", help="check URLs in the terminal",
                           description="Print verdicts for URLs, as the API would give them.")
    check.add_argument("urls", nargs="+", metavar="URL")
    check.add_argument("--json", action="store_true", help="print one JSON verdict per line")
    check.add_argument("--lang", choices=["kk", "ru", "en"], default="en", help="language of the reasons")
    check.add_argument("--offline", action="store_true", help="lists and lexical signals only: no DNS, WHOIS, RDAP")
    check.add_argument("--fail-on", choices=["blocked", "dangerous", "suspicious", "unverified", "never"],
                       default="never", help="exit 1 if any verdict is this level or worse (default: never)")

    lists = sub.add_parser("lists", help="inspect and export the lists",
                           description="Inspect and export the lists in ABAILA_LISTS_DIR.")
    lists_sub = lists.add_subparsers(dest="lists_command", metavar="ACTION", parser_class=_Parser)
    lists_sub.required = True
    stats = lists_sub.add_parser("stats", help="entries and bad lines per list file")
    stats.add_argument("--json", action="store_true")
    export = lists_sub.add_parser("export", help="write entries in a list format")
    export.add_argument("--format", choices=["plain", "hosts", "adblock", "json", "cert-json", "cert-csv"],
                        default="plain")
    export.add_argument("--list", dest="list_name", help="only this list (default: every blocklist)")
    export.add_argument("--output", "-o", help="file to write (default: stdout)")
    export.add_argument("--kind", choices=["urls", "indicators"], default="urls",
                        help="indicators: the store's cards, phones and IBANs in full (plain or json; audited)")
    export.add_argument("--actor", default=None, help="who is reading, for the audit log (default: cli:$USER)")
    _add_store_commands(sub, lists_sub)
    from service.cli_feeds import add_parser as add_feeds_parser

    add_feeds_parser(sub, _Parser)
    return parser


def _add_store_commands(sub: Any, lists_sub: Any) -> None:
    """Adds the commands that change the store (ABAILA_DATABASE_URL): lists add|remove|import, keys."""
    actor = {"default": None, "help": "who is acting, for the audit log (default: cli:$USER)"}
    add = lists_sub.add_parser("add", help="put a domain, URL or expression on a list (in the store)")
    add.add_argument("entry")
    add.add_argument("--reason", required=True)
    add.add_argument("--list", dest="list_name", default=None, help="default: abaila-moderators")
    add.add_argument("--category", help="for a new list (default phishing; allowlist makes it trusted)")
    add.add_argument("--evidence-url")
    add.add_argument("--expires-at", help="ISO 8601 time the entry stops matching")
    add.add_argument("--force", action="store_true",
                     help="list a public suffix or a platform's own domain anyway (audited)")
    add.add_argument("--actor", **actor)
    remove = lists_sub.add_parser("remove", help="take a domain, URL or expression off its lists")
    remove.add_argument("entry")
    remove.add_argument("--reason", required=True)
    remove.add_argument("--list", dest="list_name", default=None, help="only this list")
    remove.add_argument("--actor", **actor)
    imp = lists_sub.add_parser("import", help="import a list file (any supported format) into the store")
    imp.add_argument("file")
    imp.add_argument("--reason", required=True)
    imp.add_argument("--list", dest="list_name", default=None, help="default: the file's name: header")
    imp.add_argument("--category")
    imp.add_argument("--format", help="default: detected from the content")
    imp.add_argument("--dry-run", action="store_true", help="report what would change; change nothing")
    imp.add_argument("--force", action="store_true", help="also import public suffixes and platforms' own domains")
    imp.add_argument("--json", action="store_true")
    imp.add_argument("--actor", **actor)

    sub.add_parser("bot", help="run the Telegram bot (a client of the API)",
                   description="Run the Telegram bot: ABAILA_TELEGRAM_TOKEN, ABAILA_TELEGRAM_API_URL, "
                               "ABAILA_SERVICE_URL (see docs/bot.md).")
    keys = sub.add_parser("keys", help="API keys and moderator tokens",
                          description="Create, list and revoke API keys and moderator tokens (in the store).")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", parser_class=_Parser)
    keys_sub.required = True
    create = keys_sub.add_parser("create", help="create a key; prints its secret token once")
    create.add_argument("--role", required=True, choices=["moderator", "bank", "admin"])
    create.add_argument("--name", required=True)
    create.add_argument("--rate", help="rate limit for this key: 50/second, 1000/minute or none")
    create.add_argument("--json", action="store_true", help='print {"id", "name", "role", "token"}')
    create.add_argument("--actor", **actor)
    keys_list = keys_sub.add_parser("list", help="list keys (never their secrets)")
    keys_list.add_argument("--json", action="store_true")
    revoke = keys_sub.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id", type=int)
    revoke.add_argument("--reason", default="")
    revoke.add_argument("--actor", **actor)


# ---------------------------------------------------------------------------------------------------------


async def _check_store(settings: Settings) -> None:
    from service.cli_store import open_store

    store = await open_store(settings)  # raises ConfigError naming ABAILA_DATABASE_URL and the reason
    await store.close()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if not 0 < args.port < 65536:
        raise ConfigError(f"--port must be 1-65535, not {args.port}")
    if args.workers < 1:
        raise ConfigError(f"--workers must be at least 1, not {args.workers}")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(_check_store(settings))  # a corrupt or unreachable store: one clear line and exit 2, not a traceback
    uvicorn.run("service.app:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_config=None, access_log=False, timeout_graceful_shutdown=10,
                # X-Forwarded-* are believed only from ABAILA_TRUSTED_PROXIES (service.middleware.proxy);
                # uvicorn's own default trusts them from loopback, which let local clients rotate addresses.
                proxy_headers=False)
    return 0


def _format_text(verdict: dict[str, Any]) -> str:
    mark = _LEVEL_MARK.get(verdict["verdict"], "?")
    lines = [f"{mark} {verdict['verdict']:<13} {verdict['score']:>3}  {verdict['url']}"]
    if verdict["canonical_url"] != verdict["url"]:
        lines.append(f"    canonical: {verdict['canonical_url']}")
    for reason in verdict["reasons"]:
        lines.append(f"    - [{reason['severity']}] {reason['message']} ({reason['code']})")
    if verdict["pending"]:
        lines.append(f"    pending: {', '.join(verdict['pending'])}")
    return "\n".join(lines)


async def _check_all(args: argparse.Namespace, settings: Settings) -> int:
    from service.engine import open_engine
    from service.urls import validate_for_api

    engine = await open_engine(settings, offline=args.offline, follow=False)
    checker = engine.checker
    order = ["blocked", "dangerous", "suspicious", "unverified"]
    fail_at = order.index(args.fail_on) if args.fail_on in order else -1
    status = 0
    try:
        for url in args.urls:
            try:
                parsed = validate_for_api(url)
            except InvalidURL as exc:
                print(f"abaila: {url!r}: {exc.message}", file=sys.stderr)
                status = 2
                continue
            verdict = (await checker.check(parsed, url=url, lang=args.lang, offline=args.offline)).to_json()
            print(json.dumps(verdict, ensure_ascii=False) if args.json else _format_text(verdict), flush=True)
            if status == 0 and verdict["verdict"] in order and order.index(verdict["verdict"]) <= fail_at:
                status = 1
    finally:
        await engine.close()
    return status


async def _lists(args: argparse.Namespace, settings: Settings) -> int:
    """`lists stats` and `lists export`: the bundled files plus the moderators' entries in the store."""
    from service.engine import open_engine

    engine = await open_engine(settings, offline=True, follow=False)
    try:
        loaded, index = engine.loaded, engine.checker.index
        categories = {info.name: info.category for info in index.lists}
        sizes = {name: size for name, size in index.list_sizes().items() if size}
        if args.lists_command == "stats":
            return _print_stats(args, loaded, sizes, categories)
        from service.indicators import is_indicator
        from service.lists import export_list

        if args.list_name and args.list_name not in sizes:
            raise ConfigError(f"no list named {args.list_name!r}; lists: {', '.join(sorted(sizes))}")

        def wanted(name: str, category: str) -> bool:
            return name == args.list_name if args.list_name else category != Category.ALLOWLIST

        # Indicators are in the index (a phone is its messenger links' identity) but export with --kind indicators.
        expressions = [text for text, info in index.iter_entries()
                       if wanted(info.name, info.category) and not is_indicator(text)]
        output = export_list(sorted(set(expressions)), args.format)
        if args.output:
            Path(args.output).write_text(output, encoding="utf-8")
        else:
            sys.stdout.write(output)
        return 0
    finally:
        await engine.close()


def _print_stats(args: argparse.Namespace, loaded: Any, sizes: dict[str, int], categories: dict[str, str]) -> int:
    problems = [{"path": p.path, "line": p.line, "message": p.message} for p in loaded.problems]
    if args.json:
        print(json.dumps({"files": list(loaded.stats), "lists": [
            {"name": name, "category": categories[name], "entries": size} for name, size in sorted(sizes.items())],
            "entries": sum(sizes.values()), "problems": problems}, ensure_ascii=False, indent=2))
        return 0
    print(f"{'file':<40} {'format':<14} {'entries':>9} {'bad lines':>9}")
    for item in loaded.stats:
        print(f"{Path(str(item['path'])).name:<40} {item['format']:<14} {item['entries']:>9} {item['problems']:>9}")
    print(f"\n{'list (bundled files + moderators)':<40} {'category':<14} {'entries':>9}")
    for name, size in sorted(sizes.items()):
        print(f"{name:<40} {categories[name]:<14} {size:>9}")
    print(f"{'total':<55} {sum(sizes.values()):>9}")
    for problem in loaded.problems[:20]:
        print(f"  {problem.path}:{problem.line}: {problem.message}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the abaila command with argv (default: sys.argv[1:]) and returns its exit status."""
    args = _build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "serve":
            return _serve(args, settings)
        if args.command == "bot":
            from service.bot import run_bot
            from service.logs import configure_logging

            configure_logging(settings.log_level)
            return run_bot()
        if args.command == "check":
            return asyncio.run(_check_all(args, settings))
        if args.command == "lists" and (args.lists_command in ("add", "remove", "import")
                                        or getattr(args, "kind", "urls") == "indicators"):
            from service.cli_store import run_lists

            return asyncio.run(run_lists(args, settings))
        if args.command == "keys":
            from service.cli_store import run_keys

            return asyncio.run(run_keys(args, settings))
        if args.command == "lists":
            return asyncio.run(_lists(args, settings))
        if args.command == "feeds":
            from service.cli_feeds import run_feeds

            return asyncio.run(run_feeds(args, settings))
    except AbailaError as exc:
        print(f"abaila: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    raise AssertionError(f"unhandled command {args.command}")  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
