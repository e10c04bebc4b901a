/*******************************************************************************

    Abaila — is this a payment step? Pure detection from field descriptors.

        classifyField({ autocomplete: 'cc-number' })                 → 'card'
        classifyField({ name: 'card_cvc' })                          → 'cvv'
        classifyField({ label: 'Срок действия карты' })              → 'expiry'
        classifyField({ placeholder: 'SMS-кодты енгізіңіз' })        → 'sms_code'
        detectPaymentStep([{ autocomplete: 'cc-number' }, { name: 'cvv' }])
                                        → { payment: true, asksFor: ['card', 'cvv'] }

    A descriptor is what the content script reads off an <input>/<select>:
    { autocomplete, type, name, id, label, placeholder, ariaLabel, inputMode }.
    The `autocomplete` tokens (WHATWG autofill: cc-number, cc-csc, cc-exp*,
    one-time-code) decide first; otherwise words in kk / ru / en in the name,
    id, label, placeholder or aria-label.

    Loaded both as a content script (a classic script, which cannot `export`)
    and as an ES module by the tests, so it publishes one frozen object on
    globalThis instead of exporting.

*/

(function() {
'use strict';

// What the page asks for, in the service's vocabulary (PageContext.ASKS).
const Ask = Object.freeze({
    CARD: 'card',
    CVV: 'cvv',
    EXPIRY: 'expiry',
    SMS_CODE: 'sms_code',
});

const AUTOCOMPLETE = new Map([
    [ 'cc-number', Ask.CARD ],
    [ 'cc-csc', Ask.CVV ],
    [ 'cc-exp', Ask.EXPIRY ],
    [ 'cc-exp-month', Ask.EXPIRY ],
    [ 'cc-exp-year', Ask.EXPIRY ],
    [ 'one-time-code', Ask.SMS_CODE ],
]);

// Words, checked in this order (a CVV field's label often says "card" too).
// Tested against text normalized by normalize(): lowercase, camelCase and
// _-./ split into spaces.
const WORDS = [
    [ Ask.CVV, [
        /\b(cvv2?|cvc2?|csc|cvn|cid)\b/,
        /\bsecurity code\b/, /\bcard (verification|security) (code|value|number)\b/,
        /код безопасности/, /защитный код/, /код cvv/, /cvv код/, /трёхзначный код|трехзначный код/,
        /қауіпсіздік коды/, /қорғаныс коды/, /үш таңбалы код/,
    ] ],
    [ Ask.EXPIRY, [
        /\bexp(iry|iration)?( (date|month|year|mm|yy|yyyy))?\b/, /\bvalid (thru|through|until)\b/,
        /\bmm ?\/? ?yy(yy)?\b/, /\bcc ?exp/, /\bcard exp/,
        /срок действия/, /действ[а-я]* до/, /мм ?\/ ?гг/, /месяц ?\/ ?год/,
        /жарамдылық мерзімі/, /әрекет ету мерзімі/, /қолданылу мерзімі/, /ай ?\/ ?жыл/,
    ] ],
    [ Ask.SMS_CODE, [
        /\b(sms|otp|one time|onetime|2fa|3ds|3 d secure)\b/, /\bone time (code|password)\b/,
        /\bverification code\b/, /\bconfirmation code\b/,
        /смс|sms|код из/, /код подтверждения/, /одноразов[а-я]* (код|пароль)/,
        /растау коды/, /бір реттік (код|құпия сөз)/, /кодты енгізіңіз/,
    ] ],
    [ Ask.CARD, [
        /\b(cc|card|credit card|debit card|bank card) ?(num|number|no|nr|#)\b/, /\bcardnumber\b/, /\bccnum(ber)?\b/,
        /\bpan\b/, /\bcard\b/,
        /номер[а-я]* (банковской |платёжной |платежной )?карты/, /данные карты/, /(^|\s)карт[аыуе](\s|$)/,
        /карта нөмірі/, /картаның нөмірі/, /карта номері/, /карта деректері/, /картаның деректері/,
    ] ],
];

// A placeholder that draws a card number: "0000 0000 0000 0000", "•••• ••••…".
const CARD_PLACEHOLDER = /^\s*([0-9]{4}|[x•*#]{4})([ -]?([0-9]{4}|[x•*#]{4})){2,3}\s*$/i;

// Pay buttons (kk / ru / en): a payment step even before card fields appear.
const PAY_BUTTON = [
    /^(pay|pay now|pay by card|proceed to payment|place order and pay|buy now)(?=\s|$)/,
    /^(оплатить|оплата|перейти к оплате|оплатить картой|внести предоплату)(?=\s|$)/,
    /^(төлеу|төлем жасау|картамен төлеу|төлеуге өту)(?=\s|$)/,
];

/** normalize returns text lowercased with camelCase and _-./ turned into single spaces. */
function normalize(text) {
    return String(text ?? '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toLowerCase()
        .replace(/[_\-.\s:*]+/g, ' ')
        .replace(/ё/g, 'е')
        .trim();
}

/** classifyField returns what a field asks for ('card', 'cvv', 'expiry', 'sms_code') or null. */
function classifyField(field) {
    if ( field === null || typeof field !== 'object' ) { return null; }
    const type = String(field.type ?? '').toLowerCase();
    if ( [ 'hidden', 'submit', 'button', 'checkbox', 'radio', 'image', 'reset', 'file' ].includes(type) ) {
        return null;
    }
    for ( const token of String(field.autocomplete ?? '').toLowerCase().split(/\s+/) ) {
        if ( AUTOCOMPLETE.has(token) ) { return AUTOCOMPLETE.get(token); }
    }
    if ( type === 'email' || type === 'search' || type === 'url' ) { return null; }
    const texts = [ field.name, field.id, field.label, field.placeholder, field.ariaLabel ].map(normalize);
    const haystack = ` ${texts.filter(t => t !== '').join(' | ')} `;
    for ( const [ ask, patterns ] of WORDS ) {
        if ( patterns.some(p => p.test(haystack)) ) { return ask; }
    }
    if ( CARD_PLACEHOLDER.test(String(field.placeholder ?? '')) ) { return Ask.CARD; }
    return null;
}

/** isPayButton reports whether a button's text asks the user to pay. */
function isPayButton(text) {
    const t = normalize(text).replace(/ё/g, 'е');
    return t.length <= 40 && PAY_BUTTON.some(p => p.test(t));
}

/**
 * detectPaymentStep returns { payment, asksFor } for a page's fields (and,
 * optionally, its button texts): payment is true when a card, CVV, expiry or
 * one-time-code field is present, or a pay button is.
 */
function detectPaymentStep(fields, buttonTexts = []) {
    const asks = new Set();
    for ( const field of fields ) {
        const ask = classifyField(field);
        if ( ask !== null ) { asks.add(ask); }
    }
    const order = Object.values(Ask);
    const asksFor = order.filter(a => asks.has(a));
    const payButton = buttonTexts.some(isPayButton);
    return { payment: asksFor.length !== 0 || payButton, asksFor, payButton };
}

globalThis.abailaPayment = Object.freeze({ Ask, classifyField, detectPaymentStep, isPayButton, normalize });

})();
