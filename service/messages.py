"""Reason codes to human messages, in Kazakh, Russian and English.

Scoring emits codes and evidence only; this module renders them. Catalogs live side by side in
`service/data/messages.json` (`{code: {"kk": ..., "ru": ..., "en": ...}}`) so no language falls behind.
Placeholders are `{name}` fields filled from the reason's evidence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["LANGS", "DEFAULT_LANG", "negotiate", "negotiate_lang", "choose_lang", "strings", "render", "labels",
           "advice", "title"]

LANGS = ("kk", "ru", "en")
DEFAULT_LANG = "en"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    text = resources.files("service").joinpath("data/messages.json").read_text(encoding="utf-8")
    catalog: dict[str, Any] = json.loads(text)
    return catalog


def negotiate(accept_language: str | None, default: str = DEFAULT_LANG) -> str:
    """Returns the supported language an Accept-Language header prefers most, else default.

    Quality values are honoured (RFC 9110 §12.5.4): `ru-RU,ru;q=0.9,kk;q=0.8` picks ru, `kk;q=0,ru` never
    picks kk, equal weights keep the header's order, and `*` stands for default. A tag matches by its
    primary subtag (`kk-KZ` is kk). A malformed item is skipped rather than guessed at.
    """
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    refused: set[str] = set()
    for position, item in enumerate(accept_language.split(",")[:_MAX_RANGES]):
        tag, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                weight = _quality(value.strip())
        code = tag.split("-")[0].lower()
        if weight < 0 or not code:
            continue
        if code == "*":
            code = default
        if weight == 0:
            refused.add(code)
        elif code in LANGS:
            ranked.append((-weight, position, code))
    for _, _, code in sorted(ranked):
        if code not in refused:
            return code
    return default


# Accept-Language items looked at: a browser sends a handful; a hostile header must not cost more.
_MAX_RANGES = 32


def _quality(value: str) -> float:
    """Returns a q value in 0..1, or -1 when it is not one ("0.8" → 0.8; "1.5", "x", "" → -1)."""
    if not re.fullmatch(r"0(\.\d{0,3})?|1(\.0{0,3})?", value):
        return -1.0
    return float(value)


def negotiate_lang(param: str | None, accept_language: str | None = None, default: str = DEFAULT_LANG) -> str:
    """Returns the language to answer in: the `lang` parameter if supported, else Accept-Language, else default."""
    return choose_lang(param, accept_language=accept_language, default=default)


def choose_lang(*chosen: str | None, accept_language: str | None, default: str = DEFAULT_LANG) -> str:
    """Returns the first supported explicit choice (a `?lang=`, then a cookie, …), else what
    Accept-Language prefers, else default. An explicit choice matches like a tag: `ru-RU` is ru."""
    for value in chosen:
        code = (value or "").strip().split("-")[0].lower()
        if code in LANGS:
            return code
    return negotiate(accept_language, default)


def strings(section: str, lang: str) -> dict[str, str]:
    """Returns one surface's strings (`admin`, `page`, `bot`) in lang, falling back to English per key."""
    return {key: entry.get(lang) or entry[DEFAULT_LANG] for key, entry in _catalog()[section].items()}


class _Fields(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


def render(code: str, lang: str, evidence: dict[str, Any] | None = None) -> str:
    """Returns the message for a reason code in lang, with evidence filled in (a list's name translated)."""
    entry = _catalog()["reasons"].get(code) or _catalog()["reasons"].get(code.split(".")[0] + ".*")
    if entry is None:
        return code
    template = entry.get(lang) or entry[DEFAULT_LANG]
    fields = {k: v for k, v in (evidence or {}).items() if isinstance(v, (str, int))}
    fields.update(labels(code, lang, evidence))
    return str(template.format_map(_Fields(fields)))


def _translated(section: str, key: str, lang: str) -> str | None:
    entry = _catalog().get(section, {}).get(key)
    return None if entry is None else str(entry.get(lang) or entry[DEFAULT_LANG])


def labels(code: str, lang: str, evidence: dict[str, Any] | None = None) -> dict[str, str]:
    """Returns what a list reason shows people, in lang: {"list", "category", "source"} (the catalog's
    translation of the list's name and source, else as the list's header writes them). Empty for others."""
    if not code.startswith("list.") or not evidence:
        return {}
    out: dict[str, str] = {}
    name, category, source = (str(evidence.get(k) or "") for k in ("list", "category", "source"))
    if name:
        out["list"] = _translated("list_names", name, lang) or name
    if category:
        out["category"] = _translated("categories", category, lang) or _translated("categories", "other", lang) \
            or category
    if source:
        out["source"] = _translated("list_sources", name, lang) or source
    return out


# Brand-specific guidance added when a reason names the brand (kz-context §2.1: OLX has no delivery service).
_BRAND_ADVICE = {"OLX.kz": "olx_no_delivery"}
# Guidance put first when the page asks for this (issue 13: the police advice for the moment itself).
_CONTEXT_ADVICE = {
    "context.transfer_card": ("no_prepay", "no_private_card"),
    "context.transfer_phone": ("no_prepay", "no_private_card"),
    "context.transfer_iban": ("no_prepay", "pay_via_marketplace"),
    "context.messenger_only": ("no_prepay", "pay_via_marketplace"),
    "context.refund_pattern": ("nobody_asks_code", "no_sms_code", "call_102"),
    "context.app_download": ("no_unknown_apps", "nobody_asks_code"),
    "lexical.app_file": ("no_unknown_apps", "nobody_asks_code"),
}


def advice(level: str, lang: str, reasons: Iterable[Any] = ()) -> list[str]:
    """Returns the police guidance lines shown with a verdict of this level, the one fitting the moment
    first (plus brand-specific lines for the brands the reasons name, e.g. "OLX.kz has no OLX Delivery
    service")."""
    keys = list(_catalog()["advice_by_level"].get(level, []))
    codes = {str(getattr(reason, "code", "")) for reason in reasons}
    if "context.asks_code" in codes and "no_sms_code" in keys:
        # The line that fits the moment comes first: a page asking for a one-time code (the extension shows
        # only the first line; extension/lib/verdicts.js adviceKeys() applies the same rule offline).
        keys.remove("no_sms_code")
        keys.insert(0, "no_sms_code")
    if level not in ("trusted", "no_known_risk"):
        first = [k for r in reasons for k in _CONTEXT_ADVICE.get(str(getattr(r, "code", "")), ())]
        keys = list(dict.fromkeys(first + keys))
        for reason in reasons:
            extra = _BRAND_ADVICE.get(str(getattr(reason, "evidence", {}).get("brand", "")))
            if extra and extra not in keys:
                keys.append(extra)
    lines = _catalog()["advice"]
    return [lines[k].get(lang) or lines[k][DEFAULT_LANG] for k in keys]


def title(level: str, lang: str) -> str:
    """Returns the headline for a verdict level ("Абайлаңыз, алаяқ!" for a dangerous site in kk)."""
    entry = _catalog()["titles"][level]
    return str(entry.get(lang) or entry[DEFAULT_LANG])
