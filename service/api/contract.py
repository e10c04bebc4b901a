"""The API contract: request and response types as msgspec Structs, read from requests and written into OpenAPI.

A route declares its body (or query) once, as a Struct with its limits in `msgspec.Meta`, and both the
parser and `/openapi.json` come from it, so the two cannot disagree (issue 11 part 9)::

    class CheckBody(msgspec.Struct):
        url: URL                                     # str, documented maxLength 8192 and format http-url
        lang: Lang | None = None                     # "kk", "ru", "en"; absent or null: Accept-Language
        context: PageContext | None = None

    body = await decode_body(request, CheckBody)     # {"url": 5} -> 400 invalid_field, field "url"
    openapi_paths = {"/v1/check": {"post": {"requestBody": request_body(CheckBody),
                                            "responses": {"200": json_response(Verdict, "The verdict")}}}}

`request_body`, `json_response` and `query_parameters` put a `Schema(Model)` placeholder where a schema
goes; `build_openapi` (service.api.openapi) collects every placeholder of every module, generates their
component schemas in one `msgspec.json.schema_components` call and replaces each placeholder with its
`$ref`. Nothing is registered globally: the document is whatever the modules' `openapi_paths` name.

A validation error keeps the envelope `{"error": {"code": "invalid_field", "message", "field"}}`, with
`field` the dotted path msgspec reports (`context.page.cards`, `threatInfo.threatEntries[0].url`).
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import msgspec
from starlette.datastructures import QueryParams
from starlette.requests import Request

from service.errors import InvalidField, InvalidJSON, PayloadTooLarge, RequestTimeout
from service.urls import MAX_URL_LENGTH
from service.verdicts import Ask, Level, Severity
from service.verdicts import PageContext as _PageContext

__all__ = ["AUTH_ERRORS", "BODY_ERRORS", "MAX_BODY_BYTES", "REF_TEMPLATE", "URL", "Error", "ErrorDetail", "Lang",
           "PageContext", "PageFacts", "Reason", "Schema", "Verdict", "decode_body", "decode_query",
           "error_responses", "json_response", "query_parameters", "read_body", "request_body", "resolve_schemas"]

T = TypeVar("T")

MAX_BODY_BYTES = 64 * 1024  # bytes; a check body is a URL and a little context
BODY_TIMEOUT_S = 10.0  # seconds to receive a whole body: 300 dripping connections held 40 s before (issue 10)
REF_TEMPLATE = "#/components/schemas/{name}"

# msgspec ends a validation message with the path it failed at: "Expected `str`, got `int` - at `$.url`".
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>[^`]*)`")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]*)`")


async def read_body(request: Request, *, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """Returns the raw request body, refused past max_bytes (by Content-Length, else while streaming) or
    when it does not arrive within BODY_TIMEOUT_S; an empty body is refused too."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > max_bytes:
                raise PayloadTooLarge(f"request body is larger than {max_bytes} bytes")
        except ValueError:
            raise InvalidJSON("Content-Length is not a number") from None
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"request body is larger than {max_bytes} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeout(f"the request body did not arrive within {BODY_TIMEOUT_S:g} s") from None
    raw = b"".join(chunks)
    if not raw.strip():
        raise InvalidJSON("request body is empty; send a JSON object")
    return raw


async def decode_body(request: Request, model: type[T], *, max_bytes: int = MAX_BODY_BYTES) -> T:
    """Returns the JSON body decoded into model; raises InvalidJSON (not JSON, not an object, nested too
    deeply), InvalidField (naming the path that broke the model), PayloadTooLarge or RequestTimeout."""
    raw = await read_body(request, max_bytes=max_bytes)
    try:
        return msgspec.json.decode(raw, type=model)
    except msgspec.ValidationError as exc:
        raise _invalid(exc) from None
    except RecursionError:  # `{"x": [[[[...` deeper than msgspec's stack: hostile, not a server fault
        raise InvalidJSON("request body nests JSON too deeply") from None
    except msgspec.DecodeError as exc:
        raise InvalidJSON(f"request body is not valid JSON: {exc}") from None


def decode_query(params: QueryParams, model: type[T]) -> T:
    """Returns the query parameters decoded into model (text converted to numbers and booleans as the
    schema says); raises InvalidField for a repeated parameter or one the model refuses."""
    values: dict[str, str] = {}
    for name, value in params.multi_items():
        if name in values:
            raise InvalidField(f"give {name} once, not several times", field=name)
        values[name] = value
    try:
        return msgspec.convert(values, model, strict=False)
    except msgspec.ValidationError as exc:
        raise _invalid(exc) from None


def _invalid(exc: msgspec.ValidationError) -> InvalidField | InvalidJSON:
    """Returns the API error for a msgspec validation error, its field the dotted path it names."""
    message = str(exc)
    at = _AT.search(message)
    path = at.group("path") if at else ""
    text = message[:at.start()] if at else message
    named = _UNKNOWN.match(text) or _MISSING.match(text)
    if named:
        path = f"{path}.{named.group('name')}"
    field = path.lstrip(".")
    text = _plain(text)
    if not field:  # the body itself: an array, a string, a number where an object was due
        return InvalidJSON(f"request body must be a JSON object: {text}")
    return InvalidField(f"{field}: {text}", field=field)


# msgspec's words for JSON types and limits, in the words the rest of the API's errors use.
_PLAIN = [
    (re.compile(r"`array` of length <= (\d+)"), r"a list of at most \1 items"),
    (re.compile(r"`array` of length >= (\d+)"), r"a list of at least \1 items"),
    (re.compile(r"`str` of length <= (\d+)"), r"text of at most \1 characters"),
    (re.compile(r"`str` of length >= (\d+)"), r"text of at least \1 characters"),
    (re.compile(r"`str` matching regex '(.*)'$"), r"text matching \1"),
    (re.compile(r"`(int|float)` (<=|>=|<|>) (\S+)"), r"a number \2 \3"),
]
_TYPE_WORDS = {"array": "a list", "object": "an object", "str": "text", "int": "a whole number",
               "float": "a number", "bool": "true or false", "null": "null"}


def _plain(text: str) -> str:
    """Returns a msgspec validation message in plain words: "expected a list of at most 10 items"."""
    for pattern, words in _PLAIN:
        text = pattern.sub(words, text)
    text = text[:1].lower() + text[1:]
    # "`array | null`" -> "a list or null"
    return _TYPES.sub(lambda m: " or ".join(_TYPE_WORDS[t.strip()] for t in m.group(1).split("|")), text)


_TYPES = re.compile(r"`((?:array|object|str|int|float|bool|null)(?: \| (?:array|object|str|int|float|bool|null))*)`")



class Schema:
    """A placeholder for the schema of a type in `openapi_paths`, replaced by build_openapi with its `$ref`
    (or, for a type msgspec inlines, such as `list[Model]`, its generated schema)."""

    __slots__ = ("model",)

    def __init__(self, model: Any) -> None:
        self.model = model

    def __repr__(self) -> str:
        return f"Schema({getattr(self.model, '__name__', self.model)!r})"


def request_body(model: Any, *, description: str | None = None) -> dict[str, Any]:
    """Returns an OpenAPI requestBody object: a required JSON body of model."""
    body: dict[str, Any] = {"required": True, "content": {"application/json": {"schema": Schema(model)}}}
    if description:
        body["description"] = description
    return body


def json_response(model: Any, description: str) -> dict[str, Any]:
    """Returns an OpenAPI response object: JSON of model."""
    return {"description": description, "content": {"application/json": {"schema": Schema(model)}}}


AUTH_ERRORS = (401, 403, 429)  # what any route behind a key can answer
BODY_ERRORS = (400, 408, 413)  # what any route reading a body can answer

_ERROR_MEANINGS = {
    400: "invalid_json, or invalid_field naming the field at fault",
    401: "no or an unknown token (`Authorization: Bearer …`)",
    403: "the token's role may not do this",
    404: "not found",
    408: "the request body did not arrive in time",
    409: "conflict",
    413: "the request body is too large",
    429: "rate limited (see Retry-After)",
}


def error_responses(*statuses: int, **meanings: str) -> dict[str, Any]:
    """Returns OpenAPI responses for error statuses, each the error envelope; meanings overrides a description
    (keyword `s404="no such entry"`)."""
    return {str(status): {"description": meanings.get(f"s{status}", _ERROR_MEANINGS[status]),
                          "content": {"application/json": {"schema": Schema(Error)}}} for status in statuses}


def query_parameters(model: type[msgspec.Struct]) -> list[dict[str, Any]]:
    """Returns the OpenAPI parameter objects of a query Struct, one per field, each with its generated schema
    (inlined: query parameters are flat) and the field's description when it has one."""
    (ref,), components = msgspec.json.schema_components([model], ref_template=REF_TEMPLATE)
    schema = _inline(ref, components)
    required = set(schema.get("required", ()))
    out = []
    for name, field_schema in schema.get("properties", {}).items():
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        field_schema = _without_null(field_schema)
        if "description" in field_schema:
            parameter["description"] = field_schema.pop("description")
        parameter["schema"] = field_schema
        out.append(parameter)
    return out


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Returns a field's schema without its `null` alternative: a query cannot say null, only leave it out."""
    schema = dict(schema)
    options = schema.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        del schema["anyOf"]
        schema = {**(rest[0] if len(rest) == 1 else {"anyOf": rest}), **schema}
        if schema.get("default", ...) is None:
            del schema["default"]
    return schema


def _inline(schema: Any, components: Mapping[str, Any]) -> Any:
    """Returns schema with every `$ref` into components replaced by the component itself."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _inline(components[ref.rsplit("/", 1)[1]], components)
        return {k: _inline(v, components) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_inline(v, components) for v in schema]
    return schema


def resolve_schemas(document: Any, extra: Iterable[Any] = ()) -> tuple[Any, dict[str, Any]]:
    """Returns (document with each Schema placeholder replaced by its generated schema, the component schemas
    of every type named by a placeholder or in extra)."""
    types: list[Any] = list(dict.fromkeys([*extra, *_placeholders(document)]))
    schemas, components = msgspec.json.schema_components(types, ref_template=REF_TEMPLATE)
    by_type = dict(zip(types, schemas, strict=True))

    def replace(node: Any) -> Any:
        if isinstance(node, Schema):
            return by_type[node.model]
        if isinstance(node, dict):
            return {k: replace(v) for k, v in node.items()}
        if isinstance(node, list):
            return [replace(v) for v in node]
        return node

    return replace(document), dict(sorted(components.items()))


def _placeholders(node: Any) -> Iterable[Any]:
    """Yields the type of every Schema placeholder in node, depth first."""
    if isinstance(node, Schema):
        yield node.model
    elif isinstance(node, dict):
        for value in node.values():
            yield from _placeholders(value)
    elif isinstance(node, list):
        for value in node:
            yield from _placeholders(value)


# ---------------------------------------------------------------------------------------------------------
# Types more than one route speaks. Response types describe JSON that existing code builds (Verdict.to_json,
# AbailaError.to_json); they exist for the schema, and tests/api/test_contract.py validates real answers
# against it.


class Lang(enum.StrEnum):
    """The languages messages are rendered in (service.messages.LANGS); without one, Accept-Language decides."""

    KK = "kk"
    RU = "ru"
    EN = "en"


# A URL as the API takes it. Its limit is MAX_URL_LENGTH bytes of UTF-8, which validate_for_api enforces
# (invalid_url, like every other URL it refuses); the schema can only count characters.
# `format: http-url` says so in the schema (a format is the semantic check JSON Schema leaves to the
# reader); tests/api/contract_hooks.py teaches the contract test to generate such URLs.
URL = Annotated[str, msgspec.Meta(extra_json_schema={"maxLength": MAX_URL_LENGTH, "format": "http-url"},
                                  description=(
    f"an http(s) URL or a bare host, at most {MAX_URL_LENGTH} bytes of UTF-8, whose host a DNS name or an "
    "IP address could be; any other text is refused with invalid_url"))]


def _page_field(kind: str | int) -> Any:
    """Returns the type of a context.page field: a boolean, or a count from 0 to kind; UNSET when not sent."""
    value = bool if isinstance(kind, str) else Annotated[int, msgspec.Meta(ge=0, le=kind)]
    return value | msgspec.UnsetType


PageFacts = msgspec.defstruct(
    "PageFacts", [(name, _page_field(kind), msgspec.UNSET) for name, kind in _PageContext.PAGE_FIELDS.items()],
    forbid_unknown_fields=True,
)
PageFacts.__doc__ = "Booleans and counts the page reader saw (never text or numbers); unknown names are refused."
if TYPE_CHECKING:  # mypy cannot see a type built by defstruct (one list of page fields: PageContext.PAGE_FIELDS)
    _PageFacts = msgspec.Struct
else:
    _PageFacts = PageFacts


class PageContext(msgspec.Struct, forbid_unknown_fields=True):
    """What the page asks for, as the extension saw it: codes, booleans and counts only."""

    payment_form: bool = False
    asks_for: Annotated[list[Ask], msgspec.Meta(max_length=20)] = []
    page: _PageFacts | None = None

    def to_context(self) -> _PageContext:
        """Returns the checker's PageContext: asks_for each once, page fields as sent in sorted pairs."""
        pairs = [(name, int(value)) for name in _PageContext.PAGE_FIELDS
                 if (value := getattr(self.page, name, msgspec.UNSET)) is not msgspec.UNSET]
        asks_for = tuple(dict.fromkeys(ask.value for ask in self.asks_for))
        return _PageContext(payment_form=self.payment_form, asks_for=asks_for, page=tuple(sorted(pairs)))


class Labels(msgspec.Struct):
    """A list reason's list name, category and source, in the requested language."""

    list: str | msgspec.UnsetType = msgspec.UNSET
    category: str | msgspec.UnsetType = msgspec.UNSET
    source: str | msgspec.UnsetType = msgspec.UNSET


class Reason(msgspec.Struct):
    """One contributing signal: a stable code, how bad it is, its weight in the score, its evidence."""

    code: Annotated[str, msgspec.Meta(examples=["list.phishing", "lookalike.brand", "domain.young"])]
    severity: Severity
    weight: int
    rank: Annotated[int, msgspec.Meta(ge=0, le=100, description=(
        "display priority: the highest is the one sentence a person reads first; 0 = shown only among the "
        "details (docs/scoring.md)"))]
    message: Annotated[str, msgspec.Meta(description="In the requested language (kk, ru or en)")]
    evidence: dict[str, Any]
    labels: Labels | msgspec.UnsetType = msgspec.UNSET


class Verdict(msgspec.Struct):
    """What a check returns (service.verdicts.Verdict.to_json)."""

    url: str
    canonical_url: str
    host: str
    registrable_domain: str
    verdict: Level
    score: Annotated[int, msgspec.Meta(ge=0, le=100, description="risk")]
    reasons: list[Reason]
    signals: Annotated[dict[str, Any], msgspec.Meta(description="lists, domain_age_days, registered_on, dns, ...")]
    complete: Annotated[bool, msgspec.Meta(description="false when a slow signal missed the deadline")]
    pending: list[str]
    checked_at: Annotated[str, msgspec.Meta(extra_json_schema={"format": "date-time"})]
    ttl: Annotated[int, msgspec.Meta(description="seconds a client may cache this verdict")]
    lang: Lang
    advice: Annotated[list[str], msgspec.Meta(description="police guidance lines")]


class ErrorDetail(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(examples=["invalid_url", "invalid_json", "payload_too_large"])]
    message: str
    field: Annotated[str, msgspec.Meta(description="the request field at fault, as a path")] | msgspec.UnsetType = (
        msgspec.UNSET)


class Error(msgspec.Struct):
    """The error envelope every 4xx and 5xx carries."""

    error: ErrorDetail
