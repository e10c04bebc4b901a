"""`POST /v4/threatMatches:find`: the Google Safe Browsing v4 Lookup API, answered from our lists.

An existing Safe Browsing client works by changing its base URL to this service; its `?key=` is taken
as an Abaila API key (a key is required: one request carries up to 500 URLs)::

    POST /v4/threatMatches:find?key=KEY
    {"client": {"clientId": "bank", "clientVersion": "1"},
     "threatInfo": {"threatTypes": ["SOCIAL_ENGINEERING", "MALWARE"], "platformTypes": ["ANY_PLATFORM"],
                    "threatEntryTypes": ["URL"], "threatEntries": [{"url": "http://kaspi-kz.top/"}]}}
    200 {"matches": [{"threatType": "SOCIAL_ENGINEERING", "platformType": "ANY_PLATFORM",
                      "threatEntryType": "URL", "threat": {"url": "http://kaspi-kz.top/"},
                      "threatEntryMetadata": {"entries": [{"key": "bGlzdA==", "value": "..."}]},
                      "cacheDuration": "300s"}]}

As Google does, nothing matched is `{}`. Each entry is matched as Safe Browsing does: canonicalized,
expanded into host-suffix × path-prefix expressions, looked up in the index. A `hash` entry (base64 of
4 to 32 bytes of a SHA-256 expression hash) matches the full hashes it starts with. List categories map
to threat types (CATEGORY_THREATS); the allowlist never matches. Our lists are not per platform, so a
threat matches on every requested platform type. Metadata (base64 keys and values, as Google's) names
the list and its category. Only list matches are reported: the slow signals and scoring of /v1/check do
not run here. A URL that cannot be parsed matches nothing, as it could not be on a list.
"""

from __future__ import annotations

import base64
import enum
from typing import Annotated, Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api.contract import decode_body, error_responses, request_body
from service.errors import AbailaError, InvalidField
from service.index import Prefix
from service.lists import Category
from service.middleware.auth import require_principal
from service.urls import MAX_URL_LENGTH, parse

__all__ = ["CATEGORY_THREATS", "MAX_ENTRIES", "routes", "threat_type"]

MAX_ENTRIES = 500  # threatEntries per request, as Google's Lookup API
MAX_BODY_BYTES = MAX_ENTRIES * (MAX_URL_LENGTH + 256)  # 500 entries of the longest URL, with JSON around
CACHE_DURATION = "300s"  # a client may keep a match this long

CATEGORY_THREATS = {
    "malware": "MALWARE",
    "unwanted": "UNWANTED_SOFTWARE",
    "unwanted_software": "UNWANTED_SOFTWARE",
    "pua": "UNWANTED_SOFTWARE",
    "adware": "UNWANTED_SOFTWARE",
    Category.ALLOWLIST: None,  # official sites never match
}  # every other category (phishing, scam, scam_shop, unknown, ...) is fraud: SOCIAL_ENGINEERING

_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                  413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED"}


def threat_type(category: str) -> str | None:
    """Returns the Safe Browsing threat type of a list category, or None for the allowlist."""
    return CATEGORY_THREATS.get(category.lower(), "SOCIAL_ENGINEERING")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class ThreatType(enum.StrEnum):
    MALWARE = "MALWARE"
    SOCIAL_ENGINEERING = "SOCIAL_ENGINEERING"  # every fraud category (phishing, scam, scam_shop, ...)
    UNWANTED_SOFTWARE = "UNWANTED_SOFTWARE"
    POTENTIALLY_HARMFUL_APPLICATION = "POTENTIALLY_HARMFUL_APPLICATION"
    THREAT_TYPE_UNSPECIFIED = "THREAT_TYPE_UNSPECIFIED"  # asks for nothing in particular: ignored


class PlatformType(enum.StrEnum):
    WINDOWS = "WINDOWS"
    LINUX = "LINUX"
    ANDROID = "ANDROID"
    OSX = "OSX"
    IOS = "IOS"
    ANY_PLATFORM = "ANY_PLATFORM"
    ALL_PLATFORMS = "ALL_PLATFORMS"
    CHROME = "CHROME"
    PLATFORM_TYPE_UNSPECIFIED = "PLATFORM_TYPE_UNSPECIFIED"  # ignored


class ThreatEntryType(enum.StrEnum):
    URL = "URL"
    EXECUTABLE = "EXECUTABLE"
    IP_RANGE = "IP_RANGE"


# Base64 (standard or URL-safe, padded) of 4 to 32 bytes: groups of 4 characters carry 3 bytes, a final group
# "xx==" 1 byte and "xxx=" 2. `(?!\n)`: Python's `$` also matches before a final newline, ECMA-262's does not.
_B = "[A-Za-z0-9+/_-]"
_HASH = Annotated[str, msgspec.Meta(
    pattern=rf"^(?:(?:{_B}{{4}}){{1,9}}(?:{_B}{{4}}|{_B}{{3}}=|{_B}{{2}}==)|(?:{_B}{{4}}){{10}}(?:{_B}{{3}}=|{_B}{{2}}==))(?!\n)$",
    description="base64 of 4 to 32 bytes of an expression's SHA-256: matches the full hashes it starts with")]


class ThreatEntry(msgspec.Struct):
    """A URL, or a hash (`digest` is the same); echoed back in each match as sent."""

    url: str | msgspec.UnsetType = msgspec.UNSET
    hash: _HASH | msgspec.UnsetType = msgspec.UNSET
    digest: _HASH | msgspec.UnsetType = msgspec.UNSET


_ENTRY = Annotated[ThreatEntry, msgspec.Meta(extra_json_schema={"anyOf": [
    {"required": ["url"]}, {"required": ["hash"]}, {"required": ["digest"]}]})]


class ThreatInfo(msgspec.Struct):
    threatEntries: Annotated[list[_ENTRY], msgspec.Meta(max_length=MAX_ENTRIES)]  # the field names are Google's
    threatTypes: list[ThreatType] | None = None
    platformTypes: list[PlatformType] | None = None
    threatEntryTypes: list[ThreatEntryType] | None = None


class FindBody(msgspec.Struct):
    """POST /v4/threatMatches:find's body (threatMatches.find of the Safe Browsing v4 Lookup API)."""

    threatInfo: ThreatInfo
    client: dict[str, Any] | None = None


def _entry_hits(index: Any, entry: ThreatEntry, position: int) -> list[tuple[str, str]]:
    """Returns (list name, category) for each list entry a threatEntry matches."""
    if entry.url is not msgspec.UNSET:
        if len(entry.url.encode("utf-8", "surrogatepass")) > MAX_URL_LENGTH:  # the API's URL limit
            raise InvalidField(f"threatInfo.threatEntries[{position}].url is longer than {MAX_URL_LENGTH} bytes",
                               field="threatInfo.threatEntries")
        try:
            parsed = parse(entry.url)
        except ValueError:
            return []
        return [(h.list.name, h.list.category) for h in index.match_url(parsed)]
    text = entry.hash if entry.hash is not msgspec.UNSET else entry.digest
    if text is msgspec.UNSET:
        raise InvalidField(f"threatInfo.threatEntries[{position}] needs a url or a hash",
                           field="threatInfo.threatEntries")
    # The pattern admits only padded base64 of 4 to 32 bytes.
    raw = base64.b64decode(text.replace("-", "+").replace("_", "/"))
    return [(m.list, m.category) for m in index.lookup_prefixes([Prefix(raw[:4])]) if m.full_hash.startswith(raw)]


def _find(request: Request, body: FindBody) -> dict[str, Any]:
    info = body.threatInfo
    wanted = set(info.threatTypes or ()) - {ThreatType.THREAT_TYPE_UNSPECIFIED}
    platforms = [p.value for p in dict.fromkeys(info.platformTypes or ())
                 if p != PlatformType.PLATFORM_TYPE_UNSPECIFIED]
    entry_types = [t.value for t in dict.fromkeys(info.threatEntryTypes or ())]
    entries = info.threatEntries
    index = request.app.state.checker.index
    matches: list[dict[str, Any]] = []
    for position, entry in enumerate(entries):
        seen: set[tuple[str, str]] = set()
        for list_name, category in _entry_hits(index, entry, position):
            kind = threat_type(category)
            if kind is None or (wanted and kind not in wanted) or (kind, list_name) in seen:
                continue
            seen.add((kind, list_name))
            for platform in platforms or ["ANY_PLATFORM"]:
                matches.append({
                    "threatType": kind,
                    "platformType": platform,
                    "threatEntryType": entry_types[0] if entry_types else "URL",
                    "threat": msgspec.to_builtins(entry),
                    "threatEntryMetadata": {"entries": [{"key": _b64("list"), "value": _b64(list_name)},
                                                        {"key": _b64("category"), "value": _b64(category)}]},
                    "cacheDuration": CACHE_DURATION,
                })
    request.state.urls_checked = len(entries)
    return {"matches": matches} if matches else {}


async def threat_matches_find(request: Request) -> JSONResponse:
    try:
        await require_principal(request)
        result = _find(request, await decode_body(request, FindBody, max_bytes=MAX_BODY_BYTES))
    except AbailaError as exc:
        # Our envelope, plus Google's `status` name so Safe Browsing clients can tell errors apart.
        envelope = exc.to_json()
        envelope["error"]["status"] = _GOOGLE_STATUS.get(exc.status, "INTERNAL")  # type: ignore[index]
        return JSONResponse(envelope, status_code=exc.status, headers=exc.headers)
    return JSONResponse(result, headers={"Cache-Control": "no-store"})


routes = [Route("/v4/threatMatches:find", threat_matches_find, methods=["POST"])]

openapi_paths: dict[str, Any] = {
    "/v4/threatMatches:find": {
        "post": {
            "summary": "Safe Browsing v4 Lookup API, answered from our lists (API key: bearer or ?key=)",
            "security": [{"bearer": []}],
            "parameters": [{"name": "key", "in": "query", "schema": {"type": "string"},
                            "description": "API key, as Safe Browsing clients send it"}],
            "requestBody": request_body(FindBody),
            "responses": {"200": {"description": "`{}` when nothing matched, else `{\"matches\": [...]}`"},
                          **error_responses(400, 401, 408, 413, 429)},
        },
    },
}
