"""The protected-brands file to a lookup of official domains and brand tokens.

`blocklists/brands.toml` is edited by moderators. Each brand has official domains (the allowlist: a host
equal to one of them or under it is `trusted`) and tokens that identify it inside other addresses (the
look-alike detector in `service.signals.lookalike` matches them). Example::

    [[brand]]
    id = "kaspi"
    name = "Kaspi.kz"
    category = "bank"
    official = ["kaspi.kz"]
    tokens = ["kaspi"]

    >>> brands = load_brands(Path("blocklists/brands.toml"))
    >>> brands.official_brand("guide.kaspi.kz").id
    'kaspi'
    >>> brands.official_brand("kaspi-kz.top") is None
    True

The file is read once per path (`load_brands` is cached; an edited brands file takes effect at the next
start); `default_brands()` reads the bundled `blocklists/brands.toml`, and the server uses the one in
`ABAILA_LISTS_DIR` when there is one (`service.engine.brands_for`). Reading happens here, at the edge:
scoring and the signal modules receive a `Brands` value and do no I/O.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import AbailaError

__all__ = ["Brand", "Brands", "BrandsFileError", "load_brands", "default_brands", "default_brands_path"]

BRANDS_FILE = "brands.toml"
_PACKAGE_DIR = Path(__file__).resolve().parent
_CATEGORIES = frozenset({"bank", "marketplace", "government", "post", "payment", "operator", "travel", "global"})
# A domain, or a brand TLD such as `microsoft` (every host under it belongs to the brand).
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{2,63}$")
_TOKEN = re.compile(r"^[a-z0-9]{2,63}$")


class BrandsFileError(AbailaError, ValueError):
    """The brands file is malformed; the message names the file, the brand and the field."""

    code = "brands_file"


@dataclass(frozen=True, slots=True)
class Brand:
    """One protected brand: its official domains and the names that identify it elsewhere."""

    id: str
    name: str
    category: str
    official: tuple[str, ...]  # registrable domains or narrower hosts; hosts under them are official too
    tokens: tuple[str, ...] = ()  # distinctive names: matched inside words and with small typos (5+ letters)
    exact: tuple[str, ...] = ()  # ordinary-word names: matched only as whole words or via look-alike letters
    any_tld: bool = False  # the brand uses its name under many TLDs: `<token>.<other tld>` alone is no look-alike
    hosting: tuple[str, ...] = ()  # brand-owned domains where anyone publishes: not trusted, not a look-alike

    @property
    def primary(self) -> str:
        """Returns the official domain shown to users ("the official address is ...")."""
        return next((d for d in self.official if "." in d), self.official[0])


@dataclass(frozen=True, slots=True)
class Brands:
    """All protected brands, with an index from official domain to brand."""

    brands: tuple[Brand, ...]
    _by_official: dict[str, Brand] = field(default_factory=dict, repr=False, compare=False)
    _hosting: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    # The look-alike matcher of these brands (service.signals.lookalike.build_matcher), built once here:
    # typed object because that module imports this one.
    lookalike_matcher: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        from service.signals.lookalike import build_matcher  # it imports Brands: import at use

        object.__setattr__(self, "_hosting", frozenset(d for brand in self.brands for d in brand.hosting))
        for brand in self.brands:
            for domain in brand.official:
                self._by_official.setdefault(domain, brand)
        object.__setattr__(self, "lookalike_matcher", build_matcher(self))

    def official_brand(self, host: str) -> Brand | None:
        """Returns the brand whose official domain is host or a parent of host, else None."""
        by_official = self._by_official
        rest = host
        while True:
            brand = by_official.get(rest)
            if brand is not None:
                return brand
            dot = rest.find(".")
            if dot < 0:
                return None
            rest = rest[dot + 1:]

    def is_brand_hosting(self, host: str) -> bool:
        """Reports whether host is under a brand-owned hosting domain (blogspot.com, amazonaws.com)."""
        hosting = self._hosting
        rest = host
        while True:
            if rest in hosting:
                return True
            dot = rest.find(".")
            if dot < 0:
                return False
            rest = rest[dot + 1:]

    def is_official(self, host: str) -> bool:
        """Reports whether host is an official domain of a protected brand, or under one."""
        return self.official_brand(host) is not None

    def __iter__(self) -> Iterator[Brand]:
        return iter(self.brands)

    def __len__(self) -> int:
        return len(self.brands)


def _strings(path: Path, brand_id: str, raw: dict[str, object], key: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BrandsFileError(f"{path}: brand {brand_id!r}: {key} must be a list of strings, not {value!r}")
    out = []
    for item in value:
        text = item.strip().lower()
        if not pattern.match(text):
            raise BrandsFileError(f"{path}: brand {brand_id!r}: {key} has an invalid entry {item!r}")
        out.append(text)
    return tuple(out)


def parse_brands(text: str, path: Path = Path("<string>")) -> Brands:
    """Returns the brands in a brands.toml text; raises BrandsFileError naming the file, brand and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BrandsFileError(f"{path}: not valid TOML: {exc}") from exc
    entries = data.get("brand", [])
    if not isinstance(entries, list):
        raise BrandsFileError(f"{path}: [[brand]] must be an array of tables")
    brands = []
    seen: set[str] = set()
    for number, raw in enumerate(entries, 1):
        brand_id = raw.get("id")
        if not isinstance(brand_id, str) or not brand_id:
            raise BrandsFileError(f"{path}: brand #{number} has no id")
        if brand_id in seen:
            raise BrandsFileError(f"{path}: brand id {brand_id!r} appears twice")
        seen.add(brand_id)
        category = raw.get("category", "global")
        if category not in _CATEGORIES:
            raise BrandsFileError(f"{path}: brand {brand_id!r}: category {category!r} is not one of "
                                  f"{', '.join(sorted(_CATEGORIES))}")
        official = _strings(path, brand_id, raw, "official", _DOMAIN)
        if not official:
            raise BrandsFileError(f"{path}: brand {brand_id!r}: official must list at least one domain")
        brands.append(Brand(
            id=brand_id,
            name=str(raw.get("name", brand_id)),
            category=category,
            official=official,
            tokens=_strings(path, brand_id, raw, "tokens", _TOKEN),
            exact=_strings(path, brand_id, raw, "exact", _TOKEN),
            any_tld=bool(raw.get("any_tld", False)),
            hosting=_strings(path, brand_id, raw, "hosting", _DOMAIN),
        ))
    return Brands(tuple(brands))


def load_brands(path: str | Path) -> Brands:
    """Returns the brands in the file at path (raises BrandsFileError if malformed). It reads the file each
    time: the engine loads it once at start-up and hands the Brands to the checker."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BrandsFileError(f"cannot read the brands file {path}: {exc.strerror}") from exc
    return parse_brands(text, path)


def default_brands_path() -> Path:
    """Returns the bundled brands file (the repository's blocklists/, else the package's copy)."""
    from service.settings import bundled_lists_dir

    return bundled_lists_dir() / BRANDS_FILE


def default_brands() -> Brands:
    """Returns the brands from default_brands_path(), or none if that file does not exist."""
    path = default_brands_path()
    if not path.is_file():
        return _NO_BRANDS
    return load_brands(path)


_NO_BRANDS = Brands(())
