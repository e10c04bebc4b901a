"""A real, published Safe Browsing v4 client (pysafebrowsing, from PyPI) pointed at a real `abaila serve`.

pysafebrowsing's `SafeBrowsing(key, api_url=...)` posts Google's Lookup API body to api_url with the key
as `?key=`, exactly as it does to safebrowsing.googleapis.com; nothing here is hand-made.
"""

from __future__ import annotations

from pathlib import Path

import pysafebrowsing  # a dev dependency: missing, this test fails rather than skip
import pytest

from tests._serve import create_key, environ, serve


def test_pysafebrowsing_against_abaila_serve(tmp_path: Path, lists_dir: Path) -> None:
    env = environ(tmp_path, lists_dir)
    token = create_key(env, name="sb client", rate="50/second")
    with serve(env) as base:
        client = pysafebrowsing.SafeBrowsing(token, api_url=f"{base}/v4/threatMatches:find")
        urls = ["http://pay.kaspi-kz.top/card", "https://kaspi.kz/", "http://shop.example-host.kz/fake/checkout.html",
                "https://example.org/"]
        results = client.lookup_urls(urls)
        assert results["http://pay.kaspi-kz.top/card"] == {
            "malicious": True, "platforms": ["ANY_PLATFORM"], "threats": ["SOCIAL_ENGINEERING"], "cache": "300s"}
        assert results["http://shop.example-host.kz/fake/checkout.html"]["malicious"] is True
        assert results["https://kaspi.kz/"] == {"malicious": False}  # the allowlist never matches
        assert results["https://example.org/"] == {"malicious": False}
        assert client.lookup_url("https://olx-kz.deal-safe.online/pay")["malicious"] is True
        # 60 URLs: the client splits them into requests of 25, as it does against Google.
        many = client.lookup_urls([f"https://shop{i}.example.kz/" for i in range(59)] + ["http://halyk-bonus.xyz/"])
        assert [u for u, r in many.items() if r["malicious"]] == ["http://halyk-bonus.xyz/"]

        wrong = pysafebrowsing.SafeBrowsing("abk_not-a-key", api_url=f"{base}/v4/threatMatches:find")
        with pytest.raises(pysafebrowsing.api.SafeBrowsingWeirdError):
            wrong.lookup_url("http://kaspi-kz.top/")  # our 401, which the client reports as an error
