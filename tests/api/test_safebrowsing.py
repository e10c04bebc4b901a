"""POST /v4/threatMatches:find: Google's Lookup API shape, hand-made requests (the real client is in
test_safebrowsing_client.py)."""

from __future__ import annotations

import base64
import hashlib

from service.api import safebrowsing


def _body(*entries: dict[str, str], threat_types=("MALWARE", "SOCIAL_ENGINEERING", "UNWANTED_SOFTWARE"),
          platforms=("ANY_PLATFORM",)) -> dict:
    return {"client": {"clientId": "tests", "clientVersion": "1.0"},
            "threatInfo": {"threatTypes": list(threat_types), "platformTypes": list(platforms),
                           "threatEntryTypes": ["URL"], "threatEntries": list(entries)}}


def test_matches_in_google_shape(bank_client, make_key):
    client = bank_client()
    token = make_key(client)
    body = _body({"url": "http://pay.kaspi-kz.top/card?x=1"}, {"url": "https://kaspi.kz/"},
                 {"url": "http://shop.example-host.kz/fake/checkout.html"}, {"url": "https://example.org/"})
    response = client.post(f"/v4/threatMatches:find?key={token}", json=body)
    assert response.status_code == 200, response.text
    matches = response.json()["matches"]
    assert [m["threat"] for m in matches] == [{"url": "http://pay.kaspi-kz.top/card?x=1"},
                                              {"url": "http://shop.example-host.kz/fake/checkout.html"}]
    first = matches[0]
    assert first["threatType"] == "SOCIAL_ENGINEERING"  # phishing; scam_shop too
    assert first["platformType"] == "ANY_PLATFORM" and first["threatEntryType"] == "URL"
    assert first["cacheDuration"] == "300s"
    meta = {base64.b64decode(e["key"]).decode(): base64.b64decode(e["value"]).decode()
            for e in first["threatEntryMetadata"]["entries"]}
    assert meta == {"list": "test-scam", "category": "phishing"}
    assert response.headers["ratelimit-limit"]


def test_nothing_matched_is_an_empty_object_and_allowlist_never_matches(bank_client, make_key):
    client = bank_client()
    headers = {"Authorization": f"Bearer {make_key(client)}"}
    response = client.post("/v4/threatMatches:find", json=_body({"url": "https://kaspi.kz/"},
                                                                 {"url": "http://[::1"}), headers=headers)
    assert response.status_code == 200
    assert response.json() == {}


def test_threat_types_and_platforms_filter(bank_client, make_key):
    client = bank_client()
    headers = {"Authorization": f"Bearer {make_key(client)}"}
    only_malware = client.post("/v4/threatMatches:find", headers=headers,
                               json=_body({"url": "http://kaspi-kz.top/"}, threat_types=("MALWARE",)))
    assert only_malware.json() == {}
    two = client.post("/v4/threatMatches:find", headers=headers,
                      json=_body({"url": "http://kaspi-kz.top/"}, platforms=("WINDOWS", "ANDROID")))
    assert [m["platformType"] for m in two.json()["matches"]] == ["WINDOWS", "ANDROID"]


def test_hash_entries(bank_client, make_key):
    client = bank_client()
    headers = {"Authorization": f"Bearer {make_key(client)}"}
    full = hashlib.sha256(b"kaspi-kz.top/").digest()
    entries = [{"hash": base64.b64encode(full).decode()}, {"hash": base64.b64encode(full[:4]).decode()},
               {"hash": base64.b64encode(hashlib.sha256(b"kaspi.kz/").digest()).decode()}]
    response = client.post("/v4/threatMatches:find", headers=headers, json=_body(*entries))
    assert [m["threat"] for m in response.json()["matches"]] == entries[:2]


def test_category_mapping():
    assert safebrowsing.threat_type("phishing") == "SOCIAL_ENGINEERING"
    assert safebrowsing.threat_type("scam_shop") == "SOCIAL_ENGINEERING"
    assert safebrowsing.threat_type("scam") == "SOCIAL_ENGINEERING"
    assert safebrowsing.threat_type("malware") == "MALWARE"
    assert safebrowsing.threat_type("unwanted") == "UNWANTED_SOFTWARE"
    assert safebrowsing.threat_type("allowlist") is None


def test_key_required_and_bad_requests(bank_client, make_key):
    client = bank_client()
    assert client.post("/v4/threatMatches:find", json=_body({"url": "http://a.kz/"})).status_code == 401
    assert client.post("/v4/threatMatches:find?key=abk_nope", json=_body()).status_code == 401
    token = make_key(client)
    too_many = _body(*({"url": f"http://a{i}.kz/"} for i in range(safebrowsing.MAX_ENTRIES + 1)))
    for body in ({"threatInfo": "x"}, {}, too_many, _body({"nothing": "here"}), _body({"hash": "!!"}),
                 _body(threat_types=("NOT_A_TYPE",))):
        response = client.post(f"/v4/threatMatches:find?key={token}", json=body)
        assert response.status_code == 400, body
        error = response.json()["error"]
        assert error["code"] == "invalid_field" and error["status"] == "INVALID_ARGUMENT"
