"""The headless Chromium of the page tests (test_page_browser, test_adminpage_browser): one per module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests._browser import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched
