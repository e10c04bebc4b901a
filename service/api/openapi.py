"""The OpenAPI document: each API module contributes its `openapi_paths`; shared schemas live here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from service.verdicts import PageContext

__all__ = ["COMPONENTS", "build_openapi"]

_REASON = {
    "type": "object", "required": ["code", "severity", "weight", "rank", "message", "evidence"],
    "properties": {
        "code": {"type": "string", "examples": ["list.phishing", "lookalike.brand", "domain.young"]},
        "severity": {"type": "string", "enum": ["info", "low", "medium", "high", "critical"]},
        "weight": {"type": "integer"},
        "rank": {"type": "integer", "minimum": 0, "maximum": 100,
                 "description": "display priority: the highest is the one sentence a person reads first; "
                                "0 = shown only among the details (docs/scoring.md)"},
        "message": {"type": "string", "description": "In the requested language (kk, ru or en)"},
        "labels": {"type": "object", "description": "list reasons: the list's name, category and source in "
                                                    "the requested language",
                   "properties": {"list": {"type": "string"}, "category": {"type": "string"},
                                  "source": {"type": "string"}}},
        "evidence": {"type": "object"},
    },
}

COMPONENTS: dict[str, Any] = {
    "schemas": {
        "Reason": _REASON,
        "PageContext": {"type": "object", "additionalProperties": False, "properties": {
            "payment_form": {"type": "boolean"},
            "asks_for": {"type": "array", "maxItems": 20, "description": (
                "Codes of what the page asks (never its text or numbers). Card form: card, cvv, expiry, sms_code, "
                "otp, iin, password, phone. Read from the page (issue 13): prepayment (a demand to pay in advance), "
                "transfer_card / transfer_phone / transfer_iban (payment details given for a transfer), "
                "private_recipient (named as a person), pay_manager, send_receipt, messenger_only (orders only "
                "through a messenger, no checkout), refund_pattern (send money or a code to receive a refund, "
                "prize or compensation), app_download (an .apk / .exe offered)."),
                "items": {"type": "string", "enum": list(PageContext.ASKS)}},
            "page": {"type": "object", "additionalProperties": False,
                     "description": "Booleans and counts the page reader saw; unknown names are refused",
                     "properties": {name: ({"type": "boolean"} if kind == "bool" else
                                           {"type": "integer", "minimum": 0, "maximum": kind})
                                    for name, kind in PageContext.PAGE_FIELDS.items()}}}},
        "Verdict": {
            "type": "object",
            "required": ["url", "canonical_url", "host", "registrable_domain", "verdict", "score", "reasons",
                         "signals", "complete", "pending", "checked_at", "ttl"],
            "properties": {
                "url": {"type": "string"}, "canonical_url": {"type": "string"}, "host": {"type": "string"},
                "registrable_domain": {"type": "string"},
                "verdict": {"type": "string", "enum": ["blocked", "dangerous", "suspicious", "unverified",
                                                       "trusted", "no_known_risk"]},
                "score": {"type": "integer", "minimum": 0, "maximum": 100, "description": "risk"},
                "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
                "signals": {"type": "object", "description": "lists, domain_age_days, registered_on, dns, ..."},
                "complete": {"type": "boolean", "description": "false when a slow signal missed the deadline"},
                "pending": {"type": "array", "items": {"type": "string"}},
                "checked_at": {"type": "string", "format": "date-time"},
                "ttl": {"type": "integer", "description": "seconds a client may cache this verdict"},
                "lang": {"type": "string"},
                "advice": {"type": "array", "items": {"type": "string"}, "description": "police guidance lines"},
            },
        },
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "examples": ["invalid_url", "invalid_json", "payload_too_large"]},
                "message": {"type": "string"}, "field": {"type": "string"}}}}},
    },
    "responses": {"Error": {"description": "An error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}},
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
}


def build_openapi(paths_by_module: Iterable[dict[str, Any]], version: str) -> dict[str, Any]:
    """Returns the OpenAPI 3.1 document for the given modules' paths."""
    paths: dict[str, Any] = {}
    for module_paths in paths_by_module:
        for path, operations in module_paths.items():
            paths.setdefault(path, {}).update(operations)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Abaila URL reputation API", "version": version,
                 "description": "Verdicts on shops and bank look-alikes before people pay. Errors are "
                                "`{\"error\": {\"code\", \"message\", \"field\"}}`."},
        "paths": dict(sorted(paths.items())),
        "components": COMPONENTS,
    }
