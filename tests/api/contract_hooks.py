"""Schemathesis hooks for the contract test (loaded through SCHEMATHESIS_HOOKS): generators for the string
formats /openapi.json names, so that schema-valid data is what the server's semantic checks accept.

`http-url`: an http(s) URL or a bare host whose host a DNS name could be (service.urls.validate_for_api).
`indicator`: a card, phone or IBAN in any written form that passes its checksum (service.indicators).

And one check, `positive_data_accepted`, in place of the built-in positive_data_acceptance (see there).
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import strategies as st
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

_LABEL = st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?\Z")
_HOST = st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_LABEL, min_size=1, max_size=3),
                  st.sampled_from(["kz", "com", "top", "xn--80ao21a", "shop"]))
_PATH = st.from_regex(r"\A(?:/[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,12}){0,3}(?:\?[A-Za-z0-9=&]{0,12})?\Z")
HTTP_URLS = st.one_of(
    st.builds(lambda scheme, host, path: f"{scheme}://{host}{path}", st.sampled_from(["http", "https", "HTTPS"]),
              _HOST, _PATH),
    _HOST,  # a bare host, as people paste one
)
INDICATORS = st.sampled_from([
    "card:4400 4302 1234 5679", "card:4400430212345679", "phone:8 747 000 11 22", "phone:+7 (747) 000-11-22",
    "iban:KZ86125KZT5004100100", "iban:KZ86 125K ZT50 0410 0100",
])

schemathesis.openapi.format("http-url", HTTP_URLS)
schemathesis.openapi.format("indicator", INDICATORS)


@schemathesis.check
def positive_data_accepted(ctx, response, case):  # type: ignore[no-untyped-def]
    """Schemathesis's positive_data_acceptance, except for a documented semantic refusal: a 400 on an operation
    whose 400 response lists `x-refused-fields` (service/api/admintypes.py `refusals`), whose error names one
    of those fields (or a part of one: `entries[3].entry` for `entries`). The run excludes the built-in check
    and runs this one in its place."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 400 and _names_refused_field(case, response):
            return None
        raise


def _names_refused_field(case, response) -> bool:  # type: ignore[no-untyped-def]
    declared = case.operation.definition.raw.get("responses", {}).get("400", {})
    fields = declared.get("x-refused-fields") if isinstance(declared, dict) else None
    if not fields:
        return False
    try:
        field = response.json()["error"]["field"]
    except (ValueError, KeyError, TypeError):
        return False
    return isinstance(field, str) and any(field == name or field.startswith((f"{name}.", f"{name}["))
                                          for name in fields)


@schemathesis.hook
def before_call(context, case, kwargs):  # type: ignore[no-untyped-def]
    """Keeps the run's own admin key: the coverage phase tries key id 1, and a revoked token would leave every
    later request a 401, which every check lets pass (the run would go on testing nothing). Revoking another
    id is still tried; this one becomes an id no key has (a documented 404)."""
    own = os.environ.get("ABAILA_CONTRACT_KEY_ID")
    if (own and case.method.upper() == "DELETE" and case.path == "/v1/admin/keys/{key_id}"
            and str((case.path_parameters or {}).get("key_id")) == own):
        case.path_parameters = {**case.path_parameters, "key_id": 10**9}
