"""Chromium for the tests that drive a page: where it is, how it is started, where its screenshots go.

    with chromium() as browser:                  # Playwright's Browser, headless; skips without Chromium
        page = browser.new_page()
        save_screenshot(page, "page-en-phone")   # artifacts/screenshots/page-en-phone.png

tests/browser/ starts its own Chromium with the extension loaded (a persistent context), with the same
CHROMIUM_ARGS.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests._env import ROOT, chromium_path

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# No sandbox (containers), nothing the browser would fetch for itself: every request a test sees is its own.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Yields a headless Chromium (Playwright's sync Browser), closed on leaving."""
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=path, headless=True, args=list(CHROMIUM_ARGS))
        yield launched
        with contextlib.suppress(Exception):
            launched.close()


def save_screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Returns the path of the page's screenshot, written to artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
