"""A moderator's change, checked once: entry, list, category, time and text parsing, and the import flow.

The admin API (`service.api.admin`), the `/admin` page (`service.api.adminpage`), the reports queue
(`service.api.reports`) and the CLI (`service.cli_store`) all turn their input into the same values here,
so a value one front end refuses, the others refuse with the same message. For example:

    parse_entry(" https://Pay.Kaspi-KZ.top/card?x=1 ")        -> "pay.kaspi-kz.top/card?x=1"
    parse_entry("card:4400 4302 1234 5679")                   -> "card:4400430212345679" (service.indicators)
    parse_list_name("")            -> None (the caller's default)
    parse_category("Phishing")     -> InvalidField("category must be a lowercase word ...", field="category")
    parse_time("2026-06-01", "since")                           -> 2026-06-01 00:00:00+00:00
    parse_addition(entry="kaspi-kz.top", reason="kit", category="allowlist", now=now)
        -> Addition(expression="kaspi-kz.top/", list_name="abaila-moderators-allowlist", ...)

Everything above is pure (no I/O, no clock: `now` is passed in). `plan_import` is pure too: list text →
the expressions, the list and the category an import puts them on. `import_text` is the one flow that
touches the store, which the caller passes in. Errors are `InvalidField` naming the field and the value;
the API renders them as a 400, the CLI prints them and exits 2.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from service.errors import Forbidden, InvalidField, InvalidIndicator, InvalidURL
from service.indicators import canonical, is_indicator, split_lines
from service.lists import Category, ListProblem, parse_list
from service.store import DEFAULT_ALLOWLIST, DEFAULT_INDICATOR_LIST, DEFAULT_LIST
from service.urls import entry_to_expression

if TYPE_CHECKING:
    from service.store import Store

__all__ = [
    "CATEGORY_PATTERN", "EVIDENCE_PATTERN", "LIST_NAME_PATTERN", "MAX_COMMENT", "MAX_ENTRY", "MAX_IMPORT_BYTES",
    "MAX_TEXT", "NOT_BLANK_PATTERN", "RATE_PATTERN", "Addition", "ImportPlan", "default_list", "import_text",
    "is_list_name", "parse_addition", "parse_category", "parse_comment", "parse_entry", "parse_evidence",
    "parse_expiry", "parse_force", "parse_list_name", "parse_rate", "parse_text", "parse_time", "plan_import",
    "search_text",
]

MAX_ENTRY = 2048  # characters of a domain, URL or expression
MAX_TEXT = 2000  # characters of a reason or note
MAX_COMMENT = 1000  # characters of a shopper's report comment
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # bytes of list text per import request
# The patterns are the API schema's too (service.api.admintypes), where JSON Schema reads them as ECMA-262
# regexes: so no \s \d \w, whose sets differ from Python's (Python's \s takes \x1c-\x1f and \x85,
# ECMA's \ufeff; Python's \d any script's digits), and the parsers match them whole (fullmatch), as ECMA's
# ^...$ does (Python's $ also matches before a final newline).
_BLANK = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # either \s
NOT_BLANK_PATTERN = f"[^{_BLANK}]"  # some character that is no space in Python nor in ECMA-262
LIST_NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,99}$"
CATEGORY_PATTERN = r"^[a-z][a-z_]{1,31}$"
RATE_PATTERN = r"^(none|[0-9]{1,9}/(second|minute|hour|day))$"
EVIDENCE_PATTERN = f"^https?://[^{_BLANK}]+$"
_LIST_NAME = re.compile(LIST_NAME_PATTERN)
_CATEGORY = re.compile(CATEGORY_PATTERN)
_RATE = re.compile(RATE_PATTERN)
_EVIDENCE = re.compile(EVIDENCE_PATTERN)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BAD_HOST_CHARACTERS = " <>\"{}|\\^`'%"
_DEFAULT_CATEGORY = Category.PHISHING  # of a new list whose text names none


# ---------------------------------------------------------------------------------------------------------
# Fields


def parse_entry(value: object, field: str = "entry") -> str:
    """Returns the canonical expression of a domain, URL or expression, or the canonical form of an indicator
    (`card:…`, `phone:…`, `iban:…`); raises InvalidField (InvalidIndicator for an indicator) naming the value."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(f"{field} must be a domain, URL, expression or card:/phone:/iban: indicator", field=field)
    if len(value) > MAX_ENTRY:
        raise InvalidField(f"{field} is longer than {MAX_ENTRY} characters", field=field)
    if is_indicator(value):
        try:
            return canonical(value)
        except InvalidIndicator as exc:
            raise InvalidIndicator(f"{field}: {exc.message}", field=field) from None
    try:
        expression = entry_to_expression(value.strip())
    except InvalidURL as exc:
        raise InvalidField(f"{field} {value!r} is not a domain, URL or expression: {exc.message}",
                           field=field) from None
    host = expression.partition("/")[0]
    if not host or any(c in host for c in _BAD_HOST_CHARACTERS):
        raise InvalidField(f"{field} {value!r} has no valid host", field=field)
    return expression


def default_list(expression: str, category: str | None = None) -> str:
    """Returns the list an entry goes on when none is named: the allowlist, the indicators' or the moderators'."""
    if category == Category.ALLOWLIST:
        return DEFAULT_ALLOWLIST
    return DEFAULT_INDICATOR_LIST if is_indicator(expression) else DEFAULT_LIST


def search_text(q: str) -> str:
    """Returns what to search entries for: a full indicator in any written form as its canonical form (so
    `card:4400 4302 1234 5679` finds it), anything else lowercased; `card:` alone lists every card."""
    q = q.strip()
    if is_indicator(q) and any(c.isdigit() for c in q.partition(":")[2]):
        try:
            return canonical(q)
        except InvalidIndicator:
            pass
    return q.lower()


def parse_text(value: object, field: str, *, required: bool = True) -> str:
    """Returns a reason or note: 1-2000 characters once stripped ("" when absent and not required)."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(f"{field} is required: say why", field=field)
    if len(value) > MAX_TEXT:
        raise InvalidField(f"{field} is longer than {MAX_TEXT} characters", field=field)
    return value.strip()


def parse_comment(value: str | None, field: str = "comment") -> str | None:
    """Returns a shopper's comment without control characters, or None when nothing is left."""
    if value is None:
        return None
    if len(value) > MAX_COMMENT:
        raise InvalidField(f"{field} is longer than {MAX_COMMENT} characters", field=field)
    return _CONTROL.sub("", value).strip() or None


def parse_force(value: object, role: str, field: str = "force") -> bool:
    """Returns whether a change forces an entry the platform guard refuses (a public suffix, a platform's
    own domain); only an admin may (the store audits it)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidField(f"{field} must be true or false, not {value!r}", field=field)
    if value and role != "admin":
        raise Forbidden("only an admin can force a public suffix or a platform's own domain onto a list")
    return value


def is_list_name(value: str) -> bool:
    """Reports whether value may name a list: 1-100 of a-z 0-9 . _ -, starting with a letter or digit."""
    return bool(_LIST_NAME.fullmatch(value))


def parse_list_name(value: object, *, default: str | None = None, field: str = "list") -> str | None:
    """Returns a list name, or default when value is absent or empty."""
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not is_list_name(value):
        raise InvalidField(f"{field} must be 1-100 of a-z 0-9 . _ - (starting with a letter or digit), "
                           f"not {value!r}", field=field)
    return value


def parse_category(value: object, field: str = "category") -> str | None:
    """Returns a category (a lowercase word), or None when value is absent or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _CATEGORY.fullmatch(value):
        raise InvalidField(f"{field} must be a lowercase word such as phishing, scam, malware or allowlist, "
                           f"not {value!r}", field=field)
    return value


def parse_time(value: object, field: str) -> dt.datetime | None:
    """Returns an aware datetime from ISO 8601 (a date or a time; no zone means UTC) or a datetime already
    decoded (service.api.admintypes), or None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not isinstance(value, str):
        raise InvalidField(f"{field} must be an ISO 8601 time such as 2025-06-01T00:00:00Z", field=field)
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidField(f"{field} must be an ISO 8601 time such as 2025-06-01T00:00:00Z, not {value!r}",
                           field=field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def parse_expiry(value: object, field: str, *, now: dt.datetime) -> dt.datetime | None:
    """Returns an expiry time, which must lie after now; None when absent."""
    expires_at = parse_time(value, field)
    if expires_at is not None and expires_at <= now:
        raise InvalidField(f"{field} is in the past", field=field)
    return expires_at


def parse_evidence(value: object, field: str = "evidence_url") -> str | None:
    """Returns an http(s) evidence URL of at most 2048 characters, or None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _EVIDENCE.fullmatch(value) or len(value) > MAX_ENTRY:
        raise InvalidField(f"{field} must be an http(s) URL of at most {MAX_ENTRY} characters", field=field)
    return value


def parse_rate(value: object, field: str = "rate") -> str | None:
    """Returns an API key's rate (`50/second`, `1000/minute`, `none`), or None for the role's default."""
    if value is None:
        return None
    if not isinstance(value, str) or not _RATE.fullmatch(value):
        raise InvalidField(f"{field} must look like 50/second, 1000/minute or none, not {value!r}", field=field)
    return value


# ---------------------------------------------------------------------------------------------------------
# One entry


@dataclass(frozen=True, slots=True)
class Addition:
    """One entry to add, checked: what `Store.add_entry` takes."""

    expression: str
    reason: str
    list_name: str
    category: str | None  # None: the list's own (a new list gets phishing)
    evidence_url: str | None = None
    expires_at: dt.datetime | None = None


def parse_addition(*, entry: object, reason: object, now: dt.datetime, list_name: object = None,
                   category: object = None, evidence_url: object = None, expires_at: object = None,
                   default_list: str = DEFAULT_LIST, fields: dict[str, str] | None = None) -> Addition:
    """Returns the checked Addition; raises InvalidField for the first bad field.

    An allowlist category without a list goes to the moderators' allowlist, an indicator to the indicators'.
    fields renames fields in messages (the CLI says `--expires-at`, not `expires_at`).
    """
    names = {"entry": "entry", "reason": "reason", "list": "list", "category": "category",
             "evidence_url": "evidence_url", "expires_at": "expires_at", **(fields or {})}
    expression = parse_entry(entry, names["entry"])
    text = parse_text(reason, names["reason"])
    parsed_category = parse_category(category, names["category"])
    if parsed_category == Category.ALLOWLIST and not list_name:
        default_list = DEFAULT_ALLOWLIST
    elif is_indicator(expression) and default_list == DEFAULT_LIST:  # cards, phones, IBANs: their own list
        default_list = DEFAULT_INDICATOR_LIST
    parsed_list = parse_list_name(list_name, default=default_list, field=names["list"]) or default_list
    return Addition(expression, text, parsed_list, parsed_category,
                    evidence_url=parse_evidence(evidence_url, names["evidence_url"]),
                    expires_at=parse_expiry(expires_at, names["expires_at"], now=now))


# ---------------------------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import puts where: the parsed list's expressions, the target list and its category."""

    expressions: tuple[str, ...]
    list_name: str
    category: str | None  # None: the existing list's own
    format: str
    problems: tuple[ListProblem, ...]
    skipped: dict[str, int]
    indicators: tuple[str, ...] = ()  # canonical cards, phones, IBANs of a plain text (their own list)
    indicator_list: str = DEFAULT_INDICATOR_LIST  # the named list, else the moderators' indicator list

    def bad_lines(self) -> list[dict[str, Any]]:
        """Returns the lines the parser refused, as the API and the CLI's --json show them."""
        return [{"line": p.line, "text": p.text, "message": p.message} for p in self.problems]


def plan_import(text: str, *, known_lists: Collection[str], fmt: str | None = None, list_name: str | None = None,
                category: str | None = None, path: str = "import") -> ImportPlan:
    """Returns the ImportPlan for list text.

    The list is list_name, else the text's `# name:` header, else the moderators' list (a header name that
    is no valid list name counts as none). The category is category, else — for a list not in known_lists —
    the text's `# category:` header, else phishing; an existing list keeps its own. An unknown fmt raises
    InvalidField(field="format"); bad lines never raise, they are the plan's problems.
    """
    from service.errors import ListFormatError

    # A plain text may mix URLs and indicators: indicator lines are blanked for the URL reader (same line
    # numbers) and their bad ones join its problems.
    rest, indicators, bad = split_lines(text) if fmt in (None, "", "plain") else (text, [], [])
    try:
        parsed = parse_list(rest, path=path, format=fmt or None, name=DEFAULT_LIST)
    except ListFormatError as exc:  # only an unknown format name: bad content never raises
        raise InvalidField(exc.message, field="format") from None
    problems = sorted([*parsed.problems, *(ListProblem(path, n, t, m) for n, t, m in bad)], key=lambda p: p.line)
    skipped = {**parsed.skipped, "invalid": parsed.skipped.get("invalid", 0) + len(bad)}
    target = list_name or parsed.meta.name
    if not is_list_name(target):
        target = DEFAULT_LIST
    if category is None and target not in known_lists:
        category = parsed.meta.category if parsed.meta.category != Category.UNKNOWN else _DEFAULT_CATEGORY
    return ImportPlan(tuple(parsed.expressions), target, category, parsed.meta.format, tuple(problems), skipped,
                      tuple(indicators), list_name or DEFAULT_INDICATOR_LIST)


async def import_text(store: Store, text: str, *, reason: str, actor: str, dry_run: bool = False,
                      fmt: str | None = None, list_name: str | None = None, category: str | None = None,
                      path: str = "import", force: bool = False) -> tuple[ImportPlan, dict[str, Any]]:
    """Imports list text into the store in one audited transaction; returns the plan and the summary
    ({"list", "category", "added", "unchanged", "dry_run", "format", "entries", "bad_lines", "skipped"}, and
    "indicators": those counts for the cards, phones and IBANs, which go on their own list)."""
    known = dict(await store.list_names())
    # Parsing a 20 MB list is CPU work: off the event loop (issue 10: 19 MB stalled /healthz 25 s).
    plan = await asyncio.to_thread(plan_import, text, known_lists=known, fmt=fmt, list_name=list_name,
                                   category=category, path=path)
    summary = await store.import_entries(plan.expressions, list_name=plan.list_name, category=plan.category,
                                         reason=reason, actor=actor, dry_run=dry_run, force=force)
    if plan.indicators:  # {"list", "category", "added", "unchanged", "dry_run"} of the cards, phones, IBANs
        summary["indicators"] = await store.import_entries(plan.indicators, list_name=plan.indicator_list,
                                                           category=category, reason=reason, actor=actor,
                                                           dry_run=dry_run)
    summary.update(format=plan.format, entries=len(plan.expressions), bad_lines=plan.bad_lines(),
                   skipped=plan.skipped)
    return plan, summary
