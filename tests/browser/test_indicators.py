"""A listed card on a page, in a real Chromium: the in-page warning says how often it was reported and is
dangerous, and the service (behind the recording proxy) learns only the 5-hex range prefix of its hash."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import httpx
import pytest

from service.indicators import hash_hex, range_prefix
from tests._browser import save_screenshot
from tests._env import ROOT
from tests.browser.test_extension import visit, wait_for_warning, wait_warning_text
from tests.peers.servers import PageServer

pytestmark = pytest.mark.browser

CARD = "card:4400430212345679"
HOST = "gadget-corner.store"  # on no list, imitates no brand: without the listed card it is not dangerous
WRITTEN = {"ru": "4400 4302 1234 5679", "kk": "4400-4302-1234-5679", "en": "4400 4302 1234 5679"}
TEXT = {
    "ru": "iPhone 15 Pro за 250 000 ₸. Только 100% предоплата! Переведите оплату на карту Kaspi Gold {card}, "
          "получатель Айгерим С. После оплаты отправьте чек менеджеру в WhatsApp.",
    "kk": "iPhone 15 Pro 250 000 ₸. Тек 100% алдын ала төлем! Төлемді Kaspi Gold картасына аударыңыз: {card}, "
          "алушы Айгерим С. Төлегеннен кейін чекті менеджерге жіберіңіз.",
    "en": "iPhone 15 Pro for 250 000 ₸. 100% prepayment only! Transfer the payment to the Kaspi Gold card {card}, "
          "recipient Aigerim S. After paying, send the receipt to the manager.",
}
SAYS = {"en": "This card number was reported 3 times", "ru": "Жалоб на этот номер карты: 3",
        "kk": "Бұл карта нөміріне 3 рет шағым түскен"}


def _card_page(path: str) -> tuple[int, str]:
    """/<lang>: a prepayment page showing the card in that language's usual writing."""
    lang = path.strip("/") or "en"
    # /control shows a card nobody reported: the same page, the same host, no listed number.
    card = "4111 1111 1111 1111" if lang == "control" else WRITTEN.get(lang, WRITTEN["en"])
    text = TEXT.get(lang, TEXT["en"]).format(card=card)
    return 200, (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{HOST}</title>'
                 '<style>body{font:16px/1.5 sans-serif;margin:32px;max-width:720px}</style></head>'
                 f"<body><h1>Apple Store KZ</h1><p>{text}</p></body></html>")


class CardPage(PageServer):
    def __init__(self) -> None:
        super().__init__(_card_page)

    def url(self, lang: str) -> str:
        return f"http://{HOST}:{self.port}/{lang}"


@pytest.fixture(scope="module")
def listed_card(service) -> Iterator[CardPage]:  # type: ignore[no-untyped-def]
    """Lists CARD with three victims' reports, straight at the service (not through the recording proxy)."""
    token = service.moderator_token()
    added = httpx.post(f"{service.url}/v1/admin/entries", headers={"Authorization": f"Bearer {token}"},
                       json={"entry": "card:4400 4302 1234 5679", "reason": "dropper card, browser test"})
    assert added.status_code in (200, 201), added.text
    for _ in range(3):
        filed = httpx.post(f"{service.url}/v1/reports", json={"kind": "scam", "indicators": [CARD]})
        assert filed.status_code == 201, filed.text
    with CardPage() as page:
        yield page


def test_a_listed_card_on_the_page_is_dangerous_and_only_its_range_leaves(launch, proxy, listed_card) -> None:
    browser = launch(proxy.url)
    before = len(proxy.requests)
    page = browser.page()
    visit(page, listed_card.url("en"))
    assert wait_for_warning(page, timeout=10_000) == "dangerous"
    wait_warning_text(page, SAYS["en"])
    sent = proxy.requests[before:]
    ranges = [r.path for r in sent if r.path.startswith("/v1/indicators/range/")]
    assert ranges == [f"/v1/indicators/range/{range_prefix(hash_hex(CARD))}"]
    # The navigation check (URL hash prefixes), the host-only check, and the one range: nothing else.
    assert all(r.path in ("/v1/lookup/prefixes", "/v1/check") or r.path in ranges for r in sent), [r.path for r in sent]
    everything = "\n".join(f"{r.path} {r.body}" for r in sent)
    digest = hash_hex(CARD)
    for secret in ("4400430212345679", "4400 4302", "1234 5679", "12345679", digest[5:12], digest[:6].upper(),
                   "Aigerim", HOST.split(".")[0] + "/en"):
        assert secret not in everything, f"{secret!r} reached the service"
    assert re.search(r'"url":\s*"http://gadget-corner\.store(:\d+)?/"', everything)  # the host only
    control = browser.page()
    visit(control, listed_card.url("control"))
    assert wait_for_warning(control, timeout=10_000) in ("suspicious", "unverified")  # the card made it dangerous


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_indicator_warning_screenshots(launch, proxy, listed_card, language: str) -> None:
    browser = launch(proxy.url, language=language)
    page = browser.page()
    visit(page, listed_card.url(language))
    assert wait_for_warning(page, timeout=10_000) == "dangerous"
    wait_warning_text(page, SAYS[language])
    docs = ROOT / "docs" / "screenshots"
    shutil.copyfile(save_screenshot(page, f"indicator-warning-{language}"), docs / f"indicator-warning-{language}.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    shutil.copyfile(save_screenshot(page, f"indicator-warning-{language}-mobile"),
                    docs / f"indicator-warning-{language}-mobile.png")
