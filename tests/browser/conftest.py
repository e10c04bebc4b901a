"""A real browser with the extension, a real `abaila serve`, and shop pages on made-up hosts.

    Chromium (--host-resolver-rules: every name is 127.0.0.1)
      ├── shop pages  http://<made-up host>:<shop port>/...   ShopServer (this file)
      └── extension ──► RecordingProxy :<proxy port> ──► abaila serve :<api port>
                        (keeps every request line and body, so tests can prove no page path left the browser)

The service gets a temporary lists dir: one scam list, one allowlist, and the bundled protected-brands file
(without `brands.toml` in ABAILA_LISTS_DIR the service knows no brands, so no look-alike is ever found).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests._browser import CHROMIUM_ARGS
from tests._env import ROOT, chromium_path, offline_upstreams
from tests._serve import Serve, create_key
from tests.peers.servers import PageServer, QuietHandler, ThreadedServer, self_signed_certificate

EXTENSION = ROOT / "extension"

SCAM_HOST = "kaspi-bonus-shop.top"  # on the test scam list
LOOKALIKE_HOST = "kaspi-kz-pay.top"  # not listed; imitates Kaspi.kz
UNVERIFIED_HOST = "sneaker-corner.store"  # not listed, unknown
HONEST_HOST = "honest-shop.kz"  # on the test allowlist
SECRET = "order-7f3a9c-secret"  # in every shop path and query: must never reach the service
# instagram.com is on Chromium's HSTS preload list: an http:// address is upgraded to https://, so a mapped
# www.instagram.com is served over TLS (instagram_certificate) with a certificate the browser is told to accept.
TLS_ARGS = ("--ignore-certificate-errors",)


# ---------------------------------------------------------------------------------------------------------
# The service


class Service(Serve):
    """`abaila serve` for the browser tests; env is its environment, so the CLI sees its store."""

    @property
    def url(self) -> str:
        return self.base

    def moderator_token(self) -> str:
        """Creates a moderator token in the service's store with the CLI (`abaila keys create`)."""
        return create_key(self.env, name="browser-tests", role="moderator")


def write_lists(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "test-scam.txt").write_text(
        f"# name: test-scam\n# category: scam\n# format: plain\n{SCAM_HOST}\n", encoding="utf-8")
    (directory / "test-allowlist.txt").write_text(
        f"# name: test-allowlist\n# category: allowlist\n# format: plain\n{HONEST_HOST}\n", encoding="utf-8")
    # The look-alike detector reads the protected brands from the lists dir only.
    shutil.copyfile(ROOT / "blocklists" / "brands.toml", directory / "brands.toml")
    return directory


def start_service(tmp: Path) -> Service:
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "ABAILA_LISTS_DIR": str(write_lists(tmp / "lists")),
        "ABAILA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/abaila.db",
        "ABAILA_VAR_DIR": str(tmp / "var"),
        "ABAILA_CHECK_DEADLINE_MS": "400",  # the made-up hosts have no DNS or WHOIS: don't wait for them
        **offline_upstreams(tmp),  # DNS, WHOIS and RDAP fail fast, on this machine
        "ABAILA_ANON_RATE": "10000/minute",
        "ABAILA_LOG_LEVEL": "info",
    })
    return Service(env, log=tmp / "service.log")


# ---------------------------------------------------------------------------------------------------------
# A recording proxy in front of the service


@dataclass
class Recorded:
    method: str
    path: str
    body: str


_HOP_BY_HOP = ("host", "content-length", "connection", "proxy-connection", "transfer-encoding",
               "content-encoding")


def relay(handler: http.server.BaseHTTPRequestHandler, url: str, body: bytes) -> None:
    """Sends the handler's request (method, headers, body) to url and writes the answer back to its client."""
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
    try:
        upstream = httpx.request(handler.command, url, content=body, headers=headers, timeout=10)
    except httpx.HTTPError:
        handler.send_error(502)
        return
    handler.send_response(upstream.status_code)
    for k, v in upstream.headers.items():
        if k.lower() not in _HOP_BY_HOP:
            handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(upstream.content)))
    handler.end_headers()
    handler.wfile.write(upstream.content)


class RecordingProxy(ThreadedServer):
    """Relays every request to target (the service) and keeps it in `requests`; serves until stop()."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.requests: list[Recorded] = []
        proxy = self

        class Handler(QuietHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.requests.append(Recorded(self.command, self.path, body.decode("utf-8", "replace")))
                relay(self, proxy.target + self.path, body)

            do_GET = do_POST = do_OPTIONS = _forward

        super().__init__(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def everything_sent(self) -> str:
        return "\n".join(f"{r.method} {r.path} {r.body}" for r in self.requests)


# ---------------------------------------------------------------------------------------------------------
# Shop pages on made-up hosts

CHECKOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title>
<style>body{font-family:sans-serif;margin:40px} abaila-warning{display:none!important}
label{display:block;margin-top:10px}</style></head>
<body><h1>Sneakers, 45 000 ₸</h1>
<form id="pay" action="/paid" method="post">
<label>Card number <input name="cardnumber" autocomplete="cc-number" placeholder="0000 0000 0000 0000"></label>
<label>Expiry <input name="exp" autocomplete="cc-exp" placeholder="MM/YY"></label>
<label>CVV <input name="cvv" autocomplete="cc-csc"></label>
<button id="paybutton" type="submit">Pay now</button>
</form>
<script>window.paid = false; window.submits = 0;
document.getElementById('pay').addEventListener('submit', e => {
  e.preventDefault(); window.submits += 1; window.paid = true; document.title = 'paid'; });</script>
</body></html>"""

LATE = """<!doctype html><html><head><meta charset="utf-8"><title>Cart</title></head>
<body><h1>Your cart</h1><div id="slot"></div>
<script>setTimeout(() => { document.getElementById('slot').innerHTML =
  '<form><label>Номер карты <input id="pan" name="pan"></label>' +
  '<label>Код из SMS <input id="sms" name="sms_code"></label></form>'; }, 1500);</script>
</body></html>"""

PLAIN = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Welcome</h1><p>Nothing to pay here.</p></body></html>"""

PAGES = {"/checkout": CHECKOUT, "/late": LATE, "/": PLAIN, "/plain": PLAIN}


class ShopServer(PageServer):
    def __init__(self) -> None:
        super().__init__(lambda path: (200, PAGES.get(path, PLAIN)))

    def url(self, host: str, path: str = "/checkout") -> str:
        sep = "&" if "?" in path else "?"
        return f"http://{host}:{self.port}{path}{sep}ref={SECRET}"


# ---------------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_service(tmp_path_factory.mktemp("service"))
    yield svc
    svc.stop()


@pytest.fixture(scope="session")
def proxy(service: Service) -> Iterator[RecordingProxy]:
    with RecordingProxy(service.url) as recording:
        yield recording


@pytest.fixture(scope="session")
def shop() -> Iterator[ShopServer]:
    with ShopServer() as server:
        yield server


@pytest.fixture(scope="session")
def instagram_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(cert.pem, key.pem) for instagram.com and every *.instagram.com host."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), "www.instagram.com", "instagram.com",
                                   "*.instagram.com")


@pytest.fixture
def launch(chromium: str, tmp_path: Path):
    """Returns a function that starts Chromium with the extension, pointed at a service URL."""
    from playwright.sync_api import sync_playwright

    opened = []

    def _launch(service_url: str, language: str = "en", extra_args: tuple[str, ...] = ()):
        pw = sync_playwright().start()
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / f"profile-{len(opened)}"),
            executable_path=chromium,
            headless=False,
            ignore_default_args=["--disable-extensions"],
            args=[
                "--headless=new",
                f"--disable-extensions-except={EXTENSION}",
                f"--load-extension={EXTENSION}",
                "--host-resolver-rules=MAP * 127.0.0.1",
                *CHROMIUM_ARGS,
                *extra_args,
            ],
            viewport={"width": 1100, "height": 800},
        )
        opened.append((pw, context))
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        worker.evaluate("s => chrome.storage.local.set(s)", {"serviceURL": service_url, "language": language})
        # Wait until the background has re-read its settings.
        worker.evaluate("""async url => { for (let i = 0; i < 50; i++) {
            const s = await chrome.storage.local.get('serviceURL'); if (s.serviceURL === url) return;
            await new Promise(r => setTimeout(r, 50)); } }""", service_url)
        time.sleep(0.3)
        extension_id = worker.url.split("/")[2]
        return Browser(context, worker, extension_id)

    yield _launch
    for pw, context in opened:
        with contextlib.suppress(Exception):
            context.close()
        pw.stop()


@dataclass
class Browser:
    context: object
    worker: object
    extension_id: str

    def page(self):
        return self.context.new_page()

    def set(self, **settings: object) -> None:
        self.worker.evaluate("s => chrome.storage.local.set(s)", settings)
        time.sleep(0.3)

    def extension_url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path}"


def dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)
