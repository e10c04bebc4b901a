"""The check page `GET /` with a TestClient: a pasted message judged, the share target, languages, reports,
privacy headers, the manifest (service/api/page.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

SCAM_SMS = ("Ваша карта Kaspi заблокирована. Для разблокировки перейдите kaspi-kz.top/unblock или "
            "позвоните +7 (747) 000-11-22. Официальный сайт: kaspi.kz.")


@pytest.fixture
def client(client_factory: Callable[..., TestClient]) -> TestClient:
    return client_factory()


def _levels(html: str) -> list[str]:
    return re.findall(r'class="card [a-z]+ result" data-level="([a-z_]+)"', html)


def test_page_without_text_is_the_empty_form_in_the_negotiated_language(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,kk;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="ru">' in page.text and "Проверьте ссылку или сообщение" in page.text
    assert 'id="results"' not in page.text
    assert '<link rel="manifest" href="/manifest.webmanifest' in page.text
    assert "Банк не звонит" in page.text and "Как проверить интернет-магазин" in page.text
    assert '<html lang="kk">' in client.get("/", headers={"Accept-Language": "kk-KZ, ru;q=0.5"}).text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "de"}).text


def test_pasted_message_judges_every_link_and_finds_numbers(client: TestClient) -> None:
    page = client.post("/", data={"text": SCAM_SMS, "lang": "ru"})
    assert page.status_code == 200
    assert _levels(page.text) == ["blocked", "trusted"]
    assert "http://kaspi-kz.top/unblock" in page.text and "Осторожно, мошенники!" in page.text
    assert "Никому не сообщайте код из SMS" in page.text  # the advice, in Russian
    assert "test-scam" in page.text  # the list reason's message names the list
    assert 'data-reported="false"' in page.text and "+77470001122" in page.text  # in no list, no report
    assert '<a href="http://kaspi-kz.top' not in page.text  # a scam link is text, never one tap away
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"


def test_the_text_is_never_logged_nor_put_in_a_cookie(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "секрет-4242 kaspi-kz.top/zzz"
    page = client.get("/", params={"text": marker})
    assert page.status_code == 200 and "blocked" in _levels(page.text)
    served = [r for r in caplog.records if r.name != "httpx"]  # httpx logs the test client's own request
    assert served and not any("4242" in r.getMessage() or "4242" in str(r.__dict__) for r in served)
    assert all("4242" not in value for value in page.headers.values())


def test_share_target_judges_what_android_shares(client: TestClient) -> None:
    shared = client.get("/", params={"title": "Скидка 90%!", "text": "Успей купить",
                                     "url": "https://olx-kz.deal-safe.online/pay?id=7"})
    assert _levels(shared.text) == ["blocked"]
    assert "https://olx-kz.deal-safe.online/pay?id=7" in shared.text
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["share_target"] == {"action": "/share", "method": "GET",
                                    "params": {"title": "title", "text": "text", "url": "url"}}
    assert body["start_url"] == "/" and body["display"] == "standalone" and body["icons"]
    assert client.get(body["icons"][0]["src"]).headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize(("lang", "headline", "report"), [
    ("kk", "Абайлаңыз, алаяқ!", "Алаяқтық туралы хабарлау"),
    ("ru", "Осторожно, мошенники!", "Сообщить о мошенничестве"),
    ("en", "Beware: possible scam!", "Report as a scam"),
])
def test_results_in_each_language(client: TestClient, lang: str, headline: str, report: str) -> None:
    page = client.post("/", data={"text": "halyk-bonus.xyz", "lang": lang})
    assert f'<html lang="{lang}">' in page.text and headline in page.text and report in page.text
    assert page.cookies.get("abaila_lang") == lang


def test_language_switch_keeps_the_message_without_a_url(client: TestClient) -> None:
    page = client.post("/", data={"text": "halyk-bonus.xyz", "lang": "ru"})
    switch = re.search(r'<form class="langs" method="post" action="/".*?</form>', page.text, re.S)
    assert switch and 'name="text" value="halyk-bonus.xyz"' in switch.group(0) and 'value="kk"' in switch.group(0)
    again = client.post("/", data={"text": "halyk-bonus.xyz", "lang": "kk"})
    assert "Абайлаңыз, алаяқ!" in again.text
    assert '<html lang="kk">' in client.get("/").text  # the cookie remembers the choice


def test_nothing_found_and_unreadable_links(client: TestClient) -> None:
    assert "В тексте не найдено ни ссылок, ни номеров." in client.post("/", data={"text": "привет", "lang": "ru"}).text
    too_long = client.post("/", data={"text": "a" * 10_001, "lang": "en"})
    assert too_long.status_code == 400 and "at most 10000 characters" in too_long.text


def test_report_action_files_a_report(client: TestClient) -> None:
    filed = client.post("/report", data={"url": "http://kaspi-kz.top/unblock", "kind": "scam", "lang": "en"})
    assert filed.status_code == 201
    report_id = re.search(r"Its number: (r[0-9a-f]{16})", filed.text)
    assert report_id, filed.text[:2000]
    status = client.get(f"/v1/reports/{report_id.group(1)}").json()
    assert status["status"] == "open" and status["kind"] == "scam"
    appeal = client.post("/report", data={"url": "http://halyk-bonus.xyz/", "kind": "wrong_warning", "lang": "en"})
    assert appeal.status_code == 201
    bad = client.post("/report", data={"url": "javascript:alert(1)", "kind": "scam", "lang": "en"})
    assert bad.status_code == 400 and 'id="error"' in bad.text


def test_report_action_shares_the_reports_limit(client: TestClient) -> None:
    codes = [client.post("/report", data={"url": f"http://spam{i}.example/", "kind": "scam"}).status_code
             for i in range(11)]
    assert codes[:10] == [201] * 10 and codes[10] == 429
    assert client.post("/v1/reports", json={"url": "http://x.example/", "kind": "scam"}).status_code == 429


def test_page_is_in_the_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/", "/share", "/report", "/manifest.webmanifest"} <= set(paths)


def test_checks_are_limited_per_address_but_page_views_are_not(client_factory: Callable[..., TestClient]) -> None:
    client = client_factory(ABAILA_PAGE_RATE="3/minute")
    assert [client.get("/share", params={"text": f"x{i}.kz"}).status_code for i in range(3)] == [200] * 3
    assert client.post("/", data={"text": "y.kz"}).status_code == 429  # one counter for both ways in
    moved = client.get("/", params={"url": "z.kz"}, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/share?url=z.kz"
    assert all(client.get("/").status_code == 200 for _ in range(5))


def test_a_listed_and_a_reported_number_in_a_message_are_shown_as_reported(
        moderation: tuple[TestClient, dict[str, str], str]) -> None:
    client, tokens, _ = moderation
    moderator = {"Authorization": f"Bearer {tokens['moderator']}"}
    listed = client.post("/v1/admin/entries", headers=moderator,
                         json={"entry": "phone:8 (747) 000-11-22", "reason": "dropper phone, three victims"})
    assert listed.status_code in (200, 201), listed.text
    reported = client.post("/v1/reports", json={"indicators": ["card:4400 4302 5566 7716"], "kind": "scam"})
    assert reported.status_code == 201, reported.text
    # a card that was reported, one nobody reported, and digits that fail Luhn (not a card at all)
    message = SCAM_SMS + (" Предоплата на Kaspi Gold 4400 4302 5566 7716, а также 4400-4302-1111-2229"
                          " (не 4400-4302-1111-2222).")
    page = client.post("/", data={"text": message, "lang": "ru"})
    found = re.findall(r'data-reported="([a-z]+)">\s*<p class="level">[^<]*</p>\s*<p class="url">([^<]+)</p>',
                       page.text)
    by_value = {value: state for state, value in found}
    assert by_value == {"+77470001122": "true", "4400430255667716": "true", "4400430211112229": "false"}, by_value
