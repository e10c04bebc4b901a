"""A host name to look-alike findings: which protected brand it imitates, and how.

Pure: the brands come in as a `Brands` value (`service.brands`), the confusables table is read once from the
`confusable-homoglyphs` package (Unicode's confusables.txt, UTS #39 §4). Example::

    >>> brands = load_brands("blocklists/brands.toml")
    >>> lookalike_findings("xn--hmebank-9ig.kz", "xn--hmebank-9ig.kz", "kz", brands)   # hоmebank.kz, Cyrillic о
    [Finding(code='lookalike.homoglyph', evidence={'brand': 'Halyk Bank / Homebank', 'official': 'halykbank.kz',
             'domain': 'xn--hmebank-9ig.kz', 'shown': 'hоmebank.kz', 'token': 'homebank'})]

How a name is compared with a brand token (the brands file says which tokens allow what):

    skeleton        UTS #39 skeleton (each character to its prototype), extended for domains: diacritics and
                    overlays are dropped (ө -> o̵ -> o, ғ -> r̵ -> r) and Kazakh letters without a Latin
                    prototype get one (ә/ə -> e, қ -> k, ң -> h). So `kаspі` (Cyrillic а, Kazakh і), `paypa1`
                    and `rnicrosoft` all fall onto their brand.
    edit distance   optimal string alignment (typos and swapped letters), on the skeleton; at most 1 for
                    tokens of 5-8 letters, 2 from 9 letters (`kaspii`, `hallykbank`, `homeybank`); never for
                    `exact` tokens (ordinary words such as `forte`, `apple`) or tokens under 5 letters.
    words           the name split at hyphens; a brand word next to a scam keyword or country word is
                    `brand_keyword` (`halyk-bonus`, `egov-shtraf`, `kaspi-kz`).

Findings, strongest first (one per host: the strongest for the best-matching brand):

    lookalike.homoglyph            letters from another alphabet make the name read as a brand (`hоmebank.kz`)
    lookalike.other_tld            the official name under another TLD (`kaspi.com`, `homebank.kz.com`)
    lookalike.brand                a misspelling of the brand (`kaspii.kz`, `paypa1.com`)
    lookalike.brand_keyword        the brand plus a scam keyword or country (`kaspi-kz.top`, `halyk-bonus.com`)
    lookalike.brand_in_subdomain   the brand in front of an unrelated domain (`olx-kz.deal.online`,
                                   `kaspi.kz.secure-pay.top`)
    lookalike.brand_token          the brand inside a longer unrelated name (`mykaspishop.com`): weak alone
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz.distance import OSA

from service.brands import Brand, Brands
from service.signals.lexical import COUNTRY_WORDS, Finding, decode_label, keywords_in

__all__ = ["lookalike_findings", "account_name_findings", "skeleton", "STRENGTH"]

# Order of strength, strongest first; scoring's weights follow the same order.
STRENGTH = ("lookalike.homoglyph", "lookalike.other_tld", "lookalike.brand", "lookalike.brand_keyword",
            "lookalike.brand_in_subdomain", "lookalike.brand_token")
_RANK = {code: i for i, code in enumerate(STRENGTH)}

# Kazakh and other letters whose UTS #39 prototype is not ASCII, mapped to the Latin letter they pass for in
# a domain (kz-context §2.8: і looks like i, һ like h, ә is close to ə). Applied after the UTS #39 mapping.
_SUPPLEMENT = {"ǝ": "e", "ə": "e", "ә": "e", "ĸ": "k", "ʜ": "h", "ɡ": "g", "ı": "i", "ȷ": "j", "ʀ": "r",
               "ɢ": "g", "ʏ": "y", "ᴋ": "k", "ᴍ": "m", "ᴛ": "t", "ʙ": "b", "ɴ": "n", "ᴄ": "c", "ᴏ": "o",
               "ᴘ": "p", "ꜱ": "s", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ᴀ": "a", "ᴅ": "d", "ᴇ": "e",
               "ꜰ": "f", "ʟ": "l", "ɪ": "i"}
_ASCII_FOLD = str.maketrans({"0": "o", "1": "l"})
_FUZZY_MIN = 5  # letters; shorter tokens are too close to ordinary words for typo matching
_SHORT_TOKEN = 8  # letters; below this, typo matching keeps the first letter and the length (mail != gmail)
_FUZZY_TWO = 9  # letters; from here two edits are still clearly the brand (`hallykbamk`)
_SPLIT = re.compile(r"[-_]+")
# Names that look like a typo of a brand but are ordinary words or big unrelated sites; typo matching skips
# them (measured on the Tranco top 100k with bench/evaluate).
_NOT_TYPOS = frozenset({
    "finance", "binanc", "goggle", "google", "youtube", "outlook", "kolesa", "krisha", "sulpak", "itunes",
    "tunes", "cloud", "iclouds", "paypal", "gmail", "email", "amazon", "amazing", "amazin", "netflix", "netflex",
    "beeline", "yandex", "yande", "jusan", "susan", "kaspr", "halyk", "enbek", "kcell", "excel", "kassa",
    "elicense", "license", "licence", "otbasy", "telegraf", "telegra",
})
# Words that, next to a brand name, make the scam pattern `brand + service word` (`paypal-resolve`,
# `apple-support`, `kaspi-bonus`): the lexical keywords plus service words too common to weigh alone.
_COMPANIONS = frozenset({
    "support", "help", "helpdesk", "care", "center", "centre", "service", "services", "online", "store", "shop",
    "official", "team", "app", "web", "site", "info", "status", "customer", "client", "manage", "alert",
    "limited", "limitation", "locked", "lock", "recovery", "resolve", "resolution", "cash", "crypto", "promo",
    "free", "win", "winner", "premium", "sign", "signin", "log", "user", "id", "access", "case", "notice",
    "security", "safety", "protect", "check", "card", "cards", "money", "transfer", "bank", "credit", "loan",
    "kredit", "nalog", "market", "sale", "sales", "discount", "skidka", "aktsiya", "akciya", "gift", "gifts",
})
_LONG_COMPANIONS = tuple(w for w in _COMPANIONS if len(w) >= 5)
# Registrable domains of CDN and DNS infrastructure whose host names repeat customers' brands by design
# (`itunes-apple.com.akadns.net`); nobody can register names there on their own.
_INFRASTRUCTURE = frozenset({
    "akadns.net", "akamaiedge.net", "edgekey.net", "edgesuite.net", "akamaized.net", "akamai.net",
    "trafficmanager.net", "cloudfront.net", "fastly.net", "llnwd.net", "edgecastcdn.net", "azurefd.net",
    "footprint.net", "cdn77.org", "impervadns.net", "cloudflare.net",
})


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Returns character -> UTS #39 prototype, from the confusable-homoglyphs package's confusables.json.

    That file lists, for every character of confusables.txt, the characters it is confusable with: a
    character that is not a prototype lists exactly its prototype; a prototype lists all that map to it.
    When two characters list only each other, the lower code point is taken as the prototype.
    """
    text = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    data: dict[str, list[dict[str, str]]] = json.loads(text)
    table: dict[str, str] = {}
    for char, entries in data.items():
        if len(char) != 1 or len(entries) != 1:
            continue
        target = entries[0]["c"].replace("\u200e", "")
        back = data.get(target, [])
        if len(back) == 1 and back[0]["c"] == char and ord(char) < ord(target[0]):
            continue  # a mutual pair: char is the prototype
        table[char] = target
    return table


@lru_cache(maxsize=65536)
def skeleton(text: str) -> str:
    """Returns the domain skeleton of text: UTS #39 prototypes, lowercased, without marks (`kаspі` -> `kaspi`).

    UTS #39 maps `m` to `rn`; a domain skeleton keeps `m` and folds `rn` onto it instead, so that keywords
    (`payment`) still read as words. `0` and `1` fall onto `o` and `l` as in confusables.txt.
    """
    if text.isascii():
        return text.lower().translate(_ASCII_FOLD).replace("rn", "m")
    table = _prototypes()
    mapped = "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text)).lower()
    mapped = "".join(table.get(c, c) for c in mapped)  # lowercasing can make new confusable characters
    folded = unicodedata.normalize("NFKD", mapped)
    out = "".join(_SUPPLEMENT.get(c, c) for c in folded if not unicodedata.combining(c))
    return out.translate(_ASCII_FOLD).replace("rn", "m")


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    skeleton: str
    brand: Brand
    fuzzy: bool  # typo matching and matching inside longer words allowed


@dataclass(frozen=True, slots=True)
class _Matcher:
    tokens: tuple[_Token, ...]
    by_skeleton: dict[str, _Token]
    fuzzy: tuple[_Token, ...]
    fuzzy_re: re.Pattern[str] | None


def _matcher(brands: Brands) -> _Matcher:
    matcher = brands.lookalike_matcher
    assert isinstance(matcher, _Matcher), "Brands builds its matcher with build_matcher"
    return matcher


def build_matcher(brands: Brands) -> _Matcher:
    """Returns the look-alike matcher of brands: their tokens by skeleton and one regex of the fuzzy ones.
    Brands calls it once, when it is made (service.brands), and keeps the result."""
    tokens = []
    for brand in brands:
        for text in brand.tokens:
            tokens.append(_Token(text, skeleton(text), brand, len(text) >= _FUZZY_MIN))
        for text in brand.exact:
            tokens.append(_Token(text, skeleton(text), brand, False))
    by_skeleton: dict[str, _Token] = {}
    for token in tokens:
        by_skeleton.setdefault(token.skeleton, token)
    fuzzy = tuple(t for t in tokens if t.fuzzy)
    pattern = "|".join(re.escape(t.skeleton) for t in sorted(fuzzy, key=lambda t: len(t.skeleton), reverse=True))
    return _Matcher(tuple(tokens), by_skeleton, fuzzy, re.compile(pattern) if pattern else None)


def _evidence(token: _Token, domain: str, shown: str, **extra: Any) -> dict[str, Any]:
    official = next((d for d in token.brand.official if d.split(".")[0] == token.text), token.brand.primary)
    return {"brand": token.brand.name, "official": official, "domain": domain, "shown": shown,
            "token": token.text, **extra}


def _companions(text: str, matcher: _Matcher) -> list[str]:
    """Returns the scam keywords and service words in text, other than brand tokens themselves."""
    brand_words = matcher.by_skeleton
    found = [k for k in keywords_in(text) if k not in brand_words]
    found += [w for w in _SPLIT.split(text) if w in _COMPANIONS and w not in brand_words]
    found += [w for w in _LONG_COMPANIONS if w in text and w not in brand_words]
    return list(dict.fromkeys(found))


def _typo(word: str, matcher: _Matcher) -> tuple[_Token, int] | None:
    if len(word) < _FUZZY_MIN - 1 or word in _NOT_TYPOS:
        return None
    best: tuple[_Token, int] | None = None
    for token in matcher.fuzzy:
        limit = 2 if len(token.skeleton) >= _FUZZY_TWO else 1
        if abs(len(token.skeleton) - len(word)) > limit:
            continue
        if len(token.skeleton) < _SHORT_TOKEN and (word[0] != token.skeleton[0] or len(word) < len(token.skeleton)):
            continue  # short tokens: a changed first letter or a dropped letter is usually another word
        distance = OSA.distance(word, token.skeleton, score_cutoff=limit)
        if 0 < distance <= limit and (best is None or distance < best[1]):
            best = (token, distance)
    return best


def _name_findings(label: str, shown_label: str, domain: str, shown: str, suffix: str,
                   matcher: _Matcher) -> list[tuple[str, _Token, dict[str, Any]]]:
    """Returns look-alike candidates for the registrable label (the name left of the public suffix)."""
    out: list[tuple[str, _Token, dict[str, Any]]] = []
    is_idn = not shown_label.isascii()
    skel = skeleton(shown_label)
    words = [w for w in _SPLIT.split(skel) if w]
    plain_words = [w for w in _SPLIT.split(shown_label) if w]

    # Whole name equals a brand token once look-alike letters are resolved.
    token = matcher.by_skeleton.get(skel)
    if token is not None:
        if is_idn:
            out.append(("lookalike.homoglyph", token, _evidence(token, domain, shown)))
        elif shown_label != token.text:
            out.append(("lookalike.brand", token, _evidence(token, domain, shown, distance=0)))
        elif not token.brand.any_tld:
            out.append(("lookalike.other_tld", token, _evidence(token, domain, shown, tld=suffix)))
        return out

    # A hyphen word is a brand token: with a keyword or country word it is the scam pattern.
    rest_keywords = _companions(skel, matcher)
    country = next((w for w in words if w in COUNTRY_WORDS), None)
    for word, plain in zip(words, plain_words + [""] * len(words), strict=False):
        token = matcher.by_skeleton.get(word)
        if token is None:
            continue
        code = "lookalike.homoglyph" if is_idn and not plain.isascii() else None
        if code is None and (rest_keywords or country):
            out.append(("lookalike.brand_keyword", token,
                        _evidence(token, domain, shown, keyword=rest_keywords[0] if rest_keywords else country)))
        elif code is not None:
            out.append((code, token, _evidence(token, domain, shown)))
        else:
            out.append(("lookalike.brand_token", token, _evidence(token, domain, shown)))

    # Typos of distinctive tokens, on the whole name and on each hyphen word.
    if not out:
        for word in dict.fromkeys([skel.replace("-", ""), *words]):
            hit = _typo(word, matcher)
            if hit is not None:
                token, distance = hit
                code = "lookalike.homoglyph" if is_idn else "lookalike.brand"
                out.append((code, token, _evidence(token, domain, shown, distance=distance)))
                break

    # A distinctive token inside a longer word (`kaspikz`, `homebankonline`, `mykaspishop`).
    if not out and matcher.fuzzy_re is not None:
        match = matcher.fuzzy_re.search(skel)
        if match is not None:
            token = next(t for t in matcher.fuzzy if t.skeleton == match.group(0))
            remainder = skel[:match.start()] + "-" + skel[match.end():]
            rest = _companions(remainder, matcher) or [w for w in _SPLIT.split(remainder) if w in COUNTRY_WORDS]
            tail = skel[match.end():]
            rest = rest or ([c for c in COUNTRY_WORDS if tail.startswith(c) or tail.endswith(c)] if tail else [])
            if is_idn:
                out.append(("lookalike.homoglyph", token, _evidence(token, domain, shown)))
            elif rest:
                out.append(("lookalike.brand_keyword", token, _evidence(token, domain, shown, keyword=rest[0])))
            else:
                out.append(("lookalike.brand_token", token, _evidence(token, domain, shown)))
    return out


def _subdomain_findings(left: list[str], shown_left: list[str], domain: str, shown: str, labels: list[str],
                        brands: Brands, matcher: _Matcher) -> list[tuple[str, _Token, dict[str, Any]]]:
    """Returns candidates for brand names left of an unrelated registrable domain."""
    out: list[tuple[str, _Token, dict[str, Any]]] = []
    # The official domain followed by more labels: `homebank.kz.com` (another TLD), `kaspi.kz.secure-pay.top`.
    for i in range(1, len(labels) - 1):
        prefix = ".".join(labels[i - 1:i + 1])  # labels i-1 and i: `homebank.kz` in homebank.kz.com
        brand = brands.official_brand(prefix)
        if brand is None or prefix not in brand.official:
            continue
        token = matcher.by_skeleton.get(skeleton(prefix.split(".")[0])) or _Token(prefix, prefix, brand, False)
        rest = labels[i + 1:]
        code = "lookalike.other_tld" if len(rest) == 1 or (len(rest) == 2 and len(rest[0]) <= 3) \
            else "lookalike.brand_in_subdomain"
        out.append((code, token, _evidence(token, domain, shown)))
        return out
    for shown_label in shown_left:
        skel = skeleton(shown_label)
        for word in _SPLIT.split(skel):
            found = matcher.by_skeleton.get(word)
            if found is not None:
                token = found
                code = "lookalike.homoglyph" if not shown_label.isascii() else "lookalike.brand_in_subdomain"
                out.append((code, token, _evidence(token, domain, shown)))
                return out
        if matcher.fuzzy_re is not None:
            match = matcher.fuzzy_re.search(skel)
            if match is not None:
                token = next(t for t in matcher.fuzzy if t.skeleton == match.group(0))
                out.append(("lookalike.brand_in_subdomain", token, _evidence(token, domain, shown)))
                return out
    return out


def _is_infrastructure(host: str) -> bool:
    rest = host
    while "." in rest:
        if rest in _INFRASTRUCTURE:
            return True
        rest = rest.partition(".")[2]
    return False


def lookalike_findings(host: str, registrable_domain: str, public_suffix: str, brands: Brands) -> list[Finding]:
    """Returns the strongest look-alike finding for host (a canonical, punycode host), or [] if none.

    An official domain of a brand (or a host under one) is never a look-alike: scoring trusts it first.
    """
    if not brands or brands.is_official(host) or registrable_domain == public_suffix or _is_infrastructure(host) \
            or brands.is_brand_hosting(host):
        return []
    matcher = _matcher(brands)
    labels = host.split(".")
    reg_labels = registrable_domain.count(".") + 1
    left = labels[:len(labels) - reg_labels]
    reg_label = labels[len(labels) - reg_labels]
    shown_reg = decode_label(reg_label)
    shown_left = [decode_label(label) for label in left]
    shown = ".".join([*shown_left, shown_reg, *labels[len(labels) - reg_labels + 1:]])

    candidates = _name_findings(reg_label, shown_reg, registrable_domain, shown, public_suffix, matcher)
    if left:
        candidates += _subdomain_findings(left, shown_left, registrable_domain, shown, labels, brands, matcher)
    if not candidates:
        return []
    code, _token, evidence = min(candidates, key=lambda c: _RANK[c[0]])
    return [Finding(code, evidence)]


_NAME_SPLIT = re.compile(r"[._\-]+")
# Findings on a name that count as "uses the brand": the brand with a keyword, a misspelt or look-alike
# brand, or the brand's exact name. A distinctive token inside a longer word counts too; an ordinary-word
# token (`forte`, `apple`) alone does not (`forte_music` is not ForteBank).
_NAME_CODES = frozenset({"lookalike.homoglyph", "lookalike.other_tld", "lookalike.brand", "lookalike.brand_keyword",
                         "lookalike.brand_token"})


_GLOBAL_NAME_CODES = frozenset({"lookalike.homoglyph", "lookalike.brand_keyword"})


def account_name_findings(name: str, brands: Brands, platform_host: str = "") -> list[Finding]:
    """Returns `lookalike.account_name` when an account or page name uses a protected brand, else [].

    The name is what a platform shows after its domain (`kaspi.sale.bonus`, `halyk_help_desk`,
    `egov.tolemder`); it is split at dots, underscores and hyphens and read with the same tokens, skeletons
    and keywords as a domain label::

        >>> account_name_findings("kaspi.sale.bonus", brands)[0].evidence["brand"]
        'Kaspi.kz'
        >>> account_name_findings("aruzhan_bakery_taraz", brands)
        []

    Measured on 1,159 real Telegram handles (bench/bench_handles.py), names *about* a global brand
    (`google_sheets`, `yandexcloud_chat`) are common and harmless, so for brands of the `global` category
    only the brand with a scam keyword or look-alike letters counts; for the local brands people are
    robbed in the name of (banks, marketplaces, eGov, post, payment, operators) any use counts. The
    platform's own brand (`telegram` on t.me) never counts.
    """
    label = _NAME_SPLIT.sub("-", name.lower()).strip("-")
    if len(label) < 3 or not brands:
        return []
    matcher = _matcher(brands)
    candidates = [c for c in _name_findings(label, label, name, name, "", matcher) if c[0] in _NAME_CODES]
    own = brands.official_brand(platform_host) if platform_host else None
    candidates = [c for c in candidates if c[1].brand is not own
                  and (c[0] != "lookalike.brand_token" or c[1].fuzzy)
                  and (c[1].brand.category != "global" or c[0] in _GLOBAL_NAME_CODES)]
    if not candidates:
        return []
    code, token, evidence = min(candidates, key=lambda c: _RANK[c[0]])
    return [Finding("lookalike.account_name", {"brand": evidence["brand"], "official": evidence["official"],
                                               "name": name, "token": token.text, "via": code,
                                               **({"keyword": evidence["keyword"]} if "keyword" in evidence else {})})]
