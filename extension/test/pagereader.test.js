// Unit tests for lib/pagereader.js: checksums, details, and the combinations that make a payment moment.
// The corpus under tests/fixtures/pages/ is read by pagecorpus.test.js.

import { test } from 'node:test';
import assert from 'node:assert/strict';

await import('../lib/pagereader.js');
const { readPage, isLuhn, isIBAN, isBIN, honestSigns } = globalThis.abailaPageReader;

test('checksums', () => {
    assert.equal(isLuhn('4400430212345679'), true);
    assert.equal(isLuhn('4400430212345674'), false);
    assert.equal(isIBAN('KZ86125KZT5004100100'), true);
    assert.equal(isIBAN('KZ87125KZT5004100100'), false);
    assert.equal(isIBAN('DE89370400440532013000'), true);
    assert.equal(isIBAN('KZ86125KZT500410010'), false, 'a KZ IBAN has 20 characters');
    assert.equal(isBIN('920140000084'), true, 'the BIN kz-context cites');
    assert.equal(isBIN('920140000085'), false);
    assert.equal(isBIN('12345'), false);
});

const vectors = [
    // [ name, text, links, expected asks_for ]
    [ 'ru prepay to card, recipient, receipt',
        '100% предоплата переводом на Kaspi Gold 4400 4302 1234 5679, получатель Айгерим С. После оплаты отправьте чек менеджеру',
        [], [ 'prepayment', 'transfer_card', 'private_recipient', 'send_receipt' ] ],
    [ 'kk prepay by Kaspi phone',
        'Алдын ала төлем Kaspi аударым арқылы +7 701 123 45 67. Чекті WhatsApp-қа жіберіңіз',
        [], [ 'prepayment', 'transfer_phone', 'send_receipt' ] ],
    [ 'ru messenger-only with prepay', 'Заказ только через WhatsApp, предоплата 50%',
        [ { href: 'https://wa.me/77011234567', text: 'WhatsApp' } ], [ 'prepayment', 'messenger_only' ] ],
    [ 'en prepay to card', 'Prepayment 100% by transfer to the card 5395 4500 1234 5673, recipient: Aliya K.',
        [], [ 'prepayment', 'transfer_card', 'private_recipient' ] ],
    [ 'ru refund asks 1 tenge and code',
        'Возврат средств. Для получения подтвердите карту: переведите 1 ₸ на карту 4003 0351 2345 6787 и сообщите код из SMS',
        [], [ 'transfer_card', 'refund_pattern' ] ],
    [ 'ru IBAN to a person', 'Предоплата 100% на счёт KZ86 125K ZT50 0410 0100, получатель Ержан Б.',
        [], [ 'prepayment', 'transfer_iban', 'private_recipient' ] ],
    // quiet pages
    [ 'police article: words, no details',
        'Мошенники требуют 100% предоплату переводом на Kaspi Gold. Не переводите деньги незнакомцам. Звоните 102.', [], [] ],
    [ 'café booking phone', 'Кафе «Дастархан». Бронь столиков: +7 701 123 45 67. Оплата картой или наличными.', [], [] ],
    [ 'B2B invoice with a valid BIN', 'ТОО «Арман», БИН 920140000084, IBAN KZ86125KZT5004100100. Предоплата 100% по счёту.', [], [] ],
    [ 'no prepayment', 'Без предоплаты! Оплата при получении. Заказ через WhatsApp +7 701 123 45 67',
        [ { href: 'https://wa.me/77011234567' } ], [] ],
    [ 'card that fails Luhn', 'Предоплата на карту 4400 4302 1234 5674', [], [] ],
    [ 'masked card', 'Предоплата на карту 4400 **** **** 5679', [], [] ],
];

for ( const [ name, text, links, expected ] of vectors ) {
    test(name, () => {
        assert.deepEqual(readPage({ text, links }).asks_for, expected);
    });
}

test('details are canonical and only kept when money is asked for', () => {
    const scam = readPage({ text: 'Предоплата: Kaspi перевод по номеру 8 (747) 123-45-67 или карта 4400-4302-1234-5679' });
    assert.deepEqual(scam.details, { cards: [ '4400430212345679' ], phones: [ '+77471234567' ], ibans: [] });
    const cafe = readPage({ text: 'Бронь: +7 701 123 45 67, оплата на месте' });
    assert.deepEqual(cafe.details, { cards: [], phones: [], ibans: [] });
});

test('page holds booleans and counts only', () => {
    const { page } = readPage({ text: 'ИП «Асем», ИИН 920140000084. Публичная оферта. Возврат товара 14 дней. Оплата при получении.',
        links: [ { href: 'https://epay.homebank.kz/pay' } ] });
    for ( const value of Object.values(page) ) {
        assert.ok(typeof value === 'boolean' || Number.isInteger(value), `${value}`);
    }
    assert.equal(page.bin_valid, true);
    assert.equal(page.provider_checkout, true);
    assert.equal(honestSigns(page), 6);
});

test('bounded: a huge page is read only up to its limit', () => {
    const text = 'x'.repeat(1_000_000) + ' предоплата на карту 4400 4302 1234 5679';
    assert.deepEqual(readPage({ text }).asks_for, []);
    const links = Array.from({ length: 100_000 }, () => ({ href: 'https://wa.me/1' }));
    assert.ok(readPage({ text: 'hi', links }).page.messenger_links <= 99);
});
