"""Links and payment details in a pasted message (service/extract.py)."""

from __future__ import annotations

import pytest

from service.errors import InvalidField
from service.extract import MAX_LINKS, MAX_TEXT, extract

vectors = [
    ("sms_bare_link_and_phone", "Kaspi: карта заблокирована, kaspi-kz.top/unblock или звоните +7 (747) 000-11-22.",
     ["http://kaspi-kz.top/unblock"], ["phone:+77470001122"]),
    ("schemed_link_in_parentheses_and_cards",
     "Оплата на карту 4400 4301 2345 6789 или 5100 0000 0000 0008, см. https://bit.ly/3xY (срочно!)",
     ["https://bit.ly/3xY"], ["card:4400430123456789", "card:5100000000000008"]),
    ("email_abbreviation_and_file_are_not_links",
     "пишите на shop@mail.ru, т.е. file.txt; www.Halykbank.kz и t.me/halyk_help, IBAN KZ86125KZT5004100100",
     ["http://www.Halykbank.kz", "http://t.me/halyk_help"], ["iban:KZ86125KZT5004100100"]),
    ("balanced_parenthesis_stays_trailing_ellipsis_goes",
     "ссылка (https://example.com/a_(b)) и olx-kz.deal-safe.online/pay?id=1…",
     ["https://example.com/a_(b)", "http://olx-kz.deal-safe.online/pay?id=1"], []),
    ("national_phone_forms", "8 701 000 11 22 и 87470001122", [], ["phone:+77010001122", "phone:+77470001122"]),
    ("idn_tld", "сайт қазақ.қаз және 1.5 т.б.", ["http://қазақ.қаз"], []),
    ("each_once_in_order", "b-shop.kz a-shop.kz b-shop.kz", ["http://b-shop.kz", "http://a-shop.kz"], []),
    ("luhn_invalid_card_is_not_a_card", "карта 1234 5678 9012 3456", [], []),
    ("nothing", "Сәлем! Қалайсыз?", [], []),
]


@pytest.mark.parametrize(("text", "links", "indicators"), [v[1:] for v in vectors], ids=[v[0] for v in vectors])
def test_extract(text: str, links: list[str], indicators: list[str]) -> None:
    found = extract(text)
    assert list(found.links) == links and list(found.indicators) == indicators


def test_limits() -> None:
    many = " ".join(f"shop{i}.kz" for i in range(50))
    assert len(extract(many).links) == MAX_LINKS
    with pytest.raises(InvalidField) as error:
        extract("x" * (MAX_TEXT + 1))
    assert error.value.field == "text"
