"""The admin API's contract: each `/v1/admin/...` body, query and answer as a msgspec Struct.

The routes in service.api.admin and service.api.reports decode their input into these types
(service.api.contract), and `/openapi.json` is generated from the same types, so a limit is written once:

    POST /v1/admin/entries {"entry": "kaspi-kz.top", "reason": "kit", "list": "Bad Name!"}
        -> EntryBody refuses it: 400 invalid_field, field "list" (the pattern of ListName below)

The limits are service.moderation's (the parsers the CLI and `/admin` share), so the API refuses nothing they
accept and accepts nothing they refuse. What no schema can say — that a string is a URL with a valid host, a
card number passes Luhn, an entry is not a public suffix or a platform's own domain, an expiry lies in the
future — the parsers still check after decoding; those refusals are 400s that the operation documents under
`x-refused-fields` (see `refusals`, and docs/moderation.md "The contract").

Answer types describe JSON that existing code builds (`Entry.to_json`, `AuditRecord.to_json`, ...); they
exist for the schema, and the contract test checks real answers against them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType, field

from service.errors import InvalidField
from service.lists import EXPORT_FORMATS, FORMATS
from service.moderation import (
    CATEGORY_PATTERN,
    EVIDENCE_PATTERN,
    LIST_NAME_PATTERN,
    MAX_ENTRY,
    MAX_IMPORT_BYTES,
    MAX_TEXT,
    NOT_BLANK_PATTERN,
    RATE_PATTERN,
)
from service.store import DEFAULT_ALLOWLIST, DEFAULT_LIST, MAX_KEY_NAME, Decision, Effect, ReportStatus, Role

__all__ = [
    "MAX_ID", "MAX_PER_PAGE", "AuditPage", "AuditQuery", "AuditRecordView",
    "DecisionBody", "DecisionResult", "EntryAdded", "EntryBody", "EntryFound", "EntryOne", "EntryQuery",
    "EntryRemoved", "EntryView", "ExportQuery", "ImportBody", "ImportSummary", "KeyBody", "KeyCreated", "KeyList",
    "KeyView", "ListsView", "QueueQuery", "QueueSort", "RemoveQuery", "ReportQueue", "RevealQuery", "RevokeQuery",
    "given", "query_time", "refusals",
]

MAX_ID = 2**63 - 1  # the largest row id (a signed 64-bit integer in every store); a larger one is no id
MAX_PER_PAGE = 100  # report groups per page of the queue

# ---------------------------------------------------------------------------------------------------------
# Fields, with the limits of service.moderation's parsers

Text = Annotated[str, Meta(min_length=1, max_length=MAX_TEXT, pattern=NOT_BLANK_PATTERN,
                           description=f"why: some non-space text, at most {MAX_TEXT} characters")]
Entry = Annotated[str, Meta(min_length=1, max_length=MAX_ENTRY, pattern=NOT_BLANK_PATTERN, examples=[
    "pay.kaspi-kz.top", "https://kaspi-kz.top/card?step=2", "https://www.instagram.com/kaspi_shop.kz/",
    "card:4400 4302 1234 5679", "phone:+7 747 000 11 22"], description=(
    "a domain, URL or Safe Browsing expression, or a card:/phone:/iban: indicator; any URL of an account, listing "
    "or page on a platform is stored as its identity (docs/platforms.md). One that is no valid URL or indicator, "
    "a public suffix or a platform's own domain is refused with 400 (the last two: platform_domain)"))]
ListName = Annotated[str, Meta(pattern=LIST_NAME_PATTERN,
                               description="a list: 1-100 of a-z 0-9 . _ -, starting with a letter or digit")]
CategoryName = Annotated[str, Meta(pattern=CATEGORY_PATTERN, description=(
    "a lowercase word such as phishing, scam, malware or allowlist (a new list's category; allowlist → trusted)"))]
EvidenceURL = Annotated[str, Meta(max_length=MAX_ENTRY, pattern=EVIDENCE_PATTERN, description="an http(s) URL")]
AwareTime = Annotated[dt.datetime, Meta(tz=True, description="RFC 3339 with its offset (`2026-06-01T00:00:00Z`)")]
Rate = Annotated[str, Meta(pattern=RATE_PATTERN, description="50/second, 1000/minute, 10/hour, 5/day or none")]
Limit = Annotated[int, Meta(ge=0, le=1000, description="at most this many, default 100")]
Offset = Annotated[int, Meta(ge=0, le=10**9, description="skip this many, default 0")]
Reveal = Annotated[bool, Meta(description="show cards, phones and IBANs in full (each read is audited); default "
                                          "masked (docs/privacy.md)")]
Force = Annotated[bool, Meta(description="admin only: list a public suffix or a platform's own domain or page "
                                         "anyway (refused otherwise with platform_domain; audited)")]
ExportFormat = Literal["plain", "hosts", "adblock", "json", "cert-json", "cert-csv"]
ImportFormat = Literal["plain", "hosts", "adblock", "urls", "openphish", "urlhaus_csv", "phishtank_csv",
                       "phishtank_json", "json", "cert_json", "cert_csv", "ranked_csv"]
QueueStatus = Literal["open", "accepted", "rejected", "all"]
QueueSort = Literal["count", "newest", "reporters"]
Time = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]  # what the store writes (service.store._iso)
assert get_args(ExportFormat) == EXPORT_FORMATS and get_args(ImportFormat) == FORMATS, "one list of formats"
assert set(get_args(QueueStatus)) == {*ReportStatus, "all"}


# A time in a query is text: decode_query's lax conversion would also read a number as a Unix time
# (`until=0.5` -> 1970-01-01T00:00:00.5Z), so a query keeps the string and query_time reads it strictly.
QueryTime = Annotated[str, Meta(extra_json_schema={"format": "date-time"},
                                description="RFC 3339 with its offset (`2026-06-01T00:00:00Z`)")]


def given(value: Any) -> Any:
    """Returns value, or None when a query left it out (UNSET): what the store calls "no filter"."""
    return None if value is UNSET else value


def query_time(value: str | UnsetType, field: str) -> dt.datetime | None:
    """Returns a query's RFC 3339 time (an offset required), None when left out; raises InvalidField."""
    if value is UNSET:
        return None
    try:
        return msgspec.convert(value, AwareTime)
    except msgspec.ValidationError as exc:
        raise InvalidField(f"{field}: {exc}, not {value!r}", field=field) from None


# ---------------------------------------------------------------------------------------------------------
# Entries


class EntryBody(Struct, forbid_unknown_fields=True):
    """An entry to put on a list (POST /v1/admin/entries; /v1/admin/allowlist defaults to the allowlist)."""

    entry: Entry
    reason: Text
    list_name: Annotated[ListName, Meta(description=(
        f"default {DEFAULT_LIST} ({DEFAULT_ALLOWLIST} for the allowlist, abaila-indicators for an indicator); "
        "a new name makes a new list"))] | None = field(default=None, name="list")
    category: CategoryName | None = None
    evidence_url: EvidenceURL | None = None
    expires_at: Annotated[AwareTime, Meta(description="the entry stops matching then; it must lie in the future "
                                                     "(refused with 400 otherwise)")] | None = None
    force: Force | None = None


class EntryQuery(Struct):
    """Search the moderators' entries (GET /v1/admin/entries, /v1/admin/allowlist)."""

    q: Annotated[str, Meta(max_length=MAX_ENTRY, description=(
        "a substring of the expression; a full indicator in any written form finds its canonical form"))] = ""
    list_name: ListName | UnsetType = field(default=UNSET, name="list")
    category: CategoryName | UnsetType = UNSET
    removed: Annotated[bool, Meta(description="include removed entries")] = False
    limit: Limit = 100
    offset: Offset = 0
    reveal: Reveal = False


class RevealQuery(Struct):
    reveal: Reveal = False


class RemoveQuery(Struct):
    """Why an entry comes off (DELETE /v1/admin/entries/{ref})."""

    reason: Text
    list_name: Annotated[ListName, Meta(description="only this list (default: every list the index has it on)")] \
        | UnsetType = field(default=UNSET, name="list")


class EntryView(Struct):
    """A moderators' entry (service.store.Entry.to_json); an indicator is masked unless revealed."""

    id: int
    entry: Annotated[str, Meta(description="the canonical expression or indicator")]
    list: str
    category: str
    effect: Effect
    reason: str
    evidence_url: str | None
    added_by: str
    added_at: Time
    expires_at: Time | None
    removed_at: Time | None
    removed_by: str | None
    removed_reason: str | None
    live: Annotated[bool, Meta(description="in force now: not removed, not expired")]
    indicator_hash: Annotated[str, Meta(description="an indicator's hash, so masked rows can be told apart")] \
        | UnsetType = UNSET


class EntryAdded(Struct):
    """The entry as stored; created is false when it was already there (nothing changed, 200)."""

    entry: EntryView
    created: bool


class IndexHit(Struct):
    list: str
    category: str


class EntryFound(Struct):
    """Entries, newest first; `index`: the lists the running index has q on (bundled lists included)."""

    entries: list[EntryView]
    index: list[IndexHit] | UnsetType = UNSET


class EntryOne(Struct):
    entry: EntryView


class RemovedEntry(Struct):
    entry: str
    list: str
    category: str


class EntryRemoved(Struct):
    """What came off which list (an indicator removed by id stays masked)."""

    removed: list[RemovedEntry]


# ---------------------------------------------------------------------------------------------------------
# Import, export, lists


class ImportBody(Struct, forbid_unknown_fields=True):
    """A list file to import (POST /v1/admin/import); dry_run shows what would change."""

    text: Annotated[str, Meta(description=f"the file, at most {MAX_IMPORT_BYTES} bytes of request body")]
    reason: Text
    format: Annotated[ImportFormat, Meta(description="default: detected")] | None = None
    list_name: Annotated[ListName, Meta(description=f"default: the file's `name:` header, else {DEFAULT_LIST}")] \
        | None = field(default=None, name="list")
    category: CategoryName | None = None
    dry_run: bool | None = None
    force: Annotated[bool, Meta(description="admin only: also import the refused lines")] | None = None


class BadLine(Struct):
    line: int
    text: str
    message: str


class Refused(Struct):
    entry: str
    problem: str


class ImportCounts(Struct):
    """The cards, phones and IBANs of a plain text, which go on their own list."""

    list_name: str = field(name="list")  # not `list`: the class body would shadow list[...] below
    category: str
    added: int
    unchanged: int
    dry_run: bool
    refused: list[Refused]
    forced: list[str] | UnsetType = UNSET


class ImportSummary(Struct):
    """What an import changed, or would (dry_run)."""

    list_name: str = field(name="list")
    category: str
    added: int
    unchanged: int
    dry_run: bool
    refused: Annotated[list[Refused], Meta(description="public suffixes, platforms' own domains (first 100)")]
    format: str
    entries: int
    bad_lines: list[BadLine]
    skipped: dict[str, int]
    forced: list[str] | UnsetType = UNSET
    indicators: ImportCounts | UnsetType = UNSET


class ExportQuery(Struct):
    """What to export (GET /v1/admin/export)."""

    format: ExportFormat = "plain"
    list_name: Annotated[ListName, Meta(description="default: every blocklist")] | UnsetType = field(
        default=UNSET, name="list")
    kind: Annotated[Literal["urls", "indicators"], Meta(description=(
        "indicators: the cards, phones and IBANs in force, in full (each read audited), as plain or json only "
        "(another format is refused with 400)"))] = "urls"


class ListView(Struct):
    """A list in the running index with its size."""

    name: str
    category: str
    source: str
    licence: str
    entries: int


class ListsView(Struct):
    lists: list[ListView]


# ---------------------------------------------------------------------------------------------------------
# Audit, keys


class AuditQuery(Struct):
    """Filters of the audit log (GET /v1/admin/audit); each left out means any."""

    actor: Annotated[str, Meta(max_length=MAX_TEXT, description="the token name")] | UnsetType = UNSET
    target: Annotated[str, Meta(max_length=MAX_ENTRY, description="an entry in any form, or key:<id>")] \
        | UnsetType = UNSET
    action: Annotated[str, Meta(max_length=100, description=(
        "entry.add, entry.remove, import, report.accept, report.reject, key.create, key.revoke, indicator.read"))] \
        | UnsetType = UNSET
    since: Annotated[QueryTime, Meta(description="inclusive")] | UnsetType = UNSET
    until: Annotated[QueryTime, Meta(description="exclusive")] | UnsetType = UNSET
    limit: Limit = 100
    offset: Offset = 0
    reveal: Reveal = False


class AuditRecordView(Struct):
    id: int
    at: Time
    actor: str
    action: str
    target: str
    reason: str
    detail: dict[str, Any]


class AuditPage(Struct):
    """Records, newest first."""

    audit: list[AuditRecordView]


class KeyBody(Struct, forbid_unknown_fields=True):
    """A new API key (POST /v1/admin/keys)."""

    name: Annotated[str, Meta(min_length=1, max_length=MAX_KEY_NAME, pattern=NOT_BLANK_PATTERN)]
    role: Role
    rate: Annotated[Rate, Meta(description="default: the role's")] | None = None


class RevokeQuery(Struct):
    reason: Annotated[str, Meta(max_length=MAX_TEXT, description="why (kept in the audit log)")] = ""


class KeyView(Struct):
    """An API key without its secret."""

    id: int
    name: str
    role: Role
    rate: str | None
    created_at: Time
    created_by: str
    revoked_at: Time | None


class KeyCreated(KeyView):
    token: Annotated[str, Meta(description="the secret, shown in this answer only")]


class Usage(Struct):
    requests: int
    urls: int
    limited: int


class KeyUse(KeyView):
    usage: Usage


class KeyList(Struct):
    """Keys with their usage counters (shared through Redis when configured)."""

    keys: list[KeyUse]


# ---------------------------------------------------------------------------------------------------------
# Reports (service.api.reports: the moderators' side)


class QueueQuery(Struct):
    """A page of the reports queue (GET /v1/admin/reports)."""

    status: QueueStatus = "open"
    sort: Annotated[QueueSort, Meta(description="count: most reported first; reporters: most distinct "
                                                "reporters first; newest")] = "count"
    page: Annotated[int, Meta(ge=1, le=100_000)] = 1
    per_page: Annotated[int, Meta(ge=1, le=MAX_PER_PAGE)] = 50
    reveal: Reveal = False


class GroupReport(Struct):
    id: str
    url: str | None
    kind: str
    comment: str | None
    created_at: Time


class ReportGroupView(Struct):
    """Open reports of one kind about one site or indicator (service.store.ReportGroup.to_json)."""

    id: str
    entry: str
    kind: Literal["report", "appeal"]
    status: ReportStatus
    count: int
    reporters: int
    by_reporter: list[int]
    first_at: Time
    last_at: Time
    reports: Annotated[list[GroupReport], Meta(description="the newest 20")]
    indicator_hash: str | UnsetType = UNSET


class ReportQueue(Struct):
    groups: list[ReportGroupView]
    page: int
    per_page: int
    sort: QueueSort
    total: int
    next_page: int | None


class DecisionBody(Struct, forbid_unknown_fields=True):
    """A moderator's decision on a report's group (POST /v1/admin/reports/{id}/decision)."""

    decision: Decision
    note: Text
    list_name: Annotated[ListName, Meta(description="accepting a report: the list (default by kind)")] | None = \
        field(default=None, name="list")
    category: CategoryName | None = None
    force: Force | None = None


class DecisionResult(Struct):
    group: str
    decision: Decision
    status: ReportStatus
    reports: int
    entries: list[EntryView]


# ---------------------------------------------------------------------------------------------------------
# Responses


def refusals(responses: dict[str, Any], fields: list[str], why: str) -> dict[str, Any]:
    """Returns responses with its 400 marked: a schema-valid request may still be refused for fields (why).

    `x-refused-fields` is how the contract says it: the schema promises the shape, the parser judges the
    meaning, and tests/api/test_contract.py accepts a 400 for schema-valid data only on such an operation
    and only naming one of those fields."""
    out = dict(responses)
    out["400"] = {**out["400"], "description": f"{out['400']['description']}; {why}", "x-refused-fields": fields}
    return out


