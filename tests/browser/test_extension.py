"""The extension in a real Chromium against a real `abaila serve` (issue 5, "Tests in a real browser")."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests._browser import save_screenshot
from tests.browser.conftest import (
    HONEST_HOST,
    LOOKALIKE_HOST,
    SCAM_HOST,
    SECRET,
    UNVERIFIED_HOST,
    Service,
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


def _pierced_dom(page) -> dict:
    """Returns the page's whole DOM, closed shadow roots included, as the DevTools protocol's root node."""
    cdp = page.context.new_cdp_session(page)
    try:
        return cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    finally:
        cdp.detach()


def warning_text(page) -> str:
    """The in-page warning's text. Its shadow root is closed, so read it through the DevTools protocol."""
    root = _pierced_dom(page)
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


def shadow_nodes(page, host_tag: str = "abaila-warning") -> list[dict]:
    """Every element inside the closed shadow root of host_tag, as DevTools protocol nodes (attributes flat)."""
    root = _pierced_dom(page)
    found: list[dict] = []

    def walk(node: dict, inside: bool) -> None:
        inside = inside or node.get("localName") == host_tag
        if inside and node.get("nodeType") == 1:
            attrs = node.get("attributes", [])
            found.append(dict(node, attrs=dict(zip(attrs[::2], attrs[1::2], strict=True))))
        for child in node.get("shadowRoots", []) + node.get("children", []):
            walk(child, inside)

    walk(root, False)
    return found


def shadow_rect(page, **attrs: str) -> dict[str, float]:
    """The viewport rectangle of the first element in the warning whose attributes match attrs."""
    wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
    node = next(n for n in shadow_nodes(page) if all(n["attrs"].get(k) == v for k, v in wanted.items()))
    cdp = page.context.new_cdp_session(page)
    try:
        quad = cdp.send("DOM.getBoxModel", {"backendNodeId": node["backendNodeId"]})["model"]["border"]
    finally:
        cdp.detach()
    xs, ys = quad[0::2], quad[1::2]
    return {"left": min(xs), "top": min(ys), "right": max(xs), "bottom": max(ys)}


def click_in_warning(page, action: str) -> None:
    """Clicks the warning's button data-action=action (closed shadow root: by its position on screen)."""
    rect = shadow_rect(page, data_action=action)
    page.mouse.click((rect["left"] + rect["right"]) / 2, (rect["top"] + rect["bottom"]) / 2)


def accessible_dialogs(page) -> list[dict]:
    """The alertdialog nodes of the page's accessibility tree, with their computed names."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [{"name": n.get("name", {}).get("value", ""), "id": n["nodeId"]} for n in nodes
            if n.get("role", {}).get("value") == "alertdialog" and not n.get("ignored")]


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
    assert SCAM_HOST in page.inner_text("#host")
    # One headline; the list's reason is the sentence; the list itself is under the collapsed "Why?".
    assert page.locator("h1").count() == 1 and page.inner_text("h1") == "Beware: possible scam!"
    page.wait_for_function("document.querySelector('#sentence').textContent.includes('test-scam')")
    assert "test-scam" in page.text_content("#reasons")
    assert page.get_attribute("#why", "open") is None, "Why? starts collapsed"
    assert page.get_attribute("main", "role") == "alertdialog"
    # "Always allow" is not an equal button next to "Leave": a quiet one, outside the exits.
    assert page.locator(".buttons #alwaysAllow").count() == 0
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
    text = " ".join(warning_text(page).split())
    # The brand is named once in the sentence, and its official address is a button, not a repeated line.
    assert "Kaspi.kz" in text and text.count("Go to kaspi.kz") == 1, text
    assert "Official address" not in text, text

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
    # A confirmation first; Cancel keeps the warning.
    expect(page.locator("#confirmAllow")).to_be_visible()
    assert SCAM_HOST in page.inner_text("#confirmText")
    page.click("#confirmAllowNo")
    expect(page.locator("#confirmAllow")).to_be_hidden()
    page.click("#alwaysAllow")
    page.click("#confirmAllowYes")
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


@pytest.fixture
def own_service(tmp_path) -> Iterator[Service]:  # type: ignore[no-untyped-def]
    """A service of the test's own, which it stops mid-test (the session's service stays up for the others)."""
    svc = start_service(tmp_path / "own-service")
    yield svc
    svc.stop()


def test_service_stopped_mid_test_gives_could_not_verify(launch, shop, own_service) -> None:
    browser = launch(own_service.url)
    page = browser.page()
    visit(page, shop.url(HONEST_HOST))
    assert_no_warning(page, 1.5)
    own_service.stop()
    page = browser.page()
    visit(page, shop.url("stopped." + UNVERIFIED_HOST))
    assert wait_for_warning(page) == "unreachable"
    badge = browser.worker.evaluate(
        "async () => chrome.action.getBadgeText({tabId: (await chrome.tabs.query({active: true}))[0].id})")
    assert badge == "?"


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
    # (The proxy is shared by the session: other modules' account checks name an account's public address.)
    hosts = (SCAM_HOST, LOOKALIKE_HOST, HONEST_HOST)
    checks = [r.body for r in proxy.requests if r.path == "/v1/check" and any(h in r.body for h in hosts)]
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
    assert popup.inner_text("#verdict") == "Suspicious site"
    assert "Kaspi.kz" in popup.inner_text("#sentence")
    assert popup.inner_text("#official") == "Go to kaspi.kz"
    reasons = popup.text_content("#reasons")
    assert ".top" in reasons, reasons
    assert "lookalike." not in reasons and "lexical." not in reasons, "reasons are messages, not codes"
    assert popup.inner_text("#advice") == "Do not pay in advance"

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


SIZES = {"": {"width": 1100, "height": 800}, "-mobile": {"width": 390, "height": 844}}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_screenshots_in_each_language(launch, proxy, shop, language: str) -> None:
    """docs/screenshots/: every surface (warning page, in-page box, popup, banner, options) at desktop size
    and 390x844. The addresses shown carry no test marker."""
    browser = launch(proxy.url, language=language)
    expected_title = {"kk": "Абайлаңыз, алаяқ!", "ru": "Осторожно, мошенники!", "en": "Beware: possible scam!"}
    for suffix, size in SIZES.items():
        page = browser.page()
        page.set_viewport_size(size)
        visit(page, f"http://{SCAM_HOST}:{shop.port}/plain")
        wait_url(page, WARNING_PAGE)
        page.wait_for_selector("body[data-ready=true]")
        assert page.evaluate("document.documentElement.lang") == language
        assert page.inner_text("h1") == expected_title[language]
        save_screenshot(page, f"warning-page-{language}{suffix}")
        page.click("#alwaysAllow")
        page.click("#why summary")
        save_screenshot(page, f"warning-page-confirm-{language}{suffix}")
        page.click("#confirmAllowNo")
        page.click("#continueOnce")
        wait_url(page, rf"^http://{re.escape(SCAM_HOST)}:")
        page.wait_for_selector("abaila-banner[data-abaila-banner]", state="attached", timeout=10_000)
        time.sleep(0.3)
        save_screenshot(page, f"banner-{language}{suffix}")
        page.close()

        page = browser.page()
        page.set_viewport_size(size)
        visit(page, f"http://{LOOKALIKE_HOST}:{shop.port}/checkout")
        wait_for_warning(page)
        time.sleep(0.3)
        save_screenshot(page, f"payment-warning-{language}{suffix}")
        click_in_warning(page, "minimise")
        page.wait_for_selector("abaila-warning[data-minimised=true]", state="attached")
        save_screenshot(page, f"payment-warning-pill-{language}{suffix}")

        popup = browser.page()
        popup.set_viewport_size({"width": 360, "height": 600} if suffix == "" else size)
        popup.goto(browser.extension_url(f"popup.html?tabId={tab_id(browser, LOOKALIKE_HOST)}"))
        popup.wait_for_selector("body[data-ready=true]")
        save_screenshot(popup, f"popup-{language}{suffix}")
        popup.close()
        page.close()

        options = browser.page()
        options.set_viewport_size(size)
        options.goto(browser.extension_url("options.html"))
        options.wait_for_selector("body[data-ready=true]")
        save_screenshot(options, f"options-{language}{suffix}")
        options.close()


# ---------------------------------------------------------------------------------------------------------
# Issue 15: one message, the same verdict everywhere, overrides and failures you can see


def badge_text(browser, host: str) -> str:
    return browser.worker.evaluate("async id => chrome.action.getBadgeText({tabId: id})", tab_id(browser, host))


def popup_for(browser, host: str):  # type: ignore[no-untyped-def]
    popup = browser.page()
    popup.goto(browser.extension_url(f"popup.html?tabId={tab_id(browser, host)}"))
    popup.wait_for_selector("body[data-ready=true]")
    return popup


def test_the_box_is_one_labelled_dialog_and_the_popup_says_the_same(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url(LOOKALIKE_HOST))
    assert wait_for_warning(page) == "dangerous"
    dialogs = accessible_dialogs(page)
    assert [d["name"] for d in dialogs] == ["Beware: possible scam!"], dialogs
    nodes = shadow_nodes(page)
    assert [n["localName"] for n in nodes].count("h1") == 1
    details = next(n for n in nodes if n["localName"] == "details")
    assert "open" not in details["attrs"], "Why? starts collapsed"
    assert page.evaluate("document.activeElement.localName") == "abaila-warning", "the dialog takes the focus"
    # Same site, same moment: the popup shows the box's level, word and colour, and so does the badge.
    popup = popup_for(browser, LOOKALIKE_HOST)
    assert popup.get_attribute("#verdict", "data-level") == "dangerous"
    assert popup.inner_text("#verdict") == "Beware: possible scam!"
    assert popup.get_attribute("#verdictBox", "data-tone") == "danger"
    box_tone = next(n for n in nodes if n["attrs"].get("role") == "alertdialog")["attrs"]["data-tone"]
    assert box_tone == "danger"
    assert badge_text(browser, LOOKALIKE_HOST) == "!"


def test_on_a_phone_the_exits_stay_in_view(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, shop.url(LOOKALIKE_HOST))
    assert wait_for_warning(page) == "dangerous"
    time.sleep(0.3)
    for action in ("leave", "continue", "report", "official"):
        rect = shadow_rect(page, data_action=action)
        assert rect["top"] >= 0 and rect["bottom"] <= 844 and rect["left"] >= 0 and rect["right"] <= 390, (action, rect)


def test_escape_closes_an_unverified_warning_and_minimise_makes_a_pill(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url("esc." + UNVERIFIED_HOST))
    assert wait_for_warning(page) in ("unverified", "suspicious")
    click_in_warning(page, "minimise")
    page.wait_for_selector("abaila-warning[data-minimised=true]", state="attached")
    pill = shadow_rect(page, data_action="restore")
    assert pill["bottom"] <= 800 and pill["right"] <= 1100 and pill["bottom"] - pill["top"] < 80, pill
    click_in_warning(page, "restore")
    page.wait_for_selector("abaila-warning:not([data-minimised])", state="attached")
    page.keyboard.press("Escape")
    page.wait_for_selector(WARNING, state="detached", timeout=5000)
    assert page.url.startswith(f"http://esc.{UNVERIFIED_HOST}:"), "Close stays on the page"


def test_escape_on_a_dangerous_warning_leaves(launch, proxy, shop) -> None:
    browser = launch(proxy.url)
    page = browser.page()
    visit(page, shop.url(HONEST_HOST, "/plain"))
    visit(page, shop.url(LOOKALIKE_HOST))
    assert wait_for_warning(page) == "dangerous"
    page.keyboard.press("Escape")
    wait_url(page, rf"^http://{re.escape(HONEST_HOST)}:")


def test_continue_once_keeps_a_banner_and_the_popup_can_stop_allowing(launch, proxy, shop) -> None:
    browser, page, url = _scam_warning(launch, proxy, shop)
    page.click("#continueOnce")
    wait_url(page, rf"^http://{re.escape(SCAM_HOST)}:")
    page.wait_for_selector("abaila-banner[data-abaila-banner=continued]", state="attached", timeout=10_000)
    # Another page of the same site in this tab: the banner again.
    visit(page, shop.url(SCAM_HOST, "/"))
    page.wait_for_selector("abaila-banner[data-abaila-banner=continued]", state="attached", timeout=10_000)
    assert badge_text(browser, SCAM_HOST) == "!", "an override does not blank the badge"
    popup = popup_for(browser, SCAM_HOST)
    assert popup.get_attribute("#verdict", "data-level") == "blocked"
    assert popup.inner_text("#overrideText") == "You chose to continue on this site in this tab."
    popup.click("#stopAllowing")
    wait_url(page, WARNING_PAGE)


def test_a_report_that_cannot_be_sent_says_so_and_offers_a_retry(launch, shop, own_service) -> None:
    browser = launch(own_service.url)
    page = browser.page()
    visit(page, shop.url("retry." + UNVERIFIED_HOST))
    assert wait_for_warning(page) in ("unverified", "suspicious")
    own_service.stop()
    click_in_warning(page, "report")
    text = wait_warning_text(page, "The report could not be sent")
    assert "Try again" in text
    report = next(n for n in shadow_nodes(page) if n["attrs"].get("data-action") == "report")
    assert "disabled" not in report["attrs"], "the retry can be pressed"
    # The popup says "could not check" with the service down.
    other = browser.page()
    visit(other, shop.url("down." + UNVERIFIED_HOST, "/plain"))
    popup = popup_for(browser, "down." + UNVERIFIED_HOST)
    assert popup.inner_text("#verdict") == "Could not check this site"
    assert popup.get_attribute("#verdictBox", "data-tone") == "unknown"
