"""Reason codes to human messages, in Kazakh, Russian and English.

Scoring emits codes and evidence only; this module renders them. Catalogs live side by side in
`service/data/messages.json` (`{code: {"kk": ..., "ru": ..., "en": ...}}`) so no language falls behind.
Placeholders are `{name}` fields filled from the reason's evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["LANGS", "DEFAULT_LANG", "negotiate_lang", "render", "advice", "title", "codes"]

LANGS = ("kk", "ru", "en")
DEFAULT_LANG = "en"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    text = resources.files("service").joinpath("data/messages.json").read_text(encoding="utf-8")
    return json.loads(text)


def negotiate_lang(param: str | None, accept_language: str | None = None) -> str:
    """Returns the language to answer in: the `lang` parameter if supported, else Accept-Language, else en."""
    if param:
        code = param.strip().lower()[:2]
        if code in LANGS:
            return code
    if accept_language:
        weighted = []
        for i, part in enumerate(accept_language.split(",")):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            weighted.append((-weight, i, tag.strip().lower()[:2]))
        for _, _, code in sorted(weighted):
            if code in LANGS:
                return code
    return DEFAULT_LANG


class _Fields(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "?"


def render(code: str, lang: str, evidence: dict[str, Any] | None = None) -> str:
    """Returns the message for a reason code in lang, with evidence filled in."""
    entry = _catalog()["reasons"].get(code) or _catalog()["reasons"].get(code.split(".")[0] + ".*")
    if entry is None:
        return code
    template = entry.get(lang) or entry[DEFAULT_LANG]
    return template.format_map(_Fields({k: v for k, v in (evidence or {}).items() if isinstance(v, (str, int))}))


# Brand-specific guidance added when a reason names the brand (kz-context §2.1: OLX has no delivery service).
_BRAND_ADVICE = {"OLX.kz": "olx_no_delivery"}


def advice(level: str, lang: str, reasons: Iterable[Any] = ()) -> list[str]:
    """Returns the police guidance lines shown with a verdict of this level (plus brand-specific lines
    for the brands the reasons name, e.g. "OLX.kz has no OLX Delivery service")."""
    keys = list(_catalog()["advice_by_level"].get(level, []))
    if level not in ("trusted", "no_known_risk"):
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


def codes() -> list[str]:
    """Returns every reason code the catalog has a message for (wildcards end in ".*")."""
    return list(_catalog()["reasons"])
