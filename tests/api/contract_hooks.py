"""Schemathesis hooks for the contract test (loaded through SCHEMATHESIS_HOOKS): generators for the string
formats /openapi.json names, so that schema-valid data is what the server's semantic checks accept.

`http-url`: an http(s) URL or a bare host whose host a DNS name could be (service.urls.validate_for_api).
`indicator`: a card, phone or IBAN in any written form that passes its checksum (service.indicators).
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

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
