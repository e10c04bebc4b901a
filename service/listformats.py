"""List file formats: lines of text to canonical Safe Browsing list expressions.

`service.lists` reads whole files and owns the metadata; this module knows the syntax of each format,
reads one file's lines into a `Collector`, and detects a format from content. Worked example, one
AdBlock file fed to `read_entries(text, "adblock", out)`::

    ! Title: Example scam shops          -> a header field (see `read_header`)
    ||kaspi-kz.top^$document             -> "kaspi-kz.top/"       (options after "$" are ignored)
    ||shop.example/pay/card.php^         -> "shop.example/pay/card.php"
    @@||kaspi.kz^                        -> skipped["exception"] += 1
    example.org##.banner                 -> skipped["cosmetic"] += 1
    ||*.evil.example^                    -> skipped["unsupported"] += 1 (wildcards are not expressions)
    ||bad host^                          -> ListProblem(line=7, message="not a network rule")

Formats (the names are public: `# format: NAME` headers and `export_list` use them):

    plain           one domain per line, `#` comments (inline `  # ...` too)
    hosts           `0.0.0.0 host [host2 ...]`, `#` comments; localhost-style self entries skipped
    adblock         AdBlock Plus / uBlock Origin / AdGuard network rules, `!` comments
    urls            one URL per line, `#` comments
    openphish       the OpenPhish feed: a URL list; an alias of `urls` with category "phishing"
    urlhaus_csv     abuse.ch URLhaus CSV dump, `#` banner, quoted fields, `url` column
    phishtank_csv   PhishTank online-valid CSV, header row with a `url` column
    phishtank_json  PhishTank online-valid JSON, an array of objects with `url` (`.bz2` read transparently)
    json            what `export_list(..., "json")` writes: an object with an `expressions` array
    cert_json       CERT Polska's warning list domains.json (records with a DeleteDate dropped; service.certpl)
    cert_csv        CERT Polska's domains.csv (PozycjaRejestru, AdresDomeny, DataWpisu, DataWykreslenia)
    ranked_csv      a popularity ranking: Majestic Million (header with a `Domain` column) or `rank,domain` rows
                    (Tranco, Cisco Umbrella)

Speed: ~1 million lines parse in a few seconds because plain hosts and simple URLs take a string-method
fast path (`_fast_expression`) instead of `service.urls.entry_to_expression`; `tests/test_lists.py`
checks that both agree on every entry of the real lists.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from service import certpl
from service.errors import InvalidURL
from service.jsonstream import array_items
from service.platforms import is_identity_host
from service.urls import entry_to_expression

__all__ = [
    "FORMATS", "MAX_LINE_LENGTH", "MAX_PROBLEMS", "SKIP_KINDS", "Collector", "ListProblem",
    "detect_format", "format_name", "read_entries", "read_header",
]

FORMATS = ("plain", "hosts", "adblock", "urls", "openphish", "urlhaus_csv", "phishtank_csv", "phishtank_json", "json",
           "cert_json", "cert_csv", "ranked_csv")
# Keys of ParsedList.skipped; every key is always present. "invalid" counts bad lines (each also a problem).
SKIP_KINDS = ("comment", "blank", "exception", "cosmetic", "include", "localhost", "unsupported", "duplicate",
              "invalid", "deleted")  # deleted: a CERT Polska record with a DeleteDate
MAX_LINE_LENGTH = 8192  # characters; as long as the longest URL the API accepts (urls.MAX_URL_LENGTH)
MAX_PROBLEMS = 1000  # problems kept per file; skipped["invalid"] still counts every bad line
_MAX_HOST = 253  # characters in a DNS name (RFC 1035 §2.3.4)
_MAX_LABEL = 63  # characters in one DNS label

# Header spellings -> ListMeta field. The first value of a field wins.
_HEADER_KEYS = {
    "name": "name", "title": "name", "category": "category", "source": "source", "homepage": "source",
    "sources": "source", "licence": "licence", "license": "licence", "description": "description",
    "format": "format",
}
# Format names seen in third-party headers (`# Format: domains`, `! Format: AdGuard`) -> ours.
_FORMAT_ALIASES = {"domains": "plain", "domain": "plain", "adguard": "adblock", "ublock": "adblock",
                   "abp": "adblock", "url": "urls", "phishtank": "phishtank_csv", "urlhaus": "urlhaus_csv",
                   "certpl": "cert_json", "certpl_json": "cert_json", "certpl_csv": "cert_csv"}
# Names a hosts file maps to itself (the localhost preamble), not blocklist entries.
_SELF_NAMES = frozenset({
    "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost", "ip6-loopback",
    "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0",
})
_RANKED_ROW = re.compile(r"^\d{1,9},[A-Za-z0-9._-]+\.[A-Za-z0-9-]+\r?\n")  # `1,google.com` (Tranco, Umbrella)
_COSMETIC_MARKERS = ("##", "#@#", "#?#", "#$#", "#%#", "#@$#", "#@?#", "#@%#")
_FAST_HOST_CHARS = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz0123456789-._")
_BAD_HOST_CHARS = frozenset("<>\"{}|\\^`'%#*$!&()+,;=~[]@:") | frozenset(chr(c) for c in range(0x21))


@dataclass(frozen=True, slots=True)
class ListProblem:
    """A line that could not be read, with what was wrong; the load went on without it."""

    path: str
    line: int  # 1-based line number; for phishtank_json/json the 1-based record index; 0 for the whole file
    text: str  # the line, cut to 200 characters
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}: {self.text!r}"


class Collector:
    """Accumulates expressions, skip counts and problems for one file while a reader walks it."""

    __slots__ = ("expressions", "fields", "path", "problems", "seen", "skipped")

    def __init__(self, path: str) -> None:
        self.path = path
        self.expressions: list[str] = []
        self.seen: set[str] = set()
        self.skipped = dict.fromkeys(SKIP_KINDS, 0)
        self.problems: list[ListProblem] = []
        self.fields: dict[str, str] = {}  # header fields found in the content itself (a JSON "meta" object)

    def add(self, expression: str) -> None:
        if expression in self.seen:
            self.skipped["duplicate"] += 1
        else:
            self.seen.add(expression)
            self.expressions.append(expression)

    def problem(self, line: int, text: str, message: str) -> None:
        self.skipped["invalid"] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ListProblem(self.path, line, text[:200], message))

    def entry(self, line: int, text: str, entry: str) -> None:
        """Adds the expression of entry (host, URL or expression), or records why it is not one."""
        expression = _fast_expression(entry)
        if expression is not None and is_identity_host(expression.partition("/")[0]):
            # An account or listing URL is stored as its identity key. A list's entry on somebody's site
            # (x.blogspot.com/path) is kept as written: never widened to the whole site by a list file.
            expression = None
        if expression is None:
            if any("\udc80" <= c <= "\udcff" for c in entry):  # bytes read_list_file could not decode
                self.problem(line, text, "not valid UTF-8")
                return
            try:
                expression = entry_to_expression(entry)
            except InvalidURL as exc:
                self.problem(line, text, exc.message)
                return
            message = _host_problem(expression)
            if message:
                self.problem(line, text, message)
                return
        self.add(expression)


# ---------------------------------------------------------------------------------------------------------
# Entries to expressions


def _is_fast_host(host: str) -> bool:
    # A lowercase LDH name (underscores allowed, as real lists hold them) that canonicalization leaves
    # as it is: no empty labels, not an IPv4 spelling (its last label is no number), within DNS lengths.
    if not host or host.translate(_FAST_HOST_CHARS) or "." not in host or ".." in host:
        return False
    if host[0] == "." or host[-1] == "." or len(host) > _MAX_HOST:
        return False
    tld = host[host.rfind(".") + 1:]
    if tld.isdigit():
        # Dotted-decimal IPv4 is its own canonical form; other numeric spellings take the slow path.
        parts = host.split(".")
        return len(parts) == 4 and all(p.isdigit() and int(p) < 256 and (p == "0" or p[0] != "0") for p in parts)
    if tld.startswith("0x"):
        return False
    return len(host) <= _MAX_LABEL or all(len(label) <= _MAX_LABEL for label in host.split("."))


def _fast_expression(entry: str) -> str | None:
    """Returns entry's expression when a string check proves it equals entry_to_expression's, else None."""
    if not entry.isascii():
        return None
    if "://" not in entry:
        return entry + "/" if _is_fast_host(entry) else None
    scheme, _, rest = entry.partition("://")
    if scheme not in ("http", "https"):
        return None
    cut = len(rest)
    for sep in "/?":
        i = rest.find(sep)
        if 0 <= i < cut:
            cut = i
    host, tail = rest[:cut], rest[cut:]
    if not _is_fast_host(host):
        return None
    if not tail:
        return host + "/"
    # Anything canonicalization would change (escapes, dot segments, repeated slashes, controls,
    # non-ASCII) takes the slow path.
    if "%" in tail or "#" in tail or not tail.isprintable() or " " in tail:
        return None
    path, _, query = tail.partition("?")
    if not path:
        path = "/"
    elif "//" in path or "/./" in path or "/../" in path or path.endswith(("/.", "/..")):
        return None
    return host + path + ("?" + query if query else "")


def _host_problem(expression: str) -> str:
    """Returns why the host of a canonical expression cannot be a list entry, or "" if it can."""
    host = expression.partition("/")[0]
    if host.startswith("["):
        return ""
    if len(host) > _MAX_HOST:
        return f"host is longer than {_MAX_HOST} characters"
    if not _BAD_HOST_CHARS.isdisjoint(host):
        return f"invalid host {host!r}"
    if "." not in host:
        return f"host {host!r} has a single label (no public site has one)"
    if any(len(label) > _MAX_LABEL for label in host.split(".")):
        return f"host {host!r} has a label longer than {_MAX_LABEL} characters"
    return ""


# ---------------------------------------------------------------------------------------------------------
# Line readers: each walks (line number, stripped line) pairs and feeds a Collector


def _cut_inline_comment(line: str) -> str:
    # `host  # note` and `host\t#note`; a "#" glued to a token is kept (it is part of a URL fragment).
    i = line.find("#")
    while i > 0:
        if line[i - 1] in " \t":
            return line[:i].rstrip()
        i = line.find("#", i + 1)
    return line


def _read_plain(lines: Iterable[tuple[int, str]], out: Collector) -> None:
    for number, line in lines:
        if line[0] == "#":
            out.skipped["comment"] += 1
            continue
        entry = _cut_inline_comment(line) if "#" in line else line
        if " " in entry or "\t" in entry:
            out.problem(number, line, "more than one entry on the line (is it a hosts file?)")
            continue
        out.entry(number, line, entry)


def _read_hosts(lines: Iterable[tuple[int, str]], out: Collector) -> None:
    for number, line in lines:
        if line[0] == "#":
            out.skipped["comment"] += 1
            continue
        fields = (_cut_inline_comment(line) if "#" in line else line).split()
        address = fields[0]
        if len(fields) < 2 or not _is_hosts_address(address):
            out.problem(number, line, "not a hosts line (`ADDRESS NAME [NAME...]`)")
            continue
        for name in fields[1:]:
            if name in _SELF_NAMES or address == "255.255.255.255":
                out.skipped["localhost"] += 1
            else:
                out.entry(number, line, name)


def _is_hosts_address(token: str) -> bool:
    if token in ("0.0.0.0", "127.0.0.1", "0", "::", "::1"):
        return True
    if ":" in token:  # IPv6, maybe with a zone (`fe80::1%lo0`)
        return all(c in "0123456789abcdefABCDEF:." for c in token.partition("%")[0])
    parts = token.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def _read_adblock(lines: Iterable[tuple[int, str]], out: Collector) -> None:
    skipped = out.skipped
    for number, line in lines:
        first = line[0]
        if first == "!":
            skipped["include" if line.startswith("!#") else "comment"] += 1
            continue
        if first == "[" or (first == "#" and (len(line) == 1 or line[1] == " ")):
            skipped["comment"] += 1  # `[Adblock Plus 2.0]`; uBO also takes "# " lines as comments
            continue
        if line.startswith("@@"):
            skipped["exception"] += 1
            continue
        if "#" in line and any(marker in line for marker in _COSMETIC_MARKERS):
            skipped["cosmetic"] += 1
            continue
        rule = line
        dollar = rule.rfind("$")
        if dollar >= 0:
            options = rule[dollar + 1:]
            if "badfilter" in options:  # a rule that cancels another: nothing we can express
                skipped["unsupported"] += 1
                continue
            rule = rule[:dollar]
        if len(rule) > 1 and rule[0] == "/" and rule[-1] == "/":
            skipped["unsupported"] += 1  # a regular expression rule
            continue
        if rule.startswith("||"):
            rule = rule[2:]
        elif rule.startswith("|"):
            rule = rule[1:]  # `|http://host/path|`: anchored at the start of the URL
        rule = rule.rstrip("|")
        rule = rule.removesuffix("^")
        if "*" in rule or "^" in rule:
            skipped["unsupported"] += 1  # wildcards and mid-rule separators are not Safe Browsing expressions
            continue
        if not rule or " " in rule or "\t" in rule:
            out.problem(number, line, "not a network rule")
            continue
        out.entry(number, line, rule)


def _read_urls(lines: Iterable[tuple[int, str]], out: Collector) -> None:
    for number, line in lines:
        if line[0] == "#":
            out.skipped["comment"] += 1
            continue
        out.entry(number, line, _cut_inline_comment(line) if "#" in line else line)


def _read_csv(lines: Iterable[tuple[int, str]], out: Collector, *, header_row: bool) -> None:
    # URLhaus puts its column header in a comment (`# id,dateadded,url,...`); PhishTank in the first row.
    url_column = 2 if not header_row else -1
    pending: list[int] = []  # line numbers read for the current row (a quoted field may span lines)

    def rows() -> Iterator[str]:
        nonlocal url_column
        for number, line in lines:
            if line[0] == "#":
                out.skipped["comment"] += 1
                columns = [c.strip() for c in line.lstrip("# ").split(",")]
                if "url" in columns:
                    url_column = columns.index("url")
                continue
            pending.append(number)
            yield line

    reader = csv.reader(rows())
    while True:
        pending.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            out.problem(pending[0] if pending else 0, "", f"bad CSV: {exc}")
            return
        number = pending[0]
        if url_column < 0:
            columns = [c.strip().lower() for c in row]
            if "url" not in columns:
                out.problem(number, ",".join(row), "CSV header has no `url` column")
                return
            url_column = columns.index("url")
            out.skipped["comment"] += 1  # the header row
            continue
        if len(row) <= url_column or not row[url_column].strip():
            out.problem(number, ",".join(row), f"row has no url (column {url_column + 1})")
            continue
        out.entry(number, ",".join(row), row[url_column].strip())


def _read_ranked(lines: Iterable[tuple[int, str]], out: Collector) -> None:
    # Majestic: `GlobalRank,TldRank,Domain,...` then rows; Tranco / Umbrella: `1,google.com` rows, no header.
    domain_at = -1
    for number, line in lines:
        if line[0] == "#":
            out.skipped["comment"] += 1
            continue
        cells = line.split(",")
        if domain_at < 0:
            lowered = [cell.strip().lower() for cell in cells]
            if "domain" in lowered:
                domain_at = lowered.index("domain")
                out.skipped["comment"] += 1  # the header row
                continue
            domain_at = 1 if len(cells) > 1 and cells[0].strip().isdigit() else 0
        if len(cells) <= domain_at or not cells[domain_at].strip():
            out.problem(number, line, f"row has no domain (column {domain_at + 1})")
            continue
        out.entry(number, line, cells[domain_at].strip())


def _read_json(text: str, out: Collector) -> None:
    # Decodes one array element at a time (raw_decode), so a 57 MB PhishTank dump is never one big
    # list of dicts in memory. Our own export is an object with "expressions".
    decoder = json.JSONDecoder()
    start = len(text) - len(text.lstrip())
    if text.startswith("{", start):
        try:
            document, _ = decoder.raw_decode(text, start)
        except RecursionError:  # nested deeper than the parser's stack (issue 10: 10 KB of "[")
            out.problem(1, text[:200], "bad JSON: nests too deeply")
            return
        except ValueError as exc:
            out.problem(1, text[:200], f"bad JSON: {exc}")
            return
        meta = document.get("meta")
        if isinstance(meta, dict):
            out.fields = {key: value for key, value in meta.items() if key in _HEADER_KEYS and isinstance(value, str)}
        items = document.get("expressions", document.get("domains", []))
        for index, item in enumerate(items if isinstance(items, list) else [], 1):
            _json_item(index, item, out)
        return
    if not text.startswith("[", start):
        out.problem(1, text[:200], "JSON list must be an array or an object")
        return
    for index, item in array_items(text, start, out):
        _json_item(index, item, out)


def _json_item(index: int, item: object, out: Collector) -> None:
    url = item.get("url") if isinstance(item, dict) else item
    if not isinstance(url, str) or not url.strip():
        out.problem(index, str(item)[:200], "record has no url")
        return
    out.entry(index, url, url.strip())


# ---------------------------------------------------------------------------------------------------------
# Detection and headers


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Yields (1-based line number, stripped line) for each non-blank line (detection and headers)."""
    for number, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if line:
            yield number, line


def read_header(text: str, comment: str) -> tuple[dict[str, str], int]:
    """Returns the `key: value` fields of the leading comment block and the line of a `format:` field."""
    fields: dict[str, str] = {}
    format_line = 0
    for number, line in _lines(text[:65536]):
        if line[0] not in comment or line.startswith("!#"):
            if line[0] == "[":
                continue  # `[Adblock Plus 2.0]`
            break
        key, colon, value = line.lstrip(comment + " \t").partition(":")
        field_name = _HEADER_KEYS.get(key.strip().lower())
        value = value.strip()
        if value.endswith(" #"):  # a `# key: value   #` banner box
            value = value[:-1].rstrip()
        if colon and field_name and value and field_name not in fields:
            fields[field_name] = value
            if field_name == "format":
                format_line = number
    return fields, format_line


def format_name(name: str) -> str | None:
    """Returns our name (one of FORMATS) for a format name or a known alias (`domains`, `AdGuard`), else None."""
    name = name.strip().lower().replace("-", "_")
    name = _FORMAT_ALIASES.get(name, name)
    return name if name in FORMATS else None


def detect_format(text: str) -> str:
    """Returns the format name (one of FORMATS) of a list's text.

    A `format:` field in the leading `#` or `!` comment block wins. Otherwise the first non-comment lines
    decide: JSON by its first character, CSV by its header, AdBlock by `!` comments, `||`/`|` anchors,
    `@@` or cosmetic rules, hosts by an address before a name, URL lists by "://", else plain domains.
    `openphish` is never detected from content (it looks like `urls`); `read_list_file` picks it by name.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] == "[" and not stripped.startswith("[Adblock"):
        return "cert_json" if '"DomainAddress"' in stripped[:4096] else "phishtank_json"
    if stripped.startswith(("PozycjaRejestru", '"PozycjaRejestru"')) or "\tAdresDomeny\t" in stripped[:200]:
        return "cert_csv"
    if stripped.startswith("GlobalRank,") or _RANKED_ROW.match(stripped[:300]):
        return "ranked_csv"
    if stripped[:1] == "{":
        return "json"
    for comment in "#!":
        declared = format_name(read_header(stripped, comment)[0].get("format", ""))
        if declared:
            return declared
    votes = dict.fromkeys(("adblock", "hosts", "urls", "plain"), 0)
    sampled = 0
    for _, line in _lines(stripped[:262144]):
        first = line[0]
        if first == "!" or line.startswith("[Adblock"):
            return "adblock"  # only AdBlock syntax has `!` comments (uBO reads a bare line as a host rule)
        if first == "#":
            if line.startswith("# id,dateadded,url"):
                return "urlhaus_csv"
            continue
        if sampled == 0:
            if line.startswith("GlobalRank,") or _RANKED_ROW.match(line + "\n"):
                return "ranked_csv"
            lowered = line.lower()
            if lowered.startswith('"') and '","' in line and "://" in line:
                return "urlhaus_csv"
            if "," in line and "url" in [c.strip().strip('"') for c in lowered.split(",")]:
                return "phishtank_csv"
        sampled += 1
        if line.startswith(("||", "|http", "@@")) or "^" in line or "##" in line or "#@#" in line:
            votes["adblock"] += 3
        elif len(parts := line.split(None, 2)) > 1 and _is_hosts_address(parts[0]):
            votes["hosts"] += 1
        elif "://" in line:
            votes["urls"] += 1
        else:
            votes["plain"] += 1
        if sampled >= 200:
            break
    best = max(votes, key=lambda name: votes[name])
    return best if votes[best] else "plain"


def _counted_lines(text: str, out: Collector) -> Iterator[tuple[int, str]]:
    # Blank and over-long lines are counted here, so each reader only sees lines worth reading.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start a blank one
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            out.skipped["blank"] += 1
        elif len(line) > MAX_LINE_LENGTH:
            out.problem(number, line, f"line is longer than {MAX_LINE_LENGTH} characters")
        else:
            yield number, line


def read_entries(text: str, fmt: str, out: Collector) -> None:
    """Reads the entries of text, in format fmt (one of FORMATS), into out."""
    if fmt in ("phishtank_json", "json"):
        _read_json(text, out)
        return
    if fmt == "cert_json":
        certpl.read_json(text, out)
        return
    lines = _counted_lines(text, out)
    if fmt == "cert_csv":
        certpl.read_csv(lines, out)
        return
    if fmt == "ranked_csv":
        _read_ranked(lines, out)
        return
    if fmt == "plain":
        _read_plain(lines, out)
    elif fmt == "hosts":
        _read_hosts(lines, out)
    elif fmt == "adblock":
        _read_adblock(lines, out)
    elif fmt in ("urls", "openphish"):
        _read_urls(lines, out)
    else:
        _read_csv(lines, out, header_row=fmt == "phishtank_csv")
