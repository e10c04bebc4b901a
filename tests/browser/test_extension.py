"""The extension in a real Chromium against a real `abaila serve` (issue 5, "Tests in a real browser")."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    HONEST_HOST,
    LOOKALIKE_HOST,
    SCAM_HOST,
    SECRET,
    UNVERIFIED_HOST,
    save_screenshot,
    start_service,
)

pytestmark = pytest.mark.browser

WARNING_PAGE = re.compile(r"^chrome-extension://[a-z]+/warning\.html#")
WARNING = "abaila-warning[data-abaila-warning]"


def visit(page, url: str) -> None:
    """Opens url; a navigation that the extension replaces with its warning page counts as opened."""
    try:
        page.goto(url)
    except Exception as exc:  # playwright's Error: net::ERR_ABORTED when the tab is redirected mid-load
        if "ERR_ABORTED" not in str(exc) and "interrupted" not in str(exc):
            raise


def wait_url(page, pattern: str | re.Pattern[str], timeout_s: float = 10) -> None:
    """Waits until the tab's URL matches; the extension's redirects abort navigations, so poll instead."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            url = page.evaluate("location.href")
        except Exception:  # the frame is navigating
            url = page.url
        if regex.search(url):
            return
        assert time.monotonic() < deadline, f"tab stayed at {url}, expected {regex.pattern}"
        time.sleep(0.1)


def wait_for_warning(page, timeout: float = 10_000) -> str:
    page.wait_for_selector(WARNING, state="attached", timeout=timeout)
    return page.get_attribute(WARNING, "data-abaila-warning")


def warning_text(page) -> str:
    """The in-page warning's text. Its shadow root is closed, so read it through the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    finally:
        cdp.detach()
    texts: list[str] = []

    def walk(node: dict, inside: bool) -> None:
        inside = inside or node.get("localName") == "abaila-warning"
        if inside and node.get("nodeType") == 3:
            texts.append(node["nodeValue"])
        if node.get("localName") == "style":
            return
        for child in node.get("shadowRoots", []) + node.get("children", []):
            walk(child, inside)

    walk(root, False)
    return " ".join(texts)


def wait_warning_text(page, needle: str, timeout_s: float = 5) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        text = warning_text(page)
        if needle in text:
            return text
        assert time.monotonic() < deadline, f"{needle!r} not in the warning: {text!r}"
        time.sleep(0.1)


def assert_no_warning(page, wait_s: float = 2.5) -> None:
    time.sleep(wait_s)
    assert page.locator(WARNING).count() == 0


def test_listed_scam_host_opens_the_warning_page(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url(SCAM_HOST, "/plain"))
    wait_url(page, WARNING_PAGE)
    page.wait_for_selector("body[data-ready=true]")
    assert SCAM_HOST in page.inner_text("#lead")
    assert "test-scam" in page.inner_text("#reasons")
    # "Leave this site" is the main button and has the focus.
    assert page.evaluate("document.activeElement.id") == "leave"
    assert "primary" in page.get_attribute("#leave", "class")


def test_payment_form_on_lookalike_host_is_dangerous_and_the_first_submit_is_held(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url(LOOKALIKE_HOST))
    # kaspi-kz-pay.top imitates Kaspi.kz and the page asks for a card: the service says `dangerous`.
    assert wait_for_warning(page) == "dangerous"
    # The page's own CSS says `abaila-warning {display: none !important}`; the warning still shows.
    assert page.locator("abaila-warning").evaluate("e => getComputedStyle(e).display") == "block"
    text = warning_text(page)
    # The brand is named, and its official address stands on its own labelled line too.
    assert "Kaspi.kz" in text and " ".join(text.split()).count("Official address: kaspi.kz") >= 2, text

    page.fill("input[name=cardnumber]", "4400 4300 0000 0000")
    page.click("#paybutton")
    # The first submit is held: the page's submit handler has not run, and a "payment paused" warning asks.
    wait_warning_text(page, "Payment paused.")
    time.sleep(1)
    assert page.evaluate("[window.paid, window.submits]") == [False, 0], "the first submit is held"
    assert page.get_attribute(WARNING, "data-abaila-warning") == "dangerous"

    # The held warning focuses "Leave this site"; the next button is "I understand, continue".
    assert page.evaluate("document.activeElement.localName") == "abaila-warning"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("window.paid === true", timeout=5000)
    assert page.evaluate("window.submits") == 1, "after confirming, the held submit runs once"
    assert page.locator(WARNING).count() == 0


def test_payment_form_on_unverified_host_gets_the_warning(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url(UNVERIFIED_HOST))
    assert wait_for_warning(page) in ("unverified", "suspicious")


def test_payment_form_added_late_gets_the_warning(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url("late." + UNVERIFIED_HOST, "/late"))
    time.sleep(1.0)
    assert page.locator(WARNING).count() == 0, "no payment step yet"
    assert wait_for_warning(page) in ("unverified", "suspicious", "dangerous")


def test_allowlisted_honest_shop_gets_no_warning(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url(HONEST_HOST))
    assert_no_warning(page)
    assert page.url.startswith(f"http://{HONEST_HOST}:")


def _scam_warning(launch, proxy, shop):  # type: ignore[no-untyped-def]
    """Returns (browser, page, url) with the page on the warning page for the listed scam host."""
    browser = launch(proxy.url)
    page = browser.page()
    url = shop.url(SCAM_HOST, "/plain")
    visit(page, url)
    wait_url(page, WARNING_PAGE)
    page.wait_for_selector("body[data-ready=true]")
    return browser, page, url


def test_continue_once_opens_the_site_in_this_tab_only(launch, proxy, shop) -> None:
    browser, page, url = _scam_warning(launch, proxy, shop)
    page.click("#continueOnce")
    wait_url(page, rf"^http://{re.escape(SCAM_HOST)}:")
    time.sleep(1.5)
    assert page.url.startswith(f"http://{SCAM_HOST}:"), "not sent back to the warning"
    other = browser.page()
    visit(other, url)
    wait_url(other, WARNING_PAGE)


def test_always_allow_sticks_and_can_be_undone_in_the_options(launch, proxy, shop) -> None:
    browser, page, url = _scam_warning(launch, proxy, shop)
    page.click("#alwaysAllow")
    wait_url(page, rf"^http://{re.escape(SCAM_HOST)}:")
    other = browser.page()
    visit(other, url)
    time.sleep(2)
    assert other.url.startswith(f"http://{SCAM_HOST}:")

    options = browser.page()
    options.goto(browser.extension_url("options.html"))
    options.wait_for_selector("body[data-ready=true]")
    assert SCAM_HOST in options.inner_text("#allowed")
    options.click(f"#allowed button[data-site='{SCAM_HOST}']")
    options.wait_for_function(f"!document.querySelector('#allowed').innerText.includes('{SCAM_HOST}')")
    time.sleep(0.5)
    third = browser.page()
    visit(third, url)
    wait_url(third, WARNING_PAGE)


def test_service_stopped_mid_test_gives_could_not_verify(launch, shop, tmp_path) -> None:
    own = start_service(tmp_path / "own-service")
    try:
        browser = launch(own.url)
        page = browser.page()
        visit(page, shop.url(HONEST_HOST))
        assert_no_warning(page, 1.5)
        own.stop()
        page = browser.page()
        visit(page, shop.url("stopped." + UNVERIFIED_HOST))
        assert wait_for_warning(page) == "unreachable"
        badge = browser.worker.evaluate(
            "async () => chrome.action.getBadgeText({tabId: (await chrome.tabs.query({active: true}))[0].id})")
        assert badge == "?"
    finally:
        own.stop()


def test_no_page_path_or_query_ever_reached_the_service(launch, proxy, shop, service) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    quiet = "quiet-blog.kz"  # a page with no payment step: only hash prefixes may leave the browser
    for host, path in [(SCAM_HOST, "/plain"), (LOOKALIKE_HOST, "/checkout"), (HONEST_HOST, "/checkout"),
                       (quiet, "/plain")]:
        visit(page, shop.url(host, path + "?basket=" + SECRET))
        time.sleep(1.5)
    sent = proxy.everything_sent()
    assert "/v1/lookup/prefixes" in sent and "/v1/check" in sent, sent
    assert SECRET not in sent
    assert "/checkout" not in sent and "basket" not in sent
    assert quiet not in sent, "navigation lookups send hash prefixes, never the host"
    # A payment step sends the hostname and nothing else.
    checks = [r.body for r in proxy.requests if r.path == "/v1/check"]
    assert checks and all(re.search(r'"url":"https?://[a-z0-9.-]+/"', body) for body in checks), checks
    assert SECRET not in service.log() and "/checkout" not in service.log()


def reports_about(service, host: str) -> list[dict]:
    """Every report about host in the service's queue, read through the admin API with a moderator token."""
    token = service.moderator_token()
    answer = httpx.get(f"{service.url}/v1/admin/reports", params={"status": "all"},
                       headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return [dict(r, group_kind=g["kind"]) for g in answer.json()["groups"] for r in g["reports"]
            if r["url"].split("/")[2] == host]


def tab_id(browser, host: str) -> int:
    return browser.worker.evaluate(
        "async host => (await chrome.tabs.query({})).find(t => (t.url || '').includes('://' + host + ':')).id", host)


def test_popup_shows_the_verdict_and_reports_only_the_site(launch, proxy, shop, service) -> None:
    browser = launch(proxy.url)
    site = browser.page()
    visit(site, shop.url(LOOKALIKE_HOST, "/plain?basket=" + SECRET))
    # The toolbar popup describes the active tab; the test opens popup.html in a tab of its own and names
    # the shop's tab with ?tabId= (honoured for the extension's own pages only).
    popup = browser.page()
    popup.goto(browser.extension_url(f"popup.html?tabId={tab_id(browser, LOOKALIKE_HOST)}"))
    popup.wait_for_selector("body[data-ready=true]")
    assert popup.inner_text("#host") == LOOKALIKE_HOST
    assert popup.get_attribute("#verdict", "data-level") == "suspicious"
    assert popup.inner_text("#verdict") == "Suspicious"
    reasons = popup.inner_text("#reasons")
    assert "Kaspi.kz" in reasons and ".top" in reasons, reasons
    assert "lookalike." not in reasons and "lexical." not in reasons, "reasons are messages, not codes"
    assert "Never share SMS codes with anyone" in popup.inner_text("#advice")

    popup.click("#report")
    expect(popup.locator("#reportResult")).to_have_text("Thank you. Moderators will review this site.")
    reports = reports_about(service, LOOKALIKE_HOST)
    assert [(r["url"], r["kind"]) for r in reports if r["kind"] == "scam"] == [(f"http://{LOOKALIKE_HOST}/", "scam")]
    report = next(r for r in reports if r["kind"] == "scam")
    public = httpx.get(f"{service.url}/v1/reports/{report['id']}", timeout=10).json()
    assert public["url"] == f"http://{LOOKALIKE_HOST}/" and public["status"] == "open"
    assert SECRET not in proxy.everything_sent()


def test_report_a_mistake_on_the_warning_page_sends_an_appeal_for_the_site(launch, proxy, shop, service) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url(SCAM_HOST, "/plain?basket=" + SECRET))
    wait_url(page, WARNING_PAGE)
    page.wait_for_selector("body[data-ready=true]")
    page.click("#report")
    expect(page.locator("#reportResult")).to_have_text("Thank you. Moderators will review this site.")
    assert page.is_disabled("#report"), "one appeal per click"
    appeals = [r for r in reports_about(service, SCAM_HOST) if r["kind"] == "wrong_warning"]
    assert [r["url"] for r in appeals] == [f"http://{SCAM_HOST}/"], appeals
    assert appeals[0]["group_kind"] == "appeal"
    posted = [r.body for r in proxy.requests if r.path == "/v1/reports"]
    assert any(f'"url":"http://{SCAM_HOST}/"' in body and '"kind":"wrong_warning"' in body for body in posted), posted
    assert SECRET not in proxy.everything_sent()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_screenshots_in_each_language(launch, proxy, shop, language: str) -> None:
    browser = launch(proxy.url, language=language)
    page = browser.page()
    visit(page, f"http://{SCAM_HOST}:{shop.port}/plain")  # no test marker in the address shown in the docs
    wait_url(page, WARNING_PAGE)
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate("document.documentElement.lang") == language
    expected_title = {"kk": "Абайлаңыз, алаяқ!", "ru": "Осторожно, мошенники!", "en": "Beware: possible scam!"}
    assert page.inner_text("h1") == expected_title[language]
    save_screenshot(page, f"warning-page-{language}")
    page = browser.page()
    visit(page, shop.url(LOOKALIKE_HOST))
    wait_for_warning(page)
    time.sleep(0.3)
    save_screenshot(page, f"payment-warning-{language}")
