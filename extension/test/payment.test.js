// Table tests for lib/payment.js: which fields make a payment step, in kk / ru / en.

import { test } from 'node:test';
import assert from 'node:assert/strict';

await import('../lib/payment.js');
const { classifyField, detectPaymentStep, isPayButton } = globalThis.abailaPayment;

const vectors = [
    // [ name, descriptor, expected ]
    [ 'autocomplete cc-number', { autocomplete: 'cc-number' }, 'card' ],
    [ 'autocomplete with section', { autocomplete: 'section-pay billing cc-number' }, 'card' ],
    [ 'autocomplete cc-csc', { autocomplete: 'cc-csc', name: 'x' }, 'cvv' ],
    [ 'autocomplete cc-exp-month', { autocomplete: 'cc-exp-month' }, 'expiry' ],
    [ 'autocomplete one-time-code', { autocomplete: 'one-time-code' }, 'sms_code' ],
    [ 'en name cardNumber', { name: 'cardNumber' }, 'card' ],
    [ 'en id cc_num', { id: 'cc_num' }, 'card' ],
    [ 'en label', { label: 'Card number' }, 'card' ],
    [ 'en cvv name', { name: 'card_cvv' }, 'cvv' ],
    [ 'en cvc2', { placeholder: 'CVC2' }, 'cvv' ],
    [ 'en security code', { label: 'Security code' }, 'cvv' ],
    [ 'en expiry', { name: 'expiry' }, 'expiry' ],
    [ 'en exp-date', { id: 'exp-date' }, 'expiry' ],
    [ 'en MM/YY', { placeholder: 'MM/YY' }, 'expiry' ],
    [ 'en sms', { label: 'SMS code' }, 'sms_code' ],
    [ 'en otp', { name: 'otp' }, 'sms_code' ],
    [ 'ru card', { label: 'Номер карты' }, 'card' ],
    [ 'ru bank card', { placeholder: 'Номер банковской карты' }, 'card' ],
    [ 'ru cvv', { label: 'Код безопасности' }, 'cvv' ],
    [ 'ru expiry', { label: 'Срок действия' }, 'expiry' ],
    [ 'ru expiry placeholder', { placeholder: 'ММ/ГГ' }, 'expiry' ],
    [ 'ru sms', { label: 'Введите код из SMS' }, 'sms_code' ],
    [ 'ru confirmation', { placeholder: 'Код подтверждения' }, 'sms_code' ],
    [ 'kk card', { label: 'Карта нөмірі' }, 'card' ],
    [ 'kk card genitive', { placeholder: 'Картаның нөмірі' }, 'card' ],
    [ 'kk cvv', { label: 'Қауіпсіздік коды (CVV)' }, 'cvv' ],
    [ 'kk expiry', { label: 'Жарамдылық мерзімі' }, 'expiry' ],
    [ 'kk expiry placeholder', { placeholder: 'АЙ/ЖЫЛ' }, 'expiry' ],
    [ 'kk sms', { placeholder: 'SMS-кодты енгізіңіз' }, 'sms_code' ],
    [ 'kk confirmation', { label: 'Растау коды' }, 'sms_code' ],
    [ 'card placeholder digits', { placeholder: '0000 0000 0000 0000' }, 'card' ],
    [ 'card placeholder dots', { placeholder: '•••• •••• •••• ••••' }, 'card' ],
    // Not payment fields
    [ 'email', { type: 'email', name: 'email' }, null ],
    [ 'search', { type: 'search', placeholder: 'Search cards' }, null ],
    [ 'name', { name: 'first_name', label: 'First name' }, null ],
    [ 'address', { label: 'Адрес доставки' }, null ],
    [ 'kk address', { label: 'Жеткізу мекенжайы' }, null ],
    [ 'experience', { name: 'experience' }, null ],
    [ 'export', { id: 'export' }, null ],
    [ 'company', { name: 'company' }, null ],
    [ 'hidden card', { type: 'hidden', name: 'card_number' }, null ],
    [ 'phone', { type: 'tel', name: 'phone', placeholder: '+7 (___) ___-__-__' }, null ],
    [ 'quantity', { type: 'number', name: 'qty' }, null ],
    [ 'ru postcard', { label: 'Открытка' }, null ],
    [ 'not an object', null, null ],
];

for ( const [ name, descriptor, expected ] of vectors ) {
    test(`classifyField ${name}`, () => {
        assert.equal(classifyField(descriptor), expected);
    });
}

test('a checkout form is a payment step asking for card, cvv and expiry', () => {
    const result = detectPaymentStep([
        { name: 'email', type: 'email' },
        { autocomplete: 'cc-number' },
        { autocomplete: 'cc-exp' },
        { autocomplete: 'cc-csc' },
    ]);
    assert.deepEqual(result, { payment: true, asksFor: [ 'card', 'cvv', 'expiry' ], payButton: false });
});

test('a contact form is not a payment step', () => {
    const result = detectPaymentStep([ { name: 'name' }, { name: 'email', type: 'email' }, { name: 'message' } ], [ 'Send' ]);
    assert.equal(result.payment, false);
    assert.deepEqual(result.asksFor, []);
});

test('a pay button alone is a payment step with nothing asked', () => {
    const result = detectPaymentStep([], [ 'Оплатить 12 000 ₸' ]);
    assert.equal(result.payment, true);
    assert.deepEqual(result.asksFor, []);
});

for ( const text of [ 'Pay now', 'Оплатить', 'Перейти к оплате', 'Төлеу', 'Картамен төлеу' ] ) {
    test(`pay button ${text}`, () => assert.equal(isPayButton(text), true));
}
for ( const text of [ 'Add to cart', 'В корзину', 'Себетке қосу', 'Payment methods we accept and more text here' ] ) {
    test(`not a pay button ${text}`, () => assert.equal(isPayButton(text), false));
}
