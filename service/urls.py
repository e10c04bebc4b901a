"""URLs to canonical form and to the lookup expressions a list entry can match.

Follows Google Safe Browsing v4 "URLs and hashing" (see docs/architecture.md). Parsing is deliberately
browser-like and lenient rather than RFC-strict: scam links are often malformed on purpose, and a
stricter parser would let them through unmatched.

Worked example::

    >>> canonicalize("HTTP://user:pw@Pay.Kaspi-KZ.top:8443/a/./b//c.html?id=1#top")
    'http://pay.kaspi-kz.top/a/b/c.html?id=1'
    >>> expressions("http://pay.kaspi-kz.top/a/b/c.html?id=1")
    ['pay.kaspi-kz.top/a/b/c.html?id=1', 'pay.kaspi-kz.top/a/b/c.html', 'pay.kaspi-kz.top/',
     'pay.kaspi-kz.top/a/', 'pay.kaspi-kz.top/a/b/', 'kaspi-kz.top/a/b/c.html?id=1',
     'kaspi-kz.top/a/b/c.html', 'kaspi-kz.top/', 'kaspi-kz.top/a/', 'kaspi-kz.top/a/b/']

A list entry is an expression (`evil.example/`, `host.example/path/`, or an exact URL expression); a URL
matches an entry when one of its expressions equals it.
"""

from __future__ import annotations

import ipaddress
import re
import string
from dataclasses import dataclass
from functools import lru_cache

import idna
from publicsuffixlist import PublicSuffixList

from service.errors import InvalidURL

__all__ = [
    "MAX_URL_LENGTH",
    "CanonicalURL",
    "canonicalize",
    "entry_to_expression",
    "expressions",
    "expressions_of",
    "is_ip_host",
    "lookup_hosts",
    "lookup_paths",
    "parse",
    "registrable_domain",
    "validate_for_api",
]

MAX_URL_LENGTH = 8192  # bytes; the API refuses longer URLs (browsers cap around 2 MB, scam links are short)
_MAX_HOSTS = 5  # Safe Browsing v4: the exact host plus up to 4 suffixes from the last five labels
_MAX_PATHS = 6  # path+query, path, "/" and up to 3 more directory prefixes

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_SCHEME_BYTES = re.compile(rb"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_PORT_ONLY = re.compile(rb"^\d*(/|\?|$)")  # what follows "host:" when the URL has no scheme
_PERCENT = re.compile(rb"%([0-9a-fA-F]{2})")
# Characters no DNS name can hold; the API refuses hosts with them (canonicalize stays lenient).
_API_BAD_HOST = re.compile(r"[\x00-\x20<>\"{}|\\^`'%#\x7f]")


@dataclass(frozen=True, slots=True)
class CanonicalURL:
    """A URL in Safe Browsing canonical form, split into the parts lookups need."""

    scheme: str
    host: str  # lowercase, punycode, dotted-decimal IPv4 or bracketed short IPv6, percent-escaped
    path: str  # starts with "/", escaped
    query: str | None  # None when there was no "?"; "" for a bare "?"

    def __str__(self) -> str:
        query = "" if self.query is None else "?" + self.query
        return f"{self.scheme}://{self.host}{self.path}{query}"


# ---------------------------------------------------------------------------------------------------------
# Escaping


def _unescape_once(data: bytes) -> bytes:
    return _PERCENT.sub(lambda m: bytes((int(m.group(1), 16),)), data)


_HEX = frozenset(b"0123456789abcdefABCDEF")


def _unescape_fully(data: bytes) -> bytes:
    """Returns data percent-unescaped until no %XX is left, in time linear in its length.

    Spec step: "repeatedly percent-unescape the URL until it has no more percent-escapes"; a lone "%" that
    does not start %XX stays literal. Unescaping pass after pass is quadratic on `%25` repeated k times
    (each pass removes one level: issue 10, 512 KB took 34 s), so a URL whose first pass leaves escapes is
    finished by one left-to-right pass over an output stack: after each byte is pushed, a `%XX` at the top
    is replaced by its byte, which may complete another `%XX` below it. Each byte is pushed once and each
    replacement shrinks the stack by two, so the work is linear; the result is the same fixed point.
    """
    if b"%" not in data:
        return data
    data = _unescape_once(data)  # one pass is enough for nearly every URL
    if _PERCENT.search(data) is None:
        return data
    out = bytearray()
    for byte in data:
        out.append(byte)
        while len(out) >= 3 and out[-3] == 0x25 and out[-2] in _HEX and out[-1] in _HEX:
            decoded = int(out[-2:].decode("ascii"), 16)
            del out[-3:]
            out.append(decoded)
    return bytes(out)


_ESCAPE_TABLE = [chr(b) if 0x20 < b < 0x7F and b not in (0x23, 0x25) else f"%{b:02X}" for b in range(256)]


_NEEDS_ESCAPE = re.compile(rb"[^\x21-\x7e]|[#%]")


def _escape(data: bytes) -> str:
    """Returns data with bytes <= 0x20, >= 0x7F, '#' and '%' percent-escaped (uppercase hex)."""
    if _NEEDS_ESCAPE.search(data) is None:
        return data.decode("ascii")
    return "".join([_ESCAPE_TABLE[b] for b in data])


# ---------------------------------------------------------------------------------------------------------
# Hosts


def _parse_ipv4(host: str) -> str | None:
    """Returns the dotted-decimal form of host if it is IPv4 in any inet_aton spelling, else None.

    Accepts 1-4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills the remaining
    bytes, so `3279880203`, `0xC37F000B` and `195.127.11` are all 195.127.0.11.
    """
    parts = host.split(".")
    if len(parts) > 4 or not all(parts):
        return None
    values = []
    for part in parts:
        # int() alone would accept "-1", "+7", "1_000" and whitespace; only plain digits may pass.
        if part[:2] in ("0x", "0X"):
            digits, base = part[2:] or "0", 16
            if not all(c in string.hexdigits for c in digits):
                return None
        elif len(part) > 1 and part[0] == "0":
            digits, base = part[1:], 8
            if not digits.isdigit() or not digits.isascii() or "8" in digits or "9" in digits:
                return None
        else:
            digits, base = part, 10
            if not digits.isdigit() or not digits.isascii():
                return None
        values.append(int(digits, base))
    last_bytes = 5 - len(values)
    if any(v > 255 for v in values[:-1]) or values[-1] >= 256**last_bytes:
        return None
    number = 0
    for v in values[:-1]:
        number = number * 256 + v
    number = number * 256**last_bytes + values[-1]
    return str(ipaddress.IPv4Address(number))


def _canonical_ipv6(text: str) -> str | None:
    try:
        address = ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return None
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address in _NAT64:
        return str(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return f"[{address.compressed}]"


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _to_ascii_host(host: str) -> str:
    """Returns host with non-ASCII labels in punycode (IDNA 2008 with UTS #46 mapping, lenient)."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        pass
    # Lenient fallback: scam hosts may be invalid IDNA (mixed scripts, disallowed code points); encode
    # each label on its own so they still get a stable, matchable form.
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            labels.append(idna.encode(label, uts46=True, transitional=False).decode("ascii"))
        except (idna.IDNAError, UnicodeError):
            labels.append("xn--" + label.lower().encode("punycode").decode("ascii"))
    return ".".join(labels)


def _canonical_host(raw: bytes) -> str:
    # Userinfo: everything up to the last "@" (the classic `bank.kz@evil.top` trick) is dropped.
    raw = raw.rpartition(b"@")[2].lstrip(b".")
    if raw.startswith(b"["):
        end = raw.find(b"]")
        inner = raw[1:end] if end > 0 else raw[1:]
        ip6 = _canonical_ipv6(inner.decode("ascii", "replace"))
        if ip6 is None:
            raise InvalidURL(f"invalid IPv6 host: {raw.decode('utf-8', 'replace')!r}")
        return ip6
    raw = raw.partition(b":")[0]  # port (or garbage after a colon) is not part of the host
    text: str | None = None
    if not raw.isascii():
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if text is not None:
        # Punycode can put hex digits right after a literal "%" ("%aәa" -> "xn--%aa-jwd"); unescape again
        # so the result is a fixed point of canonicalize.
        raw = _unescape_fully(_to_ascii_host(_collapse_dots(text)).encode("ascii"))
    host = _collapse_dots(raw.decode("latin-1").lower())
    if not host:
        raise InvalidURL("URL has no host")
    ip4 = _parse_ipv4(host)
    if ip4 is not None:
        return ip4
    return _escape(host.encode("latin-1"))


def _collapse_dots(host: str) -> str:
    # Spec: remove leading and trailing dots, replace consecutive dots with one. "。" and friends are
    # handled by the UTS #46 mapping in _to_ascii_host.
    if ".." not in host and not host.startswith(".") and not host.endswith("."):
        return host
    return ".".join(label for label in host.split(".") if label)


def is_ip_host(host: str) -> bool:
    """Reports whether a canonical host is an IP literal (dotted IPv4 or bracketed IPv6)."""
    if host.startswith("["):
        return True
    # No top-level domain ends in a digit, so only such hosts can be dotted IPv4.
    return host[-1:].isdigit() and _parse_ipv4(host) == host


# ---------------------------------------------------------------------------------------------------------
# Paths


def _canonical_path(raw: bytes) -> str:
    # Spec: resolve "/./" and "/../", then collapse runs of slashes. A trailing "." or ".." segment
    # leaves a trailing slash ("/blah/.." -> "/").
    if b"//" not in raw and b"/." not in raw:
        return _escape(raw or b"/")  # nothing to resolve or collapse: the common case
    segments = raw.split(b"/")
    out: list[bytes] = []
    for segment in segments:
        if segment in (b"", b"."):
            continue
        if segment == b"..":
            if out:
                out.pop()
            continue
        out.append(segment)
    trailing = bool(segments) and segments[-1] in (b"", b".", b"..")
    path = b"/" + b"/".join(out)
    if trailing and out:
        path += b"/"
    return _escape(path)


# ---------------------------------------------------------------------------------------------------------
# Public functions


def parse(url: str) -> CanonicalURL:
    """Returns the canonical parts of url; raises InvalidURL when it has no valid host."""
    if not isinstance(url, str):
        raise InvalidURL(f"URL must be a string, not {type(url).__name__}")
    # Spec: cut the fragment at the first literal "#", trim surrounding spaces, drop TAB/CR/LF.
    text = url.partition("#")[0].strip(" \t\r\n\f\v").replace("\t", "").replace("\r", "").replace("\n", "")
    data = _unescape_fully(text.encode("utf-8", "surrogatepass"))

    scheme = "http"
    match = _SCHEME_BYTES.match(data)
    if match:
        after = data[match.end():]
        if after.startswith(b"//"):
            scheme = match.group(1).decode("ascii").lower()
            data = after[2:]
        elif _PORT_ONLY.match(after):
            pass  # `host:port/...` with no scheme
        else:
            raise InvalidURL(f"not a hierarchical URL (scheme {match.group(1).decode('ascii')!r})")
    elif data.startswith(b"//"):
        data = data[2:]

    rest, qmark, query = data.partition(b"?")
    host_part, slash, path_part = rest.partition(b"/")
    host = _canonical_host(host_part)
    path = _canonical_path(slash + path_part)
    return CanonicalURL(scheme, host, path, _escape(query) if qmark else None)


def canonicalize(url: str) -> str:
    """Returns url in Safe Browsing v4 canonical form; raises InvalidURL (a ValueError) if it has no valid host."""
    return str(parse(url))


def lookup_hosts(host: str) -> list[str]:
    """Returns the host strings an expression can start with: the host, then up to 4 suffixes."""
    if is_ip_host(host):
        return [host]
    labels = host.split(".")
    hosts = [host]
    for count in range(min(_MAX_HOSTS, len(labels)), 1, -1):
        suffix = ".".join(labels[-count:])
        if suffix != host:
            hosts.append(suffix)
    return hosts[:_MAX_HOSTS]


def lookup_paths(path: str, query: str | None) -> list[str]:
    """Returns the path strings an expression can end with: path?query, path, "/", and up to 3 directories."""
    paths = []
    if query:
        paths.append(f"{path}?{query}")
    paths.append(path)
    paths.append("/")
    directories = path.split("/")[1:-1]
    prefix = "/"
    for directory in directories[:3]:
        prefix += directory + "/"
        paths.append(prefix)
    unique = list(dict.fromkeys(paths))
    return unique[:_MAX_PATHS]


def expressions_of(parsed: CanonicalURL) -> list[str]:
    """Returns the host-suffix x path-prefix expressions of an already parsed URL, most specific first."""
    paths = lookup_paths(parsed.path, parsed.query)
    # Hosts hold no "/", and both lists are free of duplicates, so every host + path pair is distinct.
    return [h + p for h in lookup_hosts(parsed.host) for p in paths]


def expressions(url: str) -> list[str]:
    """Returns the (at most 30) lookup expressions of url; raises InvalidURL if it has no valid host."""
    return expressions_of(parse(url))


@lru_cache(maxsize=1)
def public_suffix_list() -> PublicSuffixList:
    """Returns the process's one Public Suffix List (the package's bundled copy; it never fetches), built on
    first use: urls, signals and extract all read this instance."""
    return PublicSuffixList()


_psl = public_suffix_list


def registrable_domain(host: str) -> str:
    """Returns the registrable domain (eTLD+1, Public Suffix List) of a canonical host.

    An IP literal is its own registrable domain; a host that is itself a public suffix is returned as is.
    """
    if is_ip_host(host):
        return host
    return _psl().privatesuffix(host) or host


def public_suffix(host: str) -> str:
    """Returns the public suffix of a canonical host ("kz", "com.kz", "xn--80ao21a")."""
    return _psl().publicsuffix(host) or host.rpartition(".")[2]


def entry_to_expression(entry: str) -> str:
    """Returns the list expression for a list entry: a bare domain, a URL or an expression.

    `evil.example` and `http://evil.example` mean the whole host (`evil.example/`); `evil.example/a/`
    is that path prefix; `http://evil.example/a.html?x=1` is the exact URL expression. Any URL of an
    account, listing or page on a platform is its identity's key (`https://www.instagram.com/Kaspi_Shop/`
    -> `instagram.com/kaspi_shop`, `https://wa.me/77010001122` -> `phone:+77010001122`; service.platforms),
    and a name the platform forbids raises InvalidIdentity (an InvalidURL).
    """
    from service.platforms import identity_for_entry  # platforms builds on this module: import it late

    identity = identity_for_entry(entry)
    if identity is not None:
        return identity.key
    parsed = parse(entry)
    path = parsed.path
    return parsed.host + (path if parsed.query is None or parsed.query == "" else f"{path}?{parsed.query}")


def validate_for_api(url: object) -> CanonicalURL:
    """Returns the parsed URL if the API accepts it, else raises InvalidURL naming what is wrong.

    Stricter than canonicalize: only http(s), at most MAX_URL_LENGTH bytes, and a host that a DNS name
    or an IP literal could be (no whitespace, no `<>"{}|\\^` and the like).
    """
    if not isinstance(url, str):
        raise InvalidURL(f"url must be a string, not {type(url).__name__}", field="url")
    stripped = url.strip()
    if not stripped:
        raise InvalidURL("url is empty", field="url")
    if len(url.encode("utf-8", "surrogatepass")) > MAX_URL_LENGTH:
        raise InvalidURL(f"url is longer than {MAX_URL_LENGTH} bytes", field="url")
    match = _SCHEME.match(stripped)
    if match and stripped[match.end():match.end() + 2] == "//" and match.group(1).lower() not in ("http", "https"):
        raise InvalidURL(f"only http and https URLs can be checked, not {match.group(1)!r}", field="url")
    try:
        parsed = parse(stripped)
    except InvalidURL as exc:
        raise InvalidURL(exc.message, field="url") from None
    if parsed.scheme not in ("http", "https"):
        raise InvalidURL(f"only http and https URLs can be checked, not {parsed.scheme!r}", field="url")
    host = parsed.host
    if not host.startswith("[") and (_API_BAD_HOST.search(host) or len(host) > 253
                                     or any(len(label) > 63 for label in host.split("."))):
        raise InvalidURL(f"host {host!r} is not a valid domain name or IP address", field="url")
    return parsed
