"""Blocklist and allowlist files to ParsedLists (metadata + canonical expressions), and back to files.

A list file is text in one of the formats of `service.listformats` (plain, hosts, adblock, urls,
openphish, urlhaus_csv, phishtank_csv, phishtank_json, json). Each entry becomes a Safe Browsing list
expression (see `service.urls`). Worked example, `blocklists/kz-scam.txt`::

    # name: Abaila KZ scam shops         -> meta.name
    # category: scam                     -> meta.category
    # licence: CC0-1.0                   -> meta.licence
    # format: plain                      -> forces the format (else it is detected from content)
    kaspi-kz.top                         -> "kaspi-kz.top/"
    olx-kz.deal-safe.online  # Classiscam pattern  -> "olx-kz.deal-safe.online/"
    not a domain                         -> problems: ListProblem(line=7, message="more than one entry ...")

`read_list_file(path)` gives `ParsedList(meta=ListMeta(name="Abaila KZ scam shops", category="scam", ...),
expressions=["kaspi-kz.top/", "olx-kz.deal-safe.online/"], problems=[...], skipped={"comment": 4, ...})`.
A bad line never aborts a load, and an unreadable or binary file is one problem, not an exception.
`export_list` writes expressions as plain, hosts, adblock or json.
"""

from __future__ import annotations

import bz2
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from service.errors import ListFormatError
from service.listformats import (
    FORMATS,
    MAX_LINE_LENGTH,
    MAX_PROBLEMS,
    SKIP_KINDS,
    Collector,
    ListProblem,
    detect_format,
    format_name,
    read_entries,
    read_header,
)
from service.platforms import PHONE_PREFIX, Identity, identify
from service.urls import is_ip_host

__all__ = [
    "EXPORT_FORMATS", "Category", "FORMATS", "MAX_LINE_LENGTH", "MAX_PROBLEMS", "SKIP_KINDS",
    "ListMeta", "ListProblem", "ParsedList",
    "detect_format", "export_list", "list_paths", "parse_list", "read_list_bytes", "read_list_file",
]

EXPORT_FORMATS = ("plain", "hosts", "adblock", "json", "cert-json", "cert-csv")


class Category(StrEnum):
    """The list categories the product knows. A header may name another (`scam_shop`), kept as a plain str:
    every category but ALLOWLIST blocks, so callers compare with ALLOWLIST only."""

    PHISHING = "phishing"  # a blocklist: credential and payment-page phishing
    SCAM = "scam"  # a blocklist: fake shops, fake prizes
    MALWARE = "malware"  # a blocklist: downloads and exploit pages
    ALLOWLIST = "allowlist"  # official sites: a hit means trusted, never a threat
    UNKNOWN = "unknown"  # nothing names the category: a blocklist of unknown kind
    POPULAR = "popular"  # a ranking of popular sites (service.scoring damps on it): never blocks, never a list hit


# Category implied by a format when no header names one.
_FORMAT_CATEGORY = {"openphish": "phishing", "phishtank_csv": "phishing", "phishtank_json": "phishing",
                    "urlhaus_csv": "malware"}
# Else a word in the list's name (or file name) implies one; checked in this order.
_NAME_CATEGORY = (("allowlist", "allowlist"), ("phish", "phishing"), ("scam", "scam"), ("fraud", "scam"),
                  ("malware", "malware"), ("malicious", "malware"), ("urlhaus", "malware"))


@dataclass(frozen=True, slots=True)
class ListMeta:
    """Where a list comes from and what it means. Defaults are documented in `_resolve_meta`."""

    name: str
    category: str  # phishing | scam | malware | allowlist | unknown (or what a header names)
    source: str  # homepage or feed URL; "" when unknown
    licence: str  # SPDX id or the licence text/URL as the header gives it; "" when unknown
    description: str
    format: str  # one of FORMATS: the format the file was read as


@dataclass(frozen=True, slots=True)
class ParsedList:
    """One list file read: its metadata, its canonical expressions and what was left out."""

    meta: ListMeta
    expressions: list[str]  # canonical, de-duplicated, in file order
    problems: list[ListProblem]  # at most MAX_PROBLEMS; skipped["invalid"] has the full count
    skipped: dict[str, int] = field(default_factory=dict)  # every key of SKIP_KINDS

    @property
    def is_allowlist(self) -> bool:
        """Reports whether this list is the allowlist (category "allowlist") rather than a blocklist."""
        return self.meta.category == Category.ALLOWLIST


def _resolve_meta(fields: dict[str, str], fmt: str, defaults: dict[str, str | None], stem: str) -> ListMeta:
    # Each field: the file's header, else the caller's default, else (name) the file stem, (category) the
    # format's category (PhishTank/OpenPhish phishing, URLhaus malware), else a word in the name
    # ("phish", "scam"/"fraud", "malware"/"malicious"/"urlhaus", "allowlist"), else "unknown"; others "".
    def pick(key: str) -> str:
        return fields.get(key) or defaults.get(key) or ""

    name = pick("name") or stem
    category = pick("category").lower()
    if not category:
        category = _FORMAT_CATEGORY.get(fmt, "")
    if not category:
        haystack = f"{name} {stem}".lower()
        category = next((cat for word, cat in _NAME_CATEGORY if word in haystack), "unknown")
    return ListMeta(name=name, category=category, source=pick("source"), licence=pick("licence"),
                    description=pick("description"), format=fmt)


# ---------------------------------------------------------------------------------------------------------
# Public functions


def parse_list(text: str, *, path: str = "<string>", format: str | None = None, name: str | None = None,
               category: str | None = None, source: str | None = None, licence: str | None = None,
               description: str | None = None) -> ParsedList:
    """Returns the parsed list of text: its metadata, canonical expressions, problems and skip counts.

    format forces a format (else a `format:` header, else detection); name, category, source, licence and
    description are defaults that the file's own header fields override. Never raises for bad content.
    """
    out = Collector(path)
    stem = Path(path).name.split(".")[0] if path != "<string>" else "list"
    defaults = {"name": name, "category": category, "source": source, "licence": licence, "description": description}
    if format is not None and format_name(format) is None:
        raise ListFormatError(f"unknown list format {format!r}; expected one of {', '.join(FORMATS)}", field="format")
    text = text.lstrip("\ufeff")
    if "\x00" in text[:8192]:
        out.problem(0, "", "binary file, not a text list")
        return _finish(out, {}, format_name(format or "") or "plain", defaults, stem)

    fmt = format_name(format) if format else None
    fmt = fmt or detect_format(text)
    fields, format_line = read_header(text, "!#" if fmt == "adblock" else "#")
    declared = fields.get("format")
    if declared and format_name(declared) is None and format is None:
        out.problem(format_line, f"format: {declared}", f"unknown format {declared!r} in header; read as {fmt}")

    read_entries(text, fmt, out)
    return _finish(out, {**out.fields, **fields}, fmt, defaults, stem)


def _finish(out: Collector, fields: dict[str, str], fmt: str, defaults: dict[str, str | None],
            stem: str) -> ParsedList:
    return ParsedList(_resolve_meta(fields, fmt, defaults, stem), out.expressions, out.problems, out.skipped)


MAX_LIST_BYTES = 128 << 20  # bytes of one list file once decompressed (PhishTank's full JSON dump: ~57 MB)
_PIECE = 1 << 20  # bytes read or decompressed at a time


class ListTooLarge(ValueError):
    """A list file (once decompressed) is larger than MAX_LIST_BYTES, or is binary."""


def read_list_bytes(path: str | Path, *, max_bytes: int = MAX_LIST_BYTES) -> bytes:
    """Returns the bytes of a list file, `.bz2` and `.gz` decompressed as a stream.

    Raises ListTooLarge past max_bytes (decompressed) or when the start is binary, and OSError/ValueError/
    EOFError for an unreadable or corrupt file. Issue 10: a 434-byte `.json.bz2` decompressing to 512 MB
    peaked at 1.65 GB when decompressed whole.
    """
    path = Path(path)
    chunks: list[bytes] = []
    size = 0
    with path.open("rb") as handle:
        for piece in _pieces(handle, path.suffix):
            if size < 8192 and b"\x00" in (b"".join(chunks) + piece)[:8192]:
                raise ListTooLarge("binary file, not a text list")
            size += len(piece)
            if size > max_bytes:
                raise ListTooLarge(f"larger than {max_bytes >> 20} MiB once decompressed")
            chunks.append(piece)
    return b"".join(chunks)


def _pieces(handle: BinaryIO, suffix: str) -> Iterator[bytes]:
    """Yields the file's bytes, decompressed, in pieces of at most _PIECE bytes."""
    blocks = iter(lambda: handle.read(_PIECE), b"")
    if suffix == ".bz2":
        bz = bz2.BZ2Decompressor()
        for block in blocks:
            data = block
            while not bz.eof:
                piece = bz.decompress(data, max_length=_PIECE)  # bounded: one block cannot expand unchecked
                data = b""
                if piece:
                    yield piece
                if bz.needs_input:
                    break
            if bz.eof:
                return
        raise EOFError("compressed data ended before the end-of-stream marker")
    if suffix == ".gz":
        gz = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
        for block in blocks:
            data = block
            while data:
                piece = gz.decompress(data, _PIECE)
                data = gz.unconsumed_tail
                if piece:
                    yield piece
        if not gz.eof:
            raise EOFError("compressed data ended before the end of the gzip stream")
        return
    yield from blocks


def read_list_file(path: str | Path) -> ParsedList:
    """Returns the parsed list in the file at path; `.bz2` and `.gz` files are decompressed first.

    An unreadable, undecodable, binary or oversized file (or one whose JSON nests too deeply) gives a
    ParsedList with no expressions and one problem; start-up goes on. A URL list whose file name contains
    "openphish" is read as `openphish` (same entries, category phishing).
    """
    path = Path(path)
    try:
        data = read_list_bytes(path)
    except ListTooLarge as exc:
        return _unreadable(path, str(exc))
    except (OSError, ValueError, EOFError) as exc:
        return _unreadable(path, f"cannot read file: {exc}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "surrogateescape")  # lines with bad bytes become problems ("not valid UTF-8")
    del data
    fmt = detect_format(text)
    if fmt == "urls" and "openphish" in path.name.lower():
        fmt = "openphish"
    try:
        return parse_list(text, path=str(path), format=fmt)
    except RecursionError:  # a JSON document nested deeper than the parser's stack: one problem
        return _unreadable(path, "JSON nests too deeply")


def _unreadable(path: Path, message: str) -> ParsedList:
    out = Collector(str(path))
    out.problem(0, "", message)
    return _finish(out, {}, "plain", {}, path.name.split(".")[0])


def list_paths(directory: str | Path) -> list[Path]:
    """Returns the list files of a lists directory, sorted by name: the files the server loads.

    Skips readme*, *.md, brands.* (the protected-brands file is not a list), hidden files and
    sub-directories (case-insensitively). Raises ListFormatError if directory is not a directory.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ListFormatError(f"lists directory {str(directory)!r} does not exist or is not a directory")
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and not p.name.startswith(".") and not p.name.lower().endswith(".md")
                  and not p.name.lower().startswith(("readme", "brands.")))


# ---------------------------------------------------------------------------------------------------------
# Export


def _identity(expression: str) -> Identity | None:
    if expression.startswith(PHONE_PREFIX):
        return Identity("phone", "phone", expression)
    identity = identify("http://" + expression)
    return identity if identity is not None and identity.key == expression else None


def export_list(expressions: Iterable[str], format: str, *, meta: ListMeta | None = None) -> str:
    """Returns expressions written as a list file in format (one of EXPORT_FORMATS), with a header.

    What each format holds: `plain` and `hosts` hold host-only expressions (`host/`) as names and drop path
    expressions (hosts also drops IP hosts); `adblock` holds hosts as `||host^`, path prefixes (`host/dir/`)
    as `||host/dir/`, exact paths as `||host/file^` and exact URLs with a query as `||host/p?q|`, dropping
    expressions holding `*`, `^`, `|` or `$`; `json` holds everything. The header says how many were dropped.
    Identities on platforms (`instagram.com/kaspi_shop`, service.platforms) export as adblock rules
    (`||instagram.com/kaspi_shop^` also blocks `www.`, `m.` and sub-pages) and, in json, under
    `identities` with their platform and kind; a phone key (`phone:+7…`) only in json.
    `cert-json` and `cert-csv` are CERT Polska's domains.json / domains.csv shapes: bare domains only (no
    header line: those formats have no comments), read back by the `cert_json` / `cert_csv` importers.
    """
    if format not in EXPORT_FORMATS:
        raise ListFormatError(f"unknown export format {format!r}; expected one of {', '.join(EXPORT_FORMATS)}",
                              field="format")
    items = list(dict.fromkeys(expressions))
    if format in ("cert-json", "cert-csv"):  # CERT Polska's register shapes: bare domains only
        from service import certpl

        text, _dropped = (certpl.write_json if format == "cert-json" else certpl.write_csv)(items)
        return text
    if format == "json":
        document: dict[str, object] = {}
        if meta is not None:
            document["meta"] = {"name": meta.name, "category": meta.category, "source": meta.source,
                                "licence": meta.licence, "description": meta.description}
        document["count"] = len(items)
        document["domains"] = [e[:-1] for e in items if e.endswith("/") and e.index("/") == len(e) - 1]
        document["expressions"] = items
        document["identities"] = [identity.to_json() for e in items if (identity := _identity(e)) is not None]
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"

    body: list[str] = []
    dropped = 0
    for expression in items:
        host, _, path = expression.partition("/")
        if format == "adblock":
            if any(c in expression for c in "*^|$") or ":" in host:
                dropped += 1
            elif not path:
                body.append(f"||{host}^")
            elif "?" in path:
                body.append(f"||{expression}|")
            elif path.endswith("/"):
                body.append(f"||{expression}")
            else:
                body.append(f"||{expression}^")
        elif path or (format == "hosts" and is_ip_host(host)):
            dropped += 1
        else:
            body.append(host if format == "plain" else f"0.0.0.0 {host}")

    comment = "!" if format == "adblock" else "#"
    header = ["[Adblock Plus 2.0]"] if format == "adblock" else []
    if meta is not None:
        for key, value in (("name", meta.name), ("category", meta.category), ("source", meta.source),
                           ("licence", meta.licence), ("description", meta.description)):
            if value:
                header.append(f"{comment} {key}: {value}")
    header.append(f"{comment} format: {format}")
    if dropped:
        header.append(f"{comment} dropped: {dropped} expressions this format cannot hold")
    return "\n".join(header + body) + "\n"
