"""A URL's own text to lexical findings: what the address alone says about the site.

Pure and fast: no I/O beyond reading the bundled TLD table once, no clock. Each finding is a reason code and
its evidence; `service.scoring` gives it its severity and weight (one table, `WEIGHTS`). Example::

    >>> [f.code for f in lexical_findings(parse("http://olx-kz.dostavka-oplata.online/pay"), "dostavka-oplata.online",
    ...                                   "online")]
    ['lexical.suspicious_tld', 'lexical.keyword']

Signals (issue 4, part 3): IP-literal host, userinfo (`user@host`), non-default port, suspicious TLDs
(`service/data/suspicious_tlds.txt`), payment / delivery / verification keywords in kk, ru (with
transliterations such as `oplata`, `dostavka`) and en, many hyphens or labels, URL shorteners, free hosting
platforms, very long or random-looking labels, a TLD imitated inside the name (`paypal.com-secure.info`),
and labels that mix alphabets (UTS #39 mixed-script detection).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import idna

from service.urls import CanonicalURL, is_ip_host

__all__ = ["Finding", "lexical_findings", "keywords_in", "decode_label", "suspicious_tlds", "KEYWORDS",
           "COUNTRY_WORDS", "SHORTENERS", "FREE_HOSTING"]


class Finding(NamedTuple):
    """One signal that fired: a stable reason code and its evidence (scoring adds severity and weight)."""

    code: str
    evidence: dict[str, Any]


# Words typical of fake payment, delivery, prize and login pages. Matched against the host's words (split at
# dots and hyphens); those of 5+ characters also inside longer words (`kaspioplata`). Sources: kz-context.md
# §2 (Classiscam page types "получение / оплата / возврат / ввод карты / 3ds / track", fines, parcels,
# prizes), 360.ru (secure, verify, support, pay, login), phishing_catcher's generic list.
KEYWORDS: frozenset[str] = frozenset({
    # en
    "login", "signin", "logon", "verify", "verification", "validate", "secure", "security", "account",
    "update", "confirm", "support", "billing", "payment", "pay", "wallet", "bonus", "prize", "gift", "refund",
    "delivery", "courier", "track", "tracking", "parcel", "invoice", "unlock", "recover", "restore", "auth", "webscr",
    "password", "reward", "limited", "locked", "resolve", "recovery", "signon", "compensation", "cashback",
    "claim", "airdrop", "checkout", "suspended", "payout",
    "receive", "safedeal", "fine", "fines", "penalty", "bank-card", "card", "3ds", "otp",
    # ru, transliterated
    "oplata", "oplatit", "dostavka", "vozvrat", "poluchenie", "poluchit", "perevod", "vyplata", "vyplaty",
    "kompensaciya", "kompensatsiya", "kompensacia", "shtraf", "shtrafy", "priz", "podarok", "posylka", "kurer",
    "sdelka", "bezopasnaya", "vhod", "kabinet", "podtverdit", "podtverzhdenie", "karta", "vozvrat-sredstv",
    # kk, transliterated
    "tolem", "tolew", "zhetkizu", "jetkizu", "aiyppul", "aiyppyl", "syilyq", "syilyk", "qaitaru",
    # ru and kk in Cyrillic (IDN labels)
    "оплата", "доставка", "возврат", "получение", "выплата", "компенсация", "штраф", "приз", "подарок",
    "посылка", "курьер", "сделка", "вход", "кабинет", "бонус", "карта", "төлем", "жеткізу", "айыппұл",
    "сыйлық", "қайтару",
})
_LONG_KEYWORDS = tuple(sorted(k for k in KEYWORDS if len(k) >= 5))
_LONG_KEYWORD_RE = re.compile("|".join(re.escape(k) for k in sorted(_LONG_KEYWORDS, key=len, reverse=True)))

# A brand name next to a country word is the Classiscam pattern (`olx-kz`, `kaspi-kaz`): kz-context §2.2.
COUNTRY_WORDS: frozenset[str] = frozenset({"kz", "kaz", "qaz", "kazakhstan", "qazaqstan", "kazakstan", "kzt"})

# Link shorteners: the real destination is hidden until the click.
SHORTENERS: frozenset[str] = frozenset({
    "bit.ly", "bitly.com", "tinyurl.com", "t.co", "ow.ly", "is.gd", "v.gd", "cutt.ly", "rb.gy", "shorturl.at",
    "clck.ru", "vk.cc", "u.to", "tiny.cc", "rebrand.ly", "bit.do", "s.id", "qps.ru", "t.ly", "surl.li",
    "buff.ly", "tr.im", "x.co", "soo.gd", "shorturl.asia", "lnkd.in", "urlz.fr", "gg.gg", "clc.to", "tiny.one",
    "goo.su", "l.wl.co", "inlnk.ru", "cli.re", "shrtco.de", "goo.gl",
})

# Platforms where anyone can publish a page under the platform's name in seconds (site builders, free
# hosting, tunnels, dynamic DNS). Honest shops use them too, so this is a small weight, never a verdict.
FREE_HOSTING: frozenset[str] = frozenset({
    "000webhostapp.com", "weebly.com", "wixsite.com", "firebaseapp.com", "web.app", "netlify.app", "vercel.app",
    "github.io", "glitch.me", "herokuapp.com", "blogspot.com", "appspot.com", "pages.dev", "workers.dev",
    "godaddysites.com", "webflow.io", "square.site", "mystrikingly.com", "yolasite.com", "jimdosite.com",
    "wordpress.com", "tilda.ws", "ucoz.ru", "ucoz.net", "narod.ru", "r2.dev", "ngrok.io", "ngrok-free.app",
    "ngrok.app", "repl.co", "replit.app", "onrender.com", "azurewebsites.net", "web.core.windows.net",
    "storage.googleapis.com", "firebasestorage.googleapis.com", "sharepoint.com", "ipfs.io", "dweb.link",
    "trycloudflare.com", "duckdns.org", "ddns.net", "hopto.org", "zapto.org", "no-ip.org", "sytes.net",
    "servehttp.com", "wcomhost.com", "rxportalhosting.com", "weeblysite.com", "wixstudio.io", "framer.app",
    "framer.website", "carrd.co", "bubbleapps.io", "glide.page", "sites.google.com", "forms.gle",
    "typedream.app", "surge.sh", "fly.dev", "cprapid.com", "translate.goog", "s3.amazonaws.com",
    "backblazeb2.com", "telegra.ph", "notion.site", "start.page", "linktr.ee", "webwave.dev", "codeanyapp.com",
})

_TLD_TABLE = "data/suspicious_tlds.txt"
_WORD_SPLIT = re.compile(r"[.\-_]+")
_FAKE_TLD_WORDS = frozenset({"com", "net", "org", "gov", "gouv", "edu"})
_FAKE_TLD_LABELS = _FAKE_TLD_WORDS | {"kz", "ru", "info", "biz", "co", "uk", "de", "us"}
_VOWELS = frozenset("aeiouy")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_AUTHORITY = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://([^/?#]*)")
_LONG_LABEL = 30  # characters; DGA and kit names run long, honest brand names rarely pass 25
_MANY_HYPHENS = 3  # in the name before the public suffix (`secure-kaspi-pay-kz.top`)
_MANY_SUBDOMAINS = 3  # labels left of the registrable domain (`a.b.c.evil.top`)


@lru_cache(maxsize=1)
def suspicious_tlds() -> dict[str, str]:
    """Returns the suspicious-TLD table: TLD -> tier ("free" or "cheap"), from service/data/suspicious_tlds.txt."""
    text = resources.files("service").joinpath(_TLD_TABLE).read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        tier = fields[1] if len(fields) > 1 else "cheap"
        if tier not in ("free", "cheap"):  # bad data, not a programmer error: say where
            raise ValueError(f"{_TLD_TABLE}:{number}: unknown tier {tier!r} (expected free or cheap)")
        table[fields[0].lower()] = tier
    return table


@lru_cache(maxsize=65536)
def decode_label(label: str) -> str:
    """Returns the Unicode form of a punycode label (`xn--hmebank-...` -> `hоmebank`), or label as is."""
    if not label.startswith("xn--"):
        return label
    try:
        return idna.decode(label)
    except idna.IDNAError:
        try:
            return label[4:].encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            return label


def keywords_in(text: str) -> list[str]:
    """Returns the scam keywords in a host name text (whole words, plus long keywords inside words)."""
    found = [w for w in _WORD_SPLIT.split(text) if w in KEYWORDS]
    found.extend(m.group(0) for m in _LONG_KEYWORD_RE.finditer(text))
    return list(dict.fromkeys(found))


def _script(char: str) -> str | None:
    if char.isascii():
        return "Latin" if char.isalpha() else None
    if not char.isalpha():
        return None
    try:
        name = unicodedata.name(char)
    except ValueError:
        return None
    return name.split(" ", 1)[0].capitalize()


def _mixed_script_label(labels: list[str]) -> str | None:
    """Returns the first label that mixes alphabets (Latin with Cyrillic or Greek ...), else None."""
    for label in labels:
        if label.isascii():
            continue
        scripts = {s for s in map(_script, label) if s is not None}
        if len(scripts) > 1:
            return label
    return None


def _is_random(label: str) -> bool:
    """Reports whether a name label looks machine-made: digit/letter soup or unpronounceable runs."""
    if len(label) < 12 or not label.isascii() or "-" in label:
        return False
    letters = [c for c in label if c.isalpha()]
    digits = len(label) - len(letters)
    if digits >= 4 and len(letters) >= 4:
        switches = sum(1 for a, b in zip(label, label[1:], strict=False) if a.isdigit() != b.isdigit())
        if switches >= 5:
            return True
    if len(letters) >= 12:
        vowels = sum(1 for c in letters if c in _VOWELS)
        if vowels / len(letters) < 0.15:
            return True
        run = longest = 0
        for c in letters:
            run = 0 if c in _VOWELS else run + 1
            longest = max(longest, run)
        if longest >= 7:
            return True
    return False


def _authority_tricks(raw_url: str, scheme: str) -> list[Finding]:
    match = _AUTHORITY.match(raw_url.strip())
    if not match:
        return []
    authority = match.group(1)
    found = []
    userinfo, at, hostport = authority.rpartition("@")
    if at:
        found.append(Finding("lexical.userinfo", {"shown": userinfo[:80]}))
    if not hostport.endswith("]") and ":" in hostport:
        port = hostport.rpartition(":")[2]
        if port.isdigit() and int(port) != _DEFAULT_PORTS.get(scheme, -1):
            found.append(Finding("lexical.port", {"port": int(port)}))
    return found


def _platform(host: str) -> str | None:
    rest = host
    while "." in rest:
        if rest in FREE_HOSTING:
            return rest
        rest = rest.partition(".")[2]
    return None


# Installable app files (issue 13): fake bank, delivery and "bonus" apps that steal SMS codes (kz-context §6).
APP_EXTENSIONS = ("apk", "xapk", "apks", "exe", "msi")


def app_file_kind(path: str) -> str | None:
    """Returns the extension of an Android package or Windows installer the URL path points at, or None."""
    last = path.rsplit("/", 1)[-1].lower()
    ext = last.rsplit(".", 1)[-1] if "." in last else ""
    return ext if ext in APP_EXTENSIONS else None


def lexical_findings(url: CanonicalURL, registrable_domain: str, public_suffix: str,
                     raw_url: str = "") -> list[Finding]:
    """Returns the lexical findings for a parsed URL, its registrable domain and public suffix.

    raw_url, when given, is the address as the user saw it: only it still shows userinfo and the port.
    """
    host = url.host
    found: list[Finding] = []
    if raw_url:
        found.extend(_authority_tricks(raw_url, url.scheme))
    app = app_file_kind(url.path)
    if app is not None:
        found.append(Finding("lexical.app_file", {"extension": app}))
    if is_ip_host(host):
        found.append(Finding("lexical.ip_host", {"host": host}))
        return found

    labels = host.split(".")
    tld = labels[-1]
    tier = suspicious_tlds().get(tld)
    if tier == "free":
        found.append(Finding("lexical.free_tld", {"tld": tld}))
    elif tier == "cheap":
        found.append(Finding("lexical.suspicious_tld", {"tld": tld}))

    suffix_labels = public_suffix.count(".") + 1 if public_suffix else 1
    name_labels = labels[:-suffix_labels] if len(labels) > suffix_labels else labels
    reg_label = registrable_domain.split(".", 1)[0] if registrable_domain != public_suffix else ""
    left_labels = labels[:len(labels) - registrable_domain.count(".") - 1]
    decoded = [decode_label(label) for label in name_labels]
    name_text = ".".join(decoded)

    mixed = _mixed_script_label(decoded)
    if mixed is not None:
        found.append(Finding("lexical.mixed_script", {"label": mixed}))

    if reg_label in SHORTENERS or registrable_domain in SHORTENERS:
        found.append(Finding("lexical.shortener", {"domain": registrable_domain}))
    platform = _platform(host)
    if platform is not None:
        found.append(Finding("lexical.free_hosting", {"platform": platform}))

    keywords = keywords_in(name_text)
    if keywords:
        code = "lexical.keywords" if len(keywords) > 1 else "lexical.keyword"
        found.append(Finding(code, {"keyword": keywords[0], "keywords": keywords}))

    fake = _fake_tld_fragment(name_labels, left_labels)
    if fake is not None:
        found.append(Finding("lexical.fake_tld_label", {"fragment": fake}))

    hyphens = sum(label.count("-") for label in name_labels if not label.startswith("xn--"))
    if hyphens >= _MANY_HYPHENS:
        found.append(Finding("lexical.many_hyphens", {"count": hyphens}))
    subdomains = len([label for label in left_labels if label != "www"])
    if subdomains >= _MANY_SUBDOMAINS:
        found.append(Finding("lexical.many_labels", {"count": subdomains}))
    longest = max((len(label) for label in decoded), default=0)
    if longest >= _LONG_LABEL:
        found.append(Finding("lexical.long_label", {"length": longest}))
    elif reg_label and _is_random(reg_label):
        found.append(Finding("lexical.random_label", {"label": reg_label}))
    return found


def _fake_tld_fragment(name_labels: list[str], left_labels: list[str]) -> str | None:
    """Returns a TLD imitated inside the name (`paypal.com-secure`, `kaspi.kz.pay`), else None."""
    # A TLD-like label after the first subdomain label: `paypal.com.evil.top`, `kaspi.kz.secure-pay.top`.
    for label in left_labels[1:]:
        if label in _FAKE_TLD_LABELS:
            return "." + label + "."
    for label in name_labels:
        words = label.split("-")
        if len(words) > 1 and (words[0] in _FAKE_TLD_WORDS or words[-1] in _FAKE_TLD_WORDS):
            return label
    return None
