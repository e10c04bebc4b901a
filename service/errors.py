"""Errors raised by Abaila, and the codes the API renders them with.

    AbailaError
     ├── InvalidURL (also a ValueError)   invalid_url        400
 ├── InvalidIndicator (a ValueError)  invalid_indicator  400   (service.indicators: card:/phone:/iban:)
     │    └── InvalidIdentity             invalid_identity   400   (service.platforms: a name the platform forbids)
     ├── PlatformEntry                    platform_domain    400   (a public suffix or a platform's own page;
     │                                                               an admin may force it, audited)
     ├── BadRequest                       bad_request        400
     │    ├── InvalidJSON                 invalid_json       400
     │    └── InvalidField                invalid_field      400
     ├── PayloadTooLarge                  payload_too_large  413
     ├── RequestTimeout                   request_timeout    408   (a body that did not arrive in time)
     ├── Unauthorized                     unauthorized       401
     ├── Forbidden                        forbidden          403
     ├── NotFound                         not_found          404
     ├── Conflict                         conflict           409
     ├── RateLimited                      rate_limited       429
     ├── ListFormatError                  list_format        (load time; never reaches a client)
     └── ConfigError                      config             (start-up; names the ABAILA_* variable)

Each API-facing error carries its stable `code`, its HTTP `status` and an optional `field`; one
exception handler in `service.app` renders the envelope `{"error": {"code", "message", "field"}}`.
"""

from __future__ import annotations

__all__ = [
    "AbailaError", "InvalidURL", "InvalidIndicator", "InvalidIdentity", "PlatformEntry",
    "BadRequest", "InvalidJSON", "InvalidField", "PayloadTooLarge", "RequestTimeout",
    "Unauthorized", "Forbidden", "NotFound", "Conflict", "RateLimited", "ListFormatError", "ConfigError",
]


class AbailaError(Exception):
    code = "internal"
    status = 500

    def __init__(self, message: str, *, field: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}

    def to_json(self) -> dict[str, object]:
        error: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}


class InvalidURL(AbailaError, ValueError):
    code = "invalid_url"
    status = 400


class InvalidIdentity(InvalidURL):
    """A URL on a platform names an identity the platform could not have (characters or length it forbids)."""

    code = "invalid_identity"
    status = 400


class InvalidIndicator(AbailaError, ValueError):
    code = "invalid_indicator"
    status = 400


class PlatformEntry(AbailaError):
    """An entry would list a public suffix or a platform's own domain or page (everybody on it)."""

    code = "platform_domain"
    status = 400


class BadRequest(AbailaError):
    code = "bad_request"
    status = 400


class InvalidJSON(BadRequest):
    code = "invalid_json"


class InvalidField(BadRequest):
    code = "invalid_field"


class PayloadTooLarge(AbailaError):
    code = "payload_too_large"
    status = 413


class Unauthorized(AbailaError):
    code = "unauthorized"
    status = 401


class Forbidden(AbailaError):
    code = "forbidden"
    status = 403


class NotFound(AbailaError):
    code = "not_found"
    status = 404


class Conflict(AbailaError):
    code = "conflict"
    status = 409


class RequestTimeout(AbailaError):
    code = "request_timeout"
    status = 408


class RateLimited(AbailaError):
    code = "rate_limited"
    status = 429


class ListFormatError(AbailaError):
    code = "list_format"
    status = 400


class ConfigError(AbailaError):
    code = "config"
    status = 500
