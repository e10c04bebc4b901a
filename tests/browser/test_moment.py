"""The payment moment in a real Chromium (issue 13): pages of the corpus on their own made-up hosts.

Every scam page of tests/fixtures/pages/ gets the in-page warning; every honest page gets none; the service,
behind a recording proxy, sees only hostnames and codes: no page text, no card number, phone or IBAN, no path.
Time from navigation start to the warning is read from the warning host's `data-abaila-ms` and written to
artifacts/moment-timings.json (reported, never asserted).
"""

from __future__ import annotations

import html
import http.server
import json
import re
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._env import ROOT
from tests.browser.conftest import save_screenshot
from tests.browser.test_extension import WARNING, visit, wait_for_warning, warning_text

pytestmark = pytest.mark.browser

CORPUS = ROOT / "tests" / "fixtures" / "pages"
ARTIFACTS = ROOT / "artifacts"
# Account pages are judged as the account once issue 12 scores identities; until then instagram.com is trusted
# (and its HSTS preload keeps Chromium off a plain-HTTP test server anyway).
ACCOUNT_HOSTS = {"www.instagram.com"}


def _parse(path: Path) -> dict:
    head, text = path.read_text(encoding="utf-8").split("\n---\n", 1)
    meta: dict = {"links": [], "file": path.name, "split": path.parent.name, "text": text}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        if key == "link":
            href, _, label = value.strip().partition(" ")
            meta["links"].append((href, label or href))
        else:
            meta[key] = value.strip()
    return meta


PAGES = [_parse(p) for p in sorted(CORPUS.glob("*/*.txt"))]


def _html(meta: dict, *, reveal_on_click: bool = False) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in meta["text"].splitlines() if line.strip())
    links = "".join(f'<p><a href="{html.escape(h)}">{html.escape(t)}</a></p>' for h, t in meta["links"])
    body = paragraphs + links
    if reveal_on_click:
        # The details appear only after "Оформить заказ", as on many fake shops.
        body = (f'<h1>{html.escape(meta["text"].splitlines()[0])}</h1><button id="order">Оформить заказ</button>'
                f'<div id="details" hidden>{body}</div>'
                "<script>document.getElementById('order').onclick = () => "
                "{ document.getElementById('details').hidden = false; };</script>")
    return (f'<!doctype html><html lang="{meta["lang"]}"><head><meta charset="utf-8"><title>{meta["host"]}</title>'
            '<style>body{font:16px/1.5 sans-serif;margin:32px;max-width:720px}</style></head>'
            f"<body>{body}</body></html>")


class CorpusServer:
    """Serves each corpus page at /<split>/<file>; /click/<split>/<file> hides its details behind a button."""

    def __init__(self) -> None:
        by_path = {f"/{m['split']}/{m['file']}": m for m in PAGES}

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                click = path.startswith("/click/")
                meta = by_path.get(path.removeprefix("/click"))
                data = (_html(meta, reveal_on_click=click) if meta else "<p>nothing</p>").encode("utf-8")
                self.send_response(200 if meta else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, meta: dict, prefix: str = "") -> str:
        return f"http://{meta['host']}:{self.port}{prefix}/{meta['split']}/{meta['file']}{meta.get('path', '')}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def corpus() -> Iterator[CorpusServer]:
    server = CorpusServer()
    yield server
    server.stop()


def _secrets(meta: dict) -> list[str]:
    """What must never reach the service from this page: its numbers (any spacing), names and its path."""
    text = meta["text"]
    numbers = re.findall(r"(?:\+7|8)[ (-]*7\d\d[ )-]*\d{3}[ -]*\d\d[ -]*\d\d|\d(?:[ -]?\d){12,18}"
                         r"|[A-Z]{2}\d\d(?: ?[A-Z0-9]){11,30}", text)
    out = [meta["file"]]
    for number in numbers:
        out += [number, re.sub(r"\D", "", number)[-10:]]
    out += re.findall(r"(?:Получатель|Алушы|Recipient|recipient|получатель)[:\s]+(\w+)", text)
    return [s for s in out if len(s) >= 5]


def _assert_private(proxy, metas: list[dict]) -> None:
    sent = proxy.everything_sent()
    for meta in metas:
        for secret in _secrets(meta):
            assert secret not in sent, f"{secret!r} of {meta['file']} reached the service"
    for body in (r.body for r in proxy.requests if r.path == "/v1/check"):
        request = json.loads(body)
        assert set(request) <= {"url", "context", "lang"}, request
        assert re.fullmatch(r"https?://[a-z0-9.-]+/", request["url"]), request["url"]
        assert set(request.get("context", {})) <= {"payment_form", "asks_for", "page"}, request
        for value in request.get("context", {}).get("page", {}).values():
            assert isinstance(value, (bool, int)), request


def test_every_scam_page_gets_the_warning_and_only_codes_reach_the_service(launch, proxy, corpus) -> None:
    browser = launch(proxy.url)
    scams = [m for m in PAGES if m["kind"] == "scam" and m["host"] not in ACCOUNT_HOSTS]
    timings: dict[str, int] = {}
    missed = []
    for meta in scams:
        page = browser.page()
        visit(page, corpus.url(meta))
        try:
            level = wait_for_warning(page, timeout=8_000)
        except Exception:
            missed.append(meta["file"])
            page.close()
            continue
        assert level in ("dangerous", "suspicious", "unverified"), (meta["file"], level)
        timings[meta["file"]] = int(page.get_attribute(WARNING, "data-abaila-ms") or -1)
        page.close()
    assert missed == [], f"no warning on {missed}"
    _assert_private(proxy, scams)
    ARTIFACTS.mkdir(exist_ok=True)
    values = sorted(timings.values())
    summary = {"pages": len(values), "median_ms": statistics.median(values), "max_ms": values[-1], "each": timings}
    (ARTIFACTS / "moment-timings.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(f"\npage load to warning: median {summary['median_ms']} ms, max {summary['max_ms']} ms over {len(values)}")


def test_no_honest_page_gets_a_warning(launch, proxy, corpus) -> None:
    browser = launch(proxy.url)
    honest = [m for m in PAGES if m["kind"] == "honest"]
    page = browser.page()
    warned = []
    for meta in honest:
        visit(page, corpus.url(meta))
        page.wait_for_load_state("load")
        time.sleep(1.2)  # the content script reads at document_idle and again 300 ms after a change
        if page.locator(WARNING).count() != 0:
            warned.append(meta["file"])
    assert warned == [], f"warning on honest pages {warned}"
    _assert_private(proxy, honest)


def test_details_revealed_by_the_order_button_bring_the_warning(launch, proxy, corpus) -> None:
    browser = launch(proxy.url)
    meta = next(m for m in PAGES if m["file"] == "ru-prepay-card.txt")
    page = browser.page()
    visit(page, corpus.url(meta, "/click"))
    page.wait_for_load_state("load")
    time.sleep(1.2)
    assert page.locator(WARNING).count() == 0, "the page shows no demand before the click"
    page.click("#order")
    assert wait_for_warning(page, timeout=8_000) in ("dangerous", "suspicious", "unverified")
    assert "transfer money to a card" in warning_text(page)
    _assert_private(proxy, [meta])


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_moment_screenshots(launch, proxy, corpus, language: str) -> None:
    browser = launch(proxy.url, language=language)
    meta = next(m for m in PAGES if m["file"] == f"{language}-prepay-card.txt")
    page = browser.page()
    visit(page, corpus.url(meta))
    wait_for_warning(page)
    time.sleep(0.3)
    save_screenshot(page, f"moment-warning-{language}")
    page.set_viewport_size({"width": 390, "height": 844})
    time.sleep(0.3)
    save_screenshot(page, f"moment-warning-{language}-mobile")
