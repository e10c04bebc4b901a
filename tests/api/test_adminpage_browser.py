"""/admin in real Chromium against a real `abaila serve`: the moderation story of issue 6, as users do it.

    abaila keys create --role moderator --name alice|bob --json      (the CLI, on the server's store)
    shopper ──POST /v1/reports──> abaila serve <──Chromium── alice: sign in, queue, accept with a note
                                       │                    bob: search, remove with a note; audit; kk/ru
    GET /v1/check ── blocked within seconds, then not blocked once bob removed it

Also: a wrong token shows an error and no data; a form posted without the CSRF token (or from another
site, without the cookie) changes nothing. Screenshots of the queue and the audit log go to
artifacts/screenshots/admin-*.png (docs/screenshots/ holds copies for docs/moderation.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._browser import SCREENSHOTS, save_screenshot
from tests._env import ROOT
from tests._serve import create_key, environ, serve, wait_until
from tests.conftest import write_lists

pytestmark = pytest.mark.browser

SITE = "fast-iphone-sale.shop"  # on no list: the shopper's report is what puts it on one


class Server:
    def __init__(self, base: str, env: dict[str, str]) -> None:
        self.base, self.env = base, env

    def verdict(self, url: str) -> str:
        return str(httpx.get(f"{self.base}/v1/check", params={"url": url}, timeout=10).json()["verdict"])

    def report(self, url: str, kind: str = "scam", comment: str | None = None) -> dict[str, Any]:
        body = {"url": url, "kind": kind} | ({"comment": comment} if comment else {})
        response = httpx.post(f"{self.base}/v1/reports", json=body, timeout=10)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def report_status(self, report_id: str) -> str:
        return str(httpx.get(f"{self.base}/v1/reports/{report_id}", timeout=10).json()["status"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("adminpage")
    env = environ(tmp, write_lists(tmp / "lists"), ABAILA_LOG_LEVEL="warning", ABAILA_ANON_RATE="10000/minute")
    with serve(env) as base:
        yield Server(base, env)


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="en-US")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Any, server: Server, token: str) -> None:
    page.goto(f"{server.base}/admin?lang=en")
    page.fill("input[name=token]", token)
    page.click("#login")
    page.wait_for_selector("#reports")


def wait_for_verdict(server: Server, url: str, wanted: set[str]) -> None:
    """Returns once the running server answers one of the wanted verdicts for url."""
    wait_until(lambda: server.verdict(url) in wanted, f"{url}: a verdict in {sorted(wanted)}")


def test_report_accepted_blocks_then_removed_with_audit_and_languages(server: Server, new_page: Any) -> None:
    alice = create_key(server.env, name="alice", role="moderator")
    bob = create_key(server.env, name="bob", role="moderator")
    url = f"https://{SITE}/iphone-15?promo=1"
    assert server.verdict(url) != "blocked"
    server.report(url, comment="Took my prepayment, no phone <b>ever</b>")
    server.report(f"http://{SITE.upper()}/other", kind="phishing")  # another shopper, another page

    # alice signs in and sees the report in the queue (the comment escaped, not rendered)
    page = new_page()
    sign_in(page, server, alice)
    row = page.locator("tr.report", has_text=f"{SITE}/")
    assert row.count() == 1
    assert "Took my prepayment, no phone <b>ever</b>" in row.inner_text()
    assert page.locator("header").inner_text().count("alice") == 1
    save_screenshot(page, "admin-queue")

    # she accepts it with a note; the running server blocks the site within seconds
    row.locator("input[name=note]").fill("confirmed by two shoppers; fake iPhone shop")
    row.locator("button[value=accept]").click()
    page.wait_for_selector("#message")
    wait_for_verdict(server, url, {"blocked"})
    assert page.locator("tr.report", has_text=f"{SITE}/").count() == 0

    # bob finds the entry and removes it with a note
    page_b = new_page()
    sign_in(page_b, server, bob)
    page_b.fill("form[action='/admin'] input[name=q]", SITE)
    page_b.click("form[action='/admin'] button")
    entry = page_b.locator("tr.entry", has=page_b.locator(f"td:text-is('{SITE}/')"))
    entry.wait_for()
    assert "alice" in entry.inner_text()
    entry.locator("input[name=reason]").fill("shop refunded everyone; reviewed with the bank")
    entry.locator("button").click()
    page_b.wait_for_selector("#message")
    wait_for_verdict(server, url, {"no_known_risk", "unverified", "suspicious"})

    # the audit log shows both actions, with their actors and notes
    page_b.goto(f"{server.base}/admin#audit")
    audit = page_b.locator("tr.audit")
    rows = [audit.nth(i).inner_text() for i in range(audit.count())]
    accepted = [r for r in rows if "report.accept" in r]
    removed = [r for r in rows if "entry.remove" in r]
    assert accepted and "alice" in accepted[0] and SITE in accepted[0] and "confirmed by two shoppers" in accepted[0]
    assert removed and "bob" in removed[0] and SITE in removed[0] and "shop refunded everyone" in removed[0]
    page_b.locator("#audit").scroll_into_view_if_needed()
    save_screenshot(page_b, "admin-audit")

    # the page in Kazakh, then Russian (the choice sticks in a cookie)
    page_b.click("header a:text-is('kk')")
    page_b.wait_for_selector("html[lang=kk]")
    assert page_b.locator("h2#reports").inner_text() == "Шағымдар"
    assert page_b.locator("h2#audit").inner_text() == "Журнал"
    assert page_b.locator("form[action='/admin/logout'] button").inner_text() == "Шығу"
    page_b.goto(f"{server.base}/admin")
    assert page_b.locator("h2#entries").inner_text() == "Жазбалар"
    page_b.click("header a:text-is('ru')")
    page_b.wait_for_selector("html[lang=ru]")
    assert page_b.locator("h2#reports").inner_text() == "Жалобы"
    assert page_b.locator("h2#entries").inner_text() == "Записи"
    assert page_b.locator("#add").inner_text() == "Добавить"


def test_wrong_token_shows_an_error_and_no_data(server: Server, new_page: Any) -> None:
    server.report("https://secret-queue-item.shop/", comment="should stay private")
    page = new_page()
    page.goto(f"{server.base}/admin?lang=en")
    page.fill("input[name=token]", "abk_not-a-real-token")
    page.click("#login")
    page.wait_for_selector("#error")
    assert page.locator("#error").inner_text() == "Unknown or revoked token"
    html = page.content()
    assert "secret-queue-item" not in html and "should stay private" not in html
    assert page.locator("#reports").count() == 0 and page.locator("tr.audit").count() == 0
    assert page.locator("input[name=token]").count() == 1
    assert not [c for c in page.context.cookies() if c["name"] == "abaila_admin"]
    bank = create_key(server.env, name="a bank", role="bank")  # a real token, but not a moderator's
    page.fill("input[name=token]", bank)
    page.click("#login")
    page.wait_for_selector("#error")
    assert "secret-queue-item" not in page.content()


def test_forged_form_posts_change_nothing(server: Server, new_page: Any) -> None:
    alice = create_key(server.env, name="alice-csrf", role="moderator")
    target = "csrf-target.shop"
    made = server.report(f"https://{target}/")
    page = new_page()
    sign_in(page, server, alice)
    group = page.locator("tr.report", has_text=f"{target}/").locator("form").get_attribute("action")
    assert group and group.startswith("/admin/reports/")
    # with alice's cookie, but without the CSRF token, or with a made-up one
    for form in ({"decision": "accept", "note": "forged"},
                 {"decision": "accept", "note": "forged", "csrf": "0" * 64}):
        response = page.context.request.post(server.base + group, form=form)
        assert response.status == 403, response.text()
    added = page.context.request.post(f"{server.base}/admin/entries",
                                      form={"entry": "honest-rival.kz", "reason": "forged"})
    assert added.status == 403
    # a page on another site posting the form: the SameSite cookie stays home, so nobody is signed in
    attacker = page.context.new_page()
    attacker.set_content(f"""<form id="f" method="post" action="{server.base}{group}">
        <input name="decision" value="accept"><input name="note" value="forged"></form>""")
    with attacker.expect_navigation():
        attacker.evaluate("document.getElementById('f').submit()")
    assert attacker.locator("input[name=token]").count() == 1 and attacker.locator("#reports").count() == 0
    assert server.report_status(made["id"]) == "open"
    assert server.verdict(f"https://{target}/") != "blocked"
    assert server.verdict("https://honest-rival.kz/") != "blocked"
    page.reload()
    assert page.locator("tr.report", has_text=f"{target}/").count() == 1


def test_allowlist_and_audit_filters_in_the_page(server: Server, new_page: Any) -> None:
    carol = create_key(server.env, name="carol", role="moderator")
    shop = "verified-merchant.kz"
    page = new_page()
    sign_in(page, server, carol)
    form = page.locator("#allow-add")
    form.locator("input[name=entry]").fill(shop)
    form.locator("input[name=reason]").fill("merchant verified by Halyk")
    form.locator("button").click()
    page.wait_for_selector("#message")
    row = page.locator("tr.allow", has_text=f"{shop}/")
    assert row.count() == 1 and "carol" in row.inner_text()
    wait_for_verdict(server, f"https://{shop}/checkout", {"trusted"})
    row.locator("input[name=reason]").fill("merchant closed")
    row.locator("button").click()
    page.wait_for_selector("#message")
    assert page.locator("tr.allow", has_text=f"{shop}/").count() == 0
    wait_for_verdict(server, f"https://{shop}/checkout", {"no_known_risk", "unverified", "suspicious"})

    audit_filter = page.locator("#audit-filter")
    audit_filter.locator("input[name=actor]").fill("carol")
    audit_filter.locator("input[name=target]").fill(f"https://{shop.upper()}/")
    audit_filter.locator("button").click()
    page.wait_for_selector("#audit-filter a")  # "show all" appears while filtered
    rows = [r.inner_text() for r in page.locator("tr.audit").all()]
    assert len(rows) == 2 and all("carol" in r and f"{shop}/" in r for r in rows)
    assert "entry.remove" in rows[0] and "entry.add" in rows[1]
    page.click("#audit-filter a")
    page.wait_for_selector("#audit-filter input[name=actor][value='']")
    assert page.locator("tr.audit").count() > 2


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_indicator_reports_are_masked_until_revealed(server: Server, new_page: Any, lang: str) -> None:
    card, phone = "card:4400430212345679", "phone:+77470001122"
    for body in ({"kind": "scam", "url": f"https://{SITE}/", "indicators": ["card:4400 4302 1234 5679"],
                  "comment": "paid 250 000 ₸ for an iPhone, nothing came"},
                 {"kind": "scam", "indicators": ["card:4400-4302-1234-5679", "phone:8 747 000 11 22"]}):
        assert httpx.post(f"{server.base}/v1/reports", json=body, timeout=10).status_code == 201
    page = new_page()
    sign_in(page, server, create_key(server.env, name=f"indicator-{lang}", role="moderator"))
    page.goto(f"{server.base}/admin?lang={lang}")
    queue = page.inner_text("#reports ~ table >> nth=0")
    assert "card:440043••••••5679" in queue and card not in page.content() and phone not in page.content()
    page.set_viewport_size({"width": 1100, "height": 560})
    save_screenshot(page, f"admin-indicators-{lang}")
    page.click("#reveal")
    page.wait_for_selector("#mask")
    assert card in page.inner_text("#reports ~ table >> nth=0")
    save_screenshot(page, f"admin-indicators-revealed-{lang}")
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, f"admin-indicators-{lang}-mobile")
    docs = ROOT / "docs" / "screenshots"
    for name in (f"admin-indicators-{lang}", f"admin-indicators-revealed-{lang}", f"admin-indicators-{lang}-mobile"):
        (docs / f"{name}.png").write_bytes((SCREENSHOTS / f"{name}.png").read_bytes())
