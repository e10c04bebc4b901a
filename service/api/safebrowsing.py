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
import binascii
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api.bodies import read_json_object
from service.errors import AbailaError, InvalidField
from service.index import Prefix
from service.lists import Category
from service.middleware.auth import require_principal
from service.urls import MAX_URL_LENGTH, parse

__all__ = ["CATEGORY_THREATS", "MAX_ENTRIES", "routes", "threat_type"]

MAX_ENTRIES = 500  # threatEntries per request, as Google's Lookup API
MAX_BODY_BYTES = MAX_ENTRIES * (MAX_URL_LENGTH + 256)  # 500 entries of the longest URL, with JSON around
CACHE_DURATION = "300s"  # a client may keep a match this long

THREAT_TYPES = ("MALWARE", "SOCIAL_ENGINEERING", "UNWANTED_SOFTWARE", "POTENTIALLY_HARMFUL_APPLICATION")
PLATFORM_TYPES = ("WINDOWS", "LINUX", "ANDROID", "OSX", "IOS", "ANY_PLATFORM", "ALL_PLATFORMS", "CHROME")
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


def _string_list(info: dict[str, Any], name: str, allowed: tuple[str, ...]) -> list[str]:
    value = info.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidField(f"threatInfo.{name} must be a list of strings", field=f"threatInfo.{name}")
    unknown = [v for v in value if v not in allowed and v != "THREAT_TYPE_UNSPECIFIED"
               and v != "PLATFORM_TYPE_UNSPECIFIED"]
    if unknown:
        raise InvalidField(f"threatInfo.{name} has unknown values {unknown!r}", field=f"threatInfo.{name}")
    return list(dict.fromkeys(value))


def _entry_hits(index: Any, entry: Any, position: int) -> list[tuple[str, str]]:
    """Returns (list name, category) for each list entry a threatEntry matches."""
    if not isinstance(entry, dict):
        raise InvalidField(f"threatInfo.threatEntries[{position}] must be an object", field="threatInfo.threatEntries")
    if isinstance(entry.get("url"), str):
        if len(entry["url"].encode("utf-8", "surrogatepass")) > MAX_URL_LENGTH:  # the API's URL limit
            raise InvalidField(f"threatInfo.threatEntries[{position}].url is longer than {MAX_URL_LENGTH} bytes",
                               field="threatInfo.threatEntries")
        try:
            parsed = parse(entry["url"])
        except ValueError:
            return []
        return [(h.list.name, h.list.category) for h in index.match_url(parsed)]
    text = entry.get("hash", entry.get("digest"))
    if isinstance(text, str):
        try:
            raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidField(f"threatInfo.threatEntries[{position}].hash is not base64",
                               field="threatInfo.threatEntries") from None
        if not 4 <= len(raw) <= 32:
            raise InvalidField(f"threatInfo.threatEntries[{position}].hash must be 4 to 32 bytes",
                               field="threatInfo.threatEntries")
        return [(m.list, m.category) for m in index.lookup_prefixes([Prefix(raw[:4])]) if m.full_hash.startswith(raw)]
    raise InvalidField(f"threatInfo.threatEntries[{position}] needs a url or a hash", field="threatInfo.threatEntries")


def _find(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    info = body.get("threatInfo")
    if not isinstance(info, dict):
        raise InvalidField("threatInfo must be an object", field="threatInfo")
    wanted = set(_string_list(info, "threatTypes", THREAT_TYPES)) - {"THREAT_TYPE_UNSPECIFIED"}
    platforms = [p for p in _string_list(info, "platformTypes", PLATFORM_TYPES) if p != "PLATFORM_TYPE_UNSPECIFIED"]
    entry_types = _string_list(info, "threatEntryTypes", ("URL", "EXECUTABLE", "IP_RANGE"))
    entries = info.get("threatEntries")
    if not isinstance(entries, list):
        raise InvalidField("threatInfo.threatEntries must be a list", field="threatInfo.threatEntries")
    if len(entries) > MAX_ENTRIES:
        raise InvalidField(f"at most {MAX_ENTRIES} threatEntries per request, got {len(entries)}",
                           field="threatInfo.threatEntries")
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
                    "threat": dict(entry),
                    "threatEntryMetadata": {"entries": [{"key": _b64("list"), "value": _b64(list_name)},
                                                        {"key": _b64("category"), "value": _b64(category)}]},
                    "cacheDuration": CACHE_DURATION,
                })
    request.state.urls_checked = len(entries)
    return {"matches": matches} if matches else {}


async def threat_matches_find(request: Request) -> JSONResponse:
    try:
        await require_principal(request)
        body = await read_json_object(request, max_bytes=MAX_BODY_BYTES)
        result = _find(request, body)
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
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["threatInfo"], "properties": {
                    "client": {"type": "object"},
                    "threatInfo": {"type": "object", "required": ["threatEntries"], "properties": {
                        "threatTypes": {"type": "array", "items": {"type": "string", "enum": list(THREAT_TYPES)}},
                        "platformTypes": {"type": "array", "items": {"type": "string"}},
                        "threatEntryTypes": {"type": "array", "items": {"type": "string"}},
                        "threatEntries": {"type": "array", "maxItems": MAX_ENTRIES, "items": {"type": "object"}},
                    }}}}}}},
            "responses": {"200": {"description": "`{}` when nothing matched, else `{\"matches\": [...]}`"},
                          "400": {"$ref": "#/components/responses/Error"},
                          "401": {"$ref": "#/components/responses/Error"},
                          "429": {"$ref": "#/components/responses/Error"}},
        },
    },
}
