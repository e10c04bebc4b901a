"""URLs on platforms to the identity they name: an account, a listing, a page, an invite or a phone number.

Anyone can open an Instagram account, a Telegram channel, an OLX listing or a Google Sites page in a
minute, so a URL there must be judged as *that* identity, never with the platform's trust. The bundled
table `service/data/platforms.toml` (docs/platforms.md) says, for each platform, which hosts and mirrors
hold identities, which paths are the platform's own pages (they stay trusted as before), and how the
identity is read from a path with the platform's case rule. Pure: the table is read once, no I/O after.
Example::

    >>> identify("https://www.Instagram.com/Kaspi_Shop_Sale_KZ/reels/?igsh=abc")
    Identity(platform='instagram', kind='account', key='instagram.com/kaspi_shop_sale_kz')
    >>> identify("https://telegram.me/s/Halyk_Help").key
    't.me/halyk_help'
    >>> identify("https://api.whatsapp.com/send?phone=77010001122&text=hi").key
    'phone:+77010001122'
    >>> identify("https://www.instagram.com/accounts/login/") is None      # Instagram's own page
    True

The key is the stored, hashed form of the identity: a list entry with that key matches every URL form of
the identity (`service.index` adds the key to a URL's lookup expressions; the extension does the same in
`extension/lib/platforms.js`, generated from the same table and tested on `tests/fixtures/platforms.tsv`).
A phone number's key is its payment indicator `phone:+<E.164>` (the payment-identities issue builds on it).
"""

from __future__ import annotations

import enum
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import unquote

from service import indicators
from service.errors import InvalidIdentity, InvalidIndicator
from service.urls import CanonicalURL, parse, public_suffix, registrable_domain

__all__ = ["Identity", "Platform", "Placement", "InvalidIdentity", "identify", "place", "identity_for_entry",
           "guard_problem", "on_platform", "platforms", "platform", "table", "Where", "KINDS", "PHONE_PREFIX"]

KINDS = ("account", "listing", "page", "invite", "phone")
PHONE_PREFIX = "phone:"
_TABLE = "data/platforms.toml"
_FIELD = re.compile(r"\{(\d|q|sub|host)\}")


@dataclass(frozen=True, slots=True)
class Identity:
    """One account, listing, page, invite or phone number: `key` is its canonical stored form."""

    platform: str  # a platform id from the table ("instagram")
    kind: str  # one of KINDS
    key: str  # "instagram.com/kaspi_shop", "t.me/+AbCdEf...", "olx.kz/IDabc12", "phone:+77010001122"

    def to_json(self) -> dict[str, str]:
        return {"platform": self.platform, "kind": self.kind, "key": self.key}


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    path: re.Pattern[str]
    query: str | None
    key: str
    valid: re.Pattern[str] | None
    case: str  # "lower" | "keep"


@dataclass(frozen=True, slots=True)
class Platform:
    id: str
    name: str
    kind: str  # social | messenger | marketplace | builder
    hosts: tuple[str, ...]
    sites: tuple[str, ...]
    exclude: frozenset[str]
    own: tuple[str, ...]
    reserved: frozenset[str]
    advice: str | None
    rules: tuple[_Rule, ...]
    site_rules: tuple[_Rule, ...]


class Where(enum.Enum):
    IDENTITY = "identity"  # the URL names an identity: judge it as that identity, never with platform trust
    OWN = "own"  # the platform's own page (home, login, help): judged as before (trusted if official)
    OTHER = "other"  # a path shape we do not know on an identity host: not trusted, no identity


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a URL sits on a platform: the identity it names, or that it is an own / unknown page."""

    platform: Platform
    where: Where
    identity: Identity | None = None


# ---------------------------------------------------------------------------------------------------------
# The table


def _rule(raw: dict[str, Any], platform_case: str, where: str) -> _Rule:
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: rule kind {kind!r} is not one of {', '.join(KINDS)}")
    key = raw.get("key", "")
    if kind != "phone" and not key:
        raise ValueError(f"{where}: a {kind} rule needs a key")
    valid = raw.get("valid")
    return _Rule(kind, re.compile(raw["path"]), raw.get("query"), key, re.compile(valid) if valid else None,
                 raw.get("case", platform_case))


def parse_table(text: str) -> dict[str, Any]:
    """Returns the raw table from platforms.toml text (also what the JavaScript twin is generated from)."""
    data = tomllib.loads(text)
    out = []
    for raw in data.get("platform", []):
        entry = {k: raw.get(k, d) for k, d in (("id", ""), ("name", ""), ("kind", ""), ("hosts", []),
                                                ("sites", []), ("exclude", []), ("own", []), ("reserved", []),
                                                ("advice", None), ("case", "keep"))}
        entry["rules"] = raw.get("rule", [])
        entry["site_rules"] = raw.get("site_rule", [])
        out.append(entry)
    return {"platforms": out}


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    """Returns the bundled platform table as plain data (read once)."""
    return parse_table(resources.files("service").joinpath(_TABLE).read_text(encoding="utf-8"))


def _build(data: dict[str, Any]) -> tuple[tuple[Platform, ...], dict[str, Platform], dict[str, Platform]]:
    built = []
    by_host: dict[str, Platform] = {}
    by_site: dict[str, Platform] = {}
    for raw in data["platforms"]:
        where = f"platforms.toml: platform {raw['id']!r}"
        platform = Platform(
            id=raw["id"], name=raw["name"], kind=raw["kind"], hosts=tuple(raw["hosts"]), sites=tuple(raw["sites"]),
            exclude=frozenset(raw["exclude"]), own=tuple(raw["own"]), reserved=frozenset(raw["reserved"]),
            advice=raw["advice"],
            rules=tuple(_rule(r, raw["case"], where) for r in raw["rules"]),
            site_rules=tuple(_rule(r, raw["case"], where) for r in raw["site_rules"]),
        )
        built.append(platform)
        for host in platform.hosts:
            assert host not in by_host, f"{where}: host {host} is in two platforms"
            by_host[host] = platform
        for site in platform.sites:
            by_site[site] = platform
    return tuple(built), by_host, by_site


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[Platform, ...], dict[str, Platform], dict[str, Platform]]:
    return _build(table())


def platforms() -> tuple[Platform, ...]:
    """Returns every platform of the bundled table."""
    return _index()[0]


def platform(platform_id: str) -> Platform | None:
    """Returns the platform with this id, or None."""
    return next((p for p in platforms() if p.id == platform_id), None)


# ---------------------------------------------------------------------------------------------------------
# Reading identities


def _is_own(platform: Platform, path: str) -> bool:
    for own in platform.own:
        if own == "/":
            if path == "/":
                return True
        elif own.endswith("/"):
            if path.startswith(own) or path == own[:-1]:
                return True
        elif path == own or path == own + "/":
            return True
    return False


def _query_value(query: str | None, name: str) -> str | None:
    if not query:
        return None
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return unquote(value)
    return None


def _phone(digits: str) -> str | None:
    """Returns `phone:+<E.164>` for an international number written with or without "+", else None.

    The payment indicator's own canonical form (service.indicators, libphonenumber): a listed phone and
    its wa.me / t.me links are one entry.
    """
    text = re.sub(r"[\s\-().]", "", digits).removeprefix("+")
    if not text.isdigit() or not 7 <= len(text) <= 15:
        return None
    try:
        return indicators.canonical(PHONE_PREFIX + "+" + text)
    except InvalidIndicator:
        return None


def _apply(rule: _Rule, platform: Platform, parsed: CanonicalURL, sub: str | None,
           strict: bool) -> Identity | None | bool:
    """Returns the identity a rule reads from the URL, None if the rule does not apply, False if it applies
    but the name is one the platform forbids (InvalidIdentity when strict)."""
    match = rule.path.match(parsed.path)
    if match is None:
        return None
    groups = [g for g in match.groups()]
    q = None
    if rule.query is not None:
        q = _query_value(parsed.query, rule.query)
        if q is None:
            return None
    first = groups[0] if groups else None
    if first is not None and first.lower() in platform.reserved and parsed.path.split("/")[1] == first:
        return None  # a feature of the platform (/p/, /explore/), not an account name
    if rule.kind == "phone":
        raw = q if q is not None else (first or "")
        key = _phone(raw)
        if key is None:
            if strict:
                raise InvalidIdentity(f"{raw!r} is not an international phone number (country code and number)",
                                      field="url")
            return False
        return Identity(platform.id, "phone", key)

    def fold(value: str) -> str:
        return value.lower() if rule.case == "lower" else value

    # Path groups stay as canonicalization escaped them: a name with an escape fails `valid`.
    values = {str(i + 1): fold(g) if g is not None else "" for i, g in enumerate(groups)}
    if q is not None:
        values["q"] = fold(q)
    if sub is not None:
        values["sub"] = sub
    values["host"] = parsed.host
    # `valid` judges the name: the last field of the key (the others are fixed words or the platform's).
    fields = [name for name in _FIELD.findall(rule.key) if name != "host"]
    if rule.valid is not None and fields:
        name = values[fields[-1]]
        if not rule.valid.match(name):
            if strict:
                raise InvalidIdentity(f"{name!r} cannot be a {platform.name} {rule.kind} name: it has "
                                      f"characters or a length {platform.name} does not allow", field="url")
            return False
    key = _FIELD.sub(lambda m: values[m.group(1)], rule.key)
    return Identity(platform.id, rule.kind, key)


def _site_of(host: str) -> tuple[Platform, str, str] | None:
    """Returns (platform, site domain, sub-domain label) when host is somebody's site on a platform."""
    by_site = _index()[2]
    labels = host.split(".")
    for i in range(1, len(labels) - 1):
        site = ".".join(labels[i:])
        found = by_site.get(site)
        if found is not None:
            # <name>.<site> (or www./m.<name>.<site>) is somebody's site. A deeper host keeps all its labels:
            # the one left of the site may be the platform's own infrastructure (x.df.r.appspot.com's "r",
            # x.files.wordpress.com's "files"), and listing it would block every site beneath it.
            if i == 1 or labels[:i - 1] in (["www"], ["m"]):
                return found, site, labels[i - 1]
            return found, site, ".".join(labels[:i])
    return None


def place(url: str | CanonicalURL, *, strict: bool = False) -> Placement | None:
    """Returns where a URL sits on a platform of the table, or None when its host is on no platform.

    strict: raise InvalidIdentity when the URL has an identity's shape but a name the platform forbids
    (listing it would store nonsense); otherwise such a URL is just an unknown page of the platform.
    """
    parsed = parse(url) if isinstance(url, str) else url
    host = parsed.host
    found = _index()[1].get(host)
    if found is not None:
        if _is_own(found, parsed.path):
            return Placement(found, Where.OWN)
        return _place_by_rules(found, found.rules, parsed, None, strict) or Placement(found, Where.OTHER)
    site = _site_of(host)
    if site is None:
        return None
    found, domain, sub = site
    if sub in found.exclude:
        return Placement(found, Where.OWN)
    placed = _place_by_rules(found, found.site_rules, parsed, sub, strict)
    if placed is not None:
        return placed
    if found.site_rules:
        return Placement(found, Where.OTHER)
    return Placement(found, Where.IDENTITY, Identity(found.id, "page", f"{sub}.{domain}/"))


def _place_by_rules(found: Platform, rules: tuple[_Rule, ...], parsed: CanonicalURL, sub: str | None,
                    strict: bool) -> Placement | None:
    """Returns the placement given by the first rule that applies (its identity, or OTHER when the name is
    one the platform forbids), or None when no rule applies."""
    for rule in rules:
        identity = _apply(rule, found, parsed, sub, strict)
        if identity is False:
            return Placement(found, Where.OTHER)
        if identity is not None:
            assert isinstance(identity, Identity)
            return Placement(found, Where.IDENTITY, identity)
    return None


def is_identity_host(host: str) -> bool:
    """Reports whether a canonical host holds identities in its paths (instagram.com, t.me, olx.kz...)."""
    return host in _index()[1]


def on_platform(host: str) -> bool:
    """Reports whether a canonical host is an identity host or somebody's site on a platform."""
    return host in _index()[1] or _site_of(host) is not None


def identify(url_or_canonical: str | CanonicalURL) -> Identity | None:
    """Returns the identity a URL (any form: canonical, bare `host/path`, with or without scheme) names,
    or None for a URL on no platform, a platform's own page, or an unknown path shape."""
    try:
        placement = place(url_or_canonical)
    except ValueError:
        return None
    return placement.identity if placement is not None else None


def identity_for_entry(entry: str) -> Identity | None:
    """Returns the identity a moderator's entry names (strict: a forbidden name raises InvalidIdentity).

    A bare key is read as well as a URL: `phone:+77010001122`, `instagram.com/kaspi_shop`, `t.me/+AbC...`.
    """
    text = entry.strip()
    if text.lower().startswith(PHONE_PREFIX):
        try:
            return Identity("phone", "phone", indicators.canonical(text))
        except InvalidIndicator as exc:
            raise InvalidIdentity(exc.message, field="url") from None
    placement = place(text, strict=True)
    return placement.identity if placement is not None else None


# ---------------------------------------------------------------------------------------------------------
# The listing guard


def guard_problem(expression: str, *, allowlist: bool = False) -> str:
    """Returns why an expression must not be listed without an admin's force, or "" if it may be.

    Listing a public suffix (`github.io/`, `com.kz/`) or a platform's own domain or page (`instagram.com/`,
    `www.instagram.com/accounts/login/`, `olx.kz/`) would block everybody there: a report about two fake
    shops must never block all of Instagram. On the allowlist a platform's own domain is harmless (its
    trust is never lent to identities), but a public suffix would trust everybody under it.
    """
    if expression.startswith(PHONE_PREFIX) or expression.startswith(("card:", "iban:")):  # indicators: no host
        return ""
    host, slash, path = expression.partition("/")
    path = "/" + path if slash else "/"
    if not host or host.startswith("["):
        return ""
    suffix = public_suffix(host)
    if host == suffix:
        return f"{host} is a public suffix: anyone can register names under it, so listing it lists them all"
    if allowlist:
        return ""
    try:
        placement = place(CanonicalURL("http", host, path.partition("?")[0], None))
    except ValueError:
        placement = None
    if placement is not None and placement.where is Where.OWN and (path == "/" or "?" not in path):
        return (f"{expression} is {placement.platform.name}'s own page: listing it would list every account "
                f"and page on {placement.platform.name}; list the account's, listing's or page's URL instead")
    if path == "/":
        for found in platforms():
            domains = {registrable_domain(h) for h in found.hosts} | set(found.sites)
            if host in domains or host in found.hosts:
                return (f"{host} is the domain of {found.name}: listing it would list every account and page "
                        f"on {found.name}; list the account's, listing's or page's URL instead")
    return ""


# ---------------------------------------------------------------------------------------------------------
# The JavaScript twin


def javascript() -> str:
    """Returns extension/lib/platforms_table.js: the table as an ES module (a test keeps the file equal)."""
    body = json.dumps(table(), ensure_ascii=False, indent=1, sort_keys=True)
    return ("// Generated from service/data/platforms.toml by `python -m service.platforms --js`; do not edit.\n"
            "// tests/test_platforms.py fails when this file and the table differ.\n"
            f"export default {body};\n")


if __name__ == "__main__":  # pragma: no cover - a build helper
    if sys.argv[1:] == ["--js"]:
        sys.stdout.write(javascript())
    else:
        for arg in sys.argv[1:]:
            print(arg, identify(arg))
