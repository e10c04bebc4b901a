/*******************************************************************************

    Abaila — what a page asks the shopper to do with their money, read
    locally from its visible text and links. Pure: no DOM, no clock, no I/O,
    bounded work (at most MAX_TEXT characters and MAX_LINKS links are read).

        readPage({
            text: '100% предоплата переводом на Kaspi Gold 4400 4302 1234 5674, получатель Айгерим С. ' +
                  'После оплаты отправьте чек менеджеру',
            links: [ { href: 'https://wa.me/77011234567', text: 'WhatsApp' } ],
        })
        → { asks_for: [ 'prepayment', 'transfer_card', 'private_recipient', 'send_receipt' ],
            page: { prepayment: true, ..., cards: 1, phones: 0, ibans: 0, messenger_links: 1 },
            details: { cards: [ '4400430212345674' ], phones: [], ibans: [] } }

    The decision is made on combinations, never on one word (issue 13): a
    transfer code needs a DEMAND (prepayment, "переведите", "аударыңыз",
    "pay the manager") somewhere on the page AND a valid payment detail next
    to a transfer cue. A police article about prepayment scams has the words
    but no valid card; a café's booking phone has no transfer cue; a B2B
    invoice names its recipient with a checksum-valid BIN, so its IBAN is
    not flagged.

    `asks_for` holds the codes the service may learn (context.asks_for),
    `page` booleans and counts only (context.page). `details` — the raw card
    numbers, phones and IBANs in canonical form — never leave the browser;
    issue 14 hashes them for its range lookup.

    Loaded as a classic content script and as an ES module by the tests, so
    it publishes one frozen object, globalThis.abailaPageReader.

*/

(function() {
'use strict';

const MAX_TEXT = 60000;     // characters of visible text read (a long shop page is ~20k)
const MAX_LINKS = 400;      // links read
const MAX_DETAILS = 10;     // card numbers / phones / IBANs kept of each kind
const CUE_BEFORE = 90;      // characters before a detail searched for a transfer cue
const CUE_AFTER = 50;       // ... and after it

// The codes of context.asks_for this module emits (PageContext.ASKS on the service).
const Code = Object.freeze({
    PREPAYMENT: 'prepayment',               // a demand to pay in advance, with payment details or a messenger-only order
    TRANSFER_CARD: 'transfer_card',         // a card number given to transfer money to
    TRANSFER_PHONE: 'transfer_phone',       // a phone number given for a (Kaspi) transfer
    TRANSFER_IBAN: 'transfer_iban',         // an IBAN of a recipient that is not a company with a valid BIN
    PRIVATE_RECIPIENT: 'private_recipient', // the recipient is named as a private person
    PAY_MANAGER: 'pay_manager',             // "оплата менеджеру"
    SEND_RECEIPT: 'send_receipt',           // "отправьте чек"
    MESSENGER_ONLY: 'messenger_only',       // order only through WhatsApp / Telegram / Direct, no checkout
    REFUND_PATTERN: 'refund_pattern',       // "refund / prize / compensation": send money or a code to receive money
});

/******************************************************************************/
// Text

// Letters of kk / ru / en, for word edges: JavaScript's \b knows only ASCII.
const L = 'a-zа-яәғқңөұүһі';
const before = `(?<![${L}])`;

function re(source) {
    return new RegExp(source.replaceAll('\\<', before), 'gu');
}

/** normalize returns text lowercased, ё→е, with every run of whitespace one space. */
function normalize(text) {
    return String(text ?? '').slice(0, MAX_TEXT).toLowerCase()
        .replace(/ё/g, 'е')
        .replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000\s]+/g, ' ');
}

function anyMatch(patterns, text) {
    return patterns.some(p => { p.lastIndex = 0; return p.test(text); });
}

// "без предоплаты", "no prepayment": an honest shop saying it does NOT want money in advance.
const NEGATED = re(String.raw`(без|нет|не требуется|не нужна) (100% |полной |какой-либо )?предоплат\p{L}*|предоплат\p{L}* (не требуется|не нужна|нет)|алдын ала төлемсіз|алдын ала төлем (қажет емес|жоқ|талап етілмейді)|\<(no|without) (prepayment|advance payment|upfront payment)|prepayment (is )?not required`);

// Asking for the money before the goods: "предоплата", "алдын ала төлем", "prepayment".
const PREPAY = [
    re(String.raw`\<предоплат`), re(String.raw`\<оплат\p{L}* (заранее|вперед|наперед)`),
    re(String.raw`\<алдын ала (төле|ақы)`), re(String.raw`\<алдымен[^.!?\n]{0,30}?(төле|аудар)`),
    re(String.raw`\<(pre-?pay|prepayment|pay(ment)? in advance|advance payment|upfront payment|pay upfront)`),
];

// Telling the shopper to send money somewhere: "переведите на карту", "аударыңыз", "transfer to the card".
const TRANSFER_DEMAND = [
    re(String.raw`\<(переведите|переведи|скиньте|скинь|отправьте|внесите|оплатите|перечислите)[^.!?\n]{0,40}?(на (карт|каспи|kaspi|номер|сч[её]т|реквизит)|по (номеру|реквизитам)|kaspi|каспи)`),
    re(String.raw`\<оплата( \p{L}+){0,2} (переводом|по номеру|на карту)`),
    // "Оплата: перевод на Каспи …", "Оплата — на карту": the page says how to pay, the details follow
    re(String.raw`\<оплата ?[:—–-] ?(перевод\p{L}*|на (карту|каспи|kaspi|номер))`),
    re(String.raw`\<(ақысын|ақшаны|төлемді) (\p{L}+ )?(төлеңіз|аударыңыз)`),
    re(String.raw`\<аударыңыз`), re(String.raw`\<аударып (жіберіңіз|жіберу)`), re(String.raw`\<аударым арқылы`),
    re(String.raw`\<(картаға|нөмірге|нөміріне|шотқа) (ақша )?(салыңыз|аударыңыз|жіберіңіз)`),
    re(String.raw`\<(transfer|send|wire)[^.!?\n]{0,30}? to( the| this| my| our)? (card|number|account|iban|kaspi)`),
    re(String.raw`\<(by|via) (bank |kaspi )?transfer`),
];

const PAY_MANAGER = [
    re(String.raw`\<(оплат\p{L}*|деньги|перевод\p{L}*) (\p{L}+ )?менеджеру`), re(String.raw`\<менеджерге (төле|аудар|ақша)`),
    re(String.raw`\<төлем(ді)? менеджерге`), re(String.raw`\<pay (to )?(the |our )?manager`),
];

const SEND_RECEIPT = [
    re(String.raw`\<(отправ\p{L}*|скин\p{L}*|пришлите|присылайте|вышлите)( \p{L}+){0,2} (чек|скрин\p{L}*|квитанци\p{L}*)`),
    re(String.raw`\<(чек|чекті|түбіртек\p{L}*|скрин\p{L}*) ([\p{L}-]+ )?(жіберіңіз|жіберу|салыңыз)`),
    re(String.raw`\<send( us)?( the| a)? (receipt|screenshot|proof of payment)`),
    re(String.raw`\<(whatsapp|message|text|dm|telegram) us the (receipt|screenshot|proof)`),
];

// Words next to a card / phone / IBAN that make it a place to send money to.
const TRANSFER_CUE = re(String.raw`\<(перевод|перевед|перевест|kaspi|каспи|gold|карт[аеуы]|по номеру|на номер|аудар|картаға|нөмір|transfer|card|send|iban|сч[её]т|шот|реквизит|halyk|jusan|freedom|forte|bcc|оплат|төле|pay)`);

const MESSENGER_HOSTS = /^(wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com|web\.whatsapp\.com|whatsapp\.com|t\.me|telegram\.me|ig\.me|m\.me)$/;

const MESSENGER_ORDER = [
    re(String.raw`\<(заказ\p{L}*|купить|оформить|оформление|заказать)( \p{L}+){0,3} (только )?(через|в|по) (whatsapp|ватсап\p{L}*|вотсап\p{L}*|телеграм\p{L}*|telegram|директ|direct|личк\p{L}*|лс)`),
    re(String.raw`\<(пишите|напишите|пиши)( \p{L}+){0,2} (в )?(директ|direct|whatsapp|ватсап|вотсап|личку|лс|телеграм|telegram)`),
    re(String.raw`\<(whatsapp|ватсап|телеграм|telegram|директ|direct)\p{L}*(-қа|-ға|-ке|-ге|қа|ға)? (жазыңыз|хабарласыңыз)`),
    re(String.raw`\<тапсырыс( \p{L}+){0,3} (тек )?(whatsapp|telegram|директ|direct)\p{L}* (арқылы|жазыңыз)`),
    re(String.raw`\<(order|buy|orders)( \p{L}+){0,3} (only )?(via|through|on|in) (whatsapp|telegram|direct|dm|instagram dm)`),
    re(String.raw`\<(dm|message) (us )?(to|for) (order|buy|price)`),
];

const CHECKOUT_WORDS = [
    re(String.raw`\<(в корзину|корзина|оформить заказ|перейти к оформлению|себетке|себет|тапсырысты рәсімдеу|add to (cart|bag|basket)|checkout|check out|your cart)`),
];

const REFUND = [
    re(String.raw`\<(возврат\p{L}* (денег|средств|денежных)|компенсац\p{L}*|выигр\p{L}*|приз\p{L}*|вознагражд\p{L}*|выплат\p{L}*|вернуть (ваши )?деньги|получить (деньги|выплату|средства|приз))`),
    re(String.raw`\<(ақша\p{L}* қайтар\p{L}*|өтемақы\p{L}*|ұтыс\p{L}*|ұтып|сыйлық\p{L}*|жүлде\p{L}*|төлемақы)`),
    re(String.raw`\<(refund|compensation|you (have )?won|prize|reward|payout|claim your)`),
    // the parcel that waits for a "delivery fee" and the SMS code (kz-context §2.5)
    re(String.raw`\<(сәлемдеме\p{L}*|посылк\p{L}*|your (parcel|package))`),
];

const REFUND_ASK = [
    re(String.raw`\<(отправьте|переведите|оплатите|внесите|перечислите|сообщите|введите|назовите)( \p{L}+){0,3} (\d+ ?(₸|тг|тенге)|1 тенге|комисси\p{L}*|код|смс|sms|налог\p{L}*|сбор|страховк\p{L}*)`),
    re(String.raw`\<(подтвер\p{L}*) (вашу |свою )?карт\p{L}*`),
    re(String.raw`\<(кодты|sms-кодты|смс-кодты|\d+ ?(₸|теңге)|комиссия\p{L}*|алым\p{L}*) (\p{L}+ )?(жіберіңіз|айтыңыз|енгізіңіз|аударыңыз|төлеңіз)`),
    re(String.raw`\<картаңызды (растаңыз|растау)`),
    re(String.raw`\<(send|transfer|pay|enter|tell us)( \p{L}+){0,3} (\d+ ?(₸|kzt|tenge)|a (small )?fee|the code|sms code|the sms|commission|tax)`),
    re(String.raw`\<confirm your card`),
];

const PRESSURE = [
    re(String.raw`\<(только сегодня|сегодня последний день|акция (заканчивается|действует до конца дня)|осталось (всего )?\d+ (шт|штук|единиц)|успейте|до конца акции)`),
    re(String.raw`\<(тек бүгін|бүгін ғана|соңғы күн|\d+ дана (ғана )?қалды|үлгеріп қалыңыз)`),
    re(String.raw`\<(today only|only today|only \d+ left|last day|ends (in|tonight|today)|hurry|limited time)`),
    /(?<!\d)\d{1,2}:\d{2}:\d{2}(?!\d)/g,   // a countdown
];
const DISCOUNT = /(?:-|−|скидка |жеңілдік |discount |off )(\d{2})\s?%|(\d{2})\s?% (?:скидка|жеңілдік|off)/g;
const DEEP_DISCOUNT = 60;   // per cent off: far below the crossed-out price

const LEGAL_FORM = re(String.raw`\<(ип|тоо|ао|жк|жшс|ао|llp|jsc|ltd) ?[«"“„']`);
const PUBLIC_OFFER = re(String.raw`\<(публичн\p{L}* оферт\p{L}*|жария оферта\p{L}*|public offer)`);
const RETURNS = re(String.raw`\<(возврат\p{L}* (и обмен|товара)|обмен\p{L}* и возврат\p{L}*|условия возврата|тауарды қайтару|қайтару (шарттары|және айырбастау)|return policy|returns( and exchanges| policy)?\b|refund policy)`);
const CASH_ON_DELIVERY = re(String.raw`\<(оплата при получении|оплат\p{L}* (наличными )?(курьеру|при получении|после получения)|наложенн\p{L}* платеж\p{L}*|алған (кезде|соң) төле\p{L}*|тауарды алғанда|қолма-қол|(cash|pay(ment)?) on delivery|pay when you receive)`);
const BIN_LABEL = re(String.raw`\<(бин|иин|бсн|жсн|bin|iin)\P{L}{0,4}(\d{12})(?!\d)`);

// Known payment providers' checkout hosts (kz-context §1, §6): a real checkout of such a provider.
const PROVIDER_HOSTS = [
    'pay.kaspi.kz', 'kaspi.kz', 'epay.homebank.kz', 'epay-api.homebank.kz', 'epayment.kz', 'widget.cloudpayments.ru',
    'cloudpayments.kz', 'widget.cloudpayments.kz', 'freedompay.kz', 'customer.freedompay.kz', 'api.freedompay.kz',
    'paybox.money', 'paygate.kz', 'ioka.kz', 'wooppay.com', 'kassa24.kz', 'checkout.stripe.com', 'www.paypal.com',
];

/******************************************************************************/
// Payment details

/** isLuhn reports whether a digit string passes the Luhn check. */
function isLuhn(digits) {
    let sum = 0;
    for ( let i = 0; i < digits.length; i++ ) {
        let d = digits.charCodeAt(digits.length - 1 - i) - 48;
        if ( i % 2 === 1 ) { d *= 2; if ( d > 9 ) { d -= 9; } }
        sum += d;
    }
    return sum % 10 === 0;
}

/** isIBAN reports whether text (no spaces, upper case) has a valid ISO 13616 mod-97 checksum. */
function isIBAN(iban) {
    if ( /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban) === false ) { return false; }
    if ( iban.startsWith('KZ') && iban.length !== 20 ) { return false; }
    const moved = iban.slice(4) + iban.slice(0, 4);
    let rest = 0;
    for ( const ch of moved ) {
        const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
        for ( const digit of v ) { rest = (rest * 10 + (digit.charCodeAt(0) - 48)) % 97; }
    }
    return rest === 1;
}

/** isBIN reports whether a 12-digit Kazakh BIN/IIN has a valid check digit (two weight rounds, mod 11). */
function isBIN(digits) {
    if ( /^\d{12}$/.test(digits) === false ) { return false; }
    const d = Array.from(digits, c => c.charCodeAt(0) - 48);
    let check = 0;
    for ( let i = 0; i < 11; i++ ) { check += d[i] * (i + 1); }
    check %= 11;
    if ( check === 10 ) {
        check = 0;
        for ( let i = 0; i < 11; i++ ) { check += d[i] * (((i + 2) % 11) + 1); }
        check %= 11;
        if ( check === 10 ) { return false; }
    }
    return check === d[11];
}

// 13-19 digits, single spaces or hyphens between groups: "4400 4302 1234 5674", "4400-4302-1234-5674".
const CARD_RUN = /(?<![\d+])\d(?:[ -]?\d){12,18}(?![\d])/g;
// A Kazakh mobile number (+7 / 8, then 70x-77x): "+7 701 123 45 67", "8(747)1234567".
const KZ_PHONE = /(?<![\d])(?:\+ ?7|8)[ -]?\(?(7[0-8]\d)\)?[ -]?(\d{3})[ -]?(\d{2})[ -]?(\d{2})(?![\d])/g;
// An IBAN candidate, possibly grouped by four: "KZ86 125K ZT50 0410 0100".
const IBAN_RUN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;

function hasCueNear(norm, start, end) {
    const around = norm.slice(Math.max(0, start - CUE_BEFORE), start) + ' ' + norm.slice(end, end + CUE_AFTER);
    TRANSFER_CUE.lastIndex = 0;
    return TRANSFER_CUE.test(around);
}

function findCards(norm) {
    const out = [];
    for ( const m of norm.matchAll(CARD_RUN) ) {
        const digits = m[0].replace(/\D/g, '');
        if ( digits.length < 13 || digits.length > 19 || /^(\d)\1+$/.test(digits) ) { continue; }
        // Groups of 4 (or the 4-6-5 of Amex): an order number or a barcode is one unbroken run.
        const groups = m[0].split(/[ -]/);
        if ( groups.length > 1 && groups.some(g => g.length < 3 || g.length > 6) ) { continue; }
        if ( isLuhn(digits) === false ) { continue; }
        out.push({ value: digits, start: m.index, end: m.index + m[0].length });
    }
    return out;
}

function findPhones(norm) {
    const out = [];
    for ( const m of norm.matchAll(KZ_PHONE) ) {
        out.push({ value: `+7${m[1]}${m[2]}${m[3]}${m[4]}`, start: m.index, end: m.index + m[0].length });
    }
    return out;
}

function findIBANs(raw) {
    const out = [];
    const upper = raw.toUpperCase();
    for ( const m of upper.matchAll(IBAN_RUN) ) {
        // The run may swallow a following word ("KZ86125KZT5004100100 ТОО" is fine, "…0100 BANK" is not):
        // take the longest prefix with a valid checksum.
        const compact = m[0].replace(/ /g, '');
        for ( let len = Math.min(34, compact.length); len >= 15; len-- ) {
            if ( isIBAN(compact.slice(0, len)) ) {
                out.push({ value: compact.slice(0, len), start: m.index, end: m.index + m[0].length });
                break;
            }
        }
    }
    return out;
}

// A person named as the recipient: "получатель: Айгерим С.", "на имя Ержан Б.", "алушы: Дана Қ.", "recipient: Aliya K."
const RECIPIENT = /(?:[Пп]олучател[ьяю]|[Нн]а имя|[Вв]ладел[еь]ц\p{L}* карты|ФИО|[Аа]лушы|атына|[Ии]есі|[Rr]ecipient|[Aa]ccount holder|[Cc]ard ?holder|[Nn]ame on (?:the )?card)\s*[:—–-]?\s*(\p{Lu}\p{Ll}+)(?:\s+(\p{Lu}\p{Ll}+|\p{Lu}\.))?/gu;
const COMPANY = /^(ТОО|ИП|АО|ЖШС|ЖК|LLP|JSC|Ltd|Компания|Банк)$/u;

function hasPrivateRecipient(raw) {
    for ( const m of raw.matchAll(RECIPIENT) ) {
        if ( COMPANY.test(m[1]) === false ) { return true; }
    }
    return false;
}

/******************************************************************************/
// Links

function hostOf(href) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:@]+)/i.exec(String(href ?? '').trim());
    return m === null ? '' : m[1].toLowerCase().replace(/\.$/, '');
}

function readLinks(links) {
    let messenger = 0;
    let provider = false;
    let checkout = false;
    for ( const link of (Array.isArray(links) ? links : []).slice(0, MAX_LINKS) ) {
        const href = String(link?.href ?? '');
        const host = hostOf(href);
        if ( MESSENGER_HOSTS.test(host) || /instagram\.com\/direct\//i.test(href) || /^whatsapp:/i.test(href) ) {
            messenger += 1;
        }
        if ( PROVIDER_HOSTS.some(p => host === p || host.endsWith(`.${p}`)) ) { provider = true; }
        if ( /\/(cart|checkout|basket|korzina|order\/new)(\/|$|\?)/i.test(href) ) { checkout = true; }
    }
    return { messenger, provider, checkout };
}

/******************************************************************************/

function countDeepDiscounts(norm) {
    for ( const m of norm.matchAll(DISCOUNT) ) {
        if ( Number(m[1] ?? m[2]) >= DEEP_DISCOUNT ) { return true; }
    }
    return false;
}

function validBIN(norm) {
    for ( const m of norm.matchAll(BIN_LABEL) ) {
        if ( isBIN(m[2]) ) { return true; }
    }
    return false;
}

function unique(items) {
    return Array.from(new Set(items.map(i => i.value))).slice(0, MAX_DETAILS);
}

/**
 * readPage returns { asks_for, page, details } for a page's visible text and
 * links ([{ href, text }]; form actions and frame addresses may be passed as
 * links too).
 */
function readPage({ text = '', links = [] } = {}) {
    const raw = String(text ?? '').slice(0, MAX_TEXT);
    const norm = normalize(raw).replace(NEGATED, ' ');
    const linkInfo = readLinks(links);

    const prepayment = anyMatch(PREPAY, norm);
    const payManager = anyMatch(PAY_MANAGER, norm);
    const sendReceipt = anyMatch(SEND_RECEIPT, norm);
    const demand = prepayment || payManager || anyMatch(TRANSFER_DEMAND, norm);

    const cards = findCards(norm).filter(c => hasCueNear(norm, c.start, c.end));
    const phones = findPhones(norm).filter(p => hasCueNear(norm, p.start, p.end));
    // Phones inside a card-looking run were matched as cards already.
    const ibans = findIBANs(raw);
    const binValid = validBIN(norm);
    const legalForm = anyMatch([ LEGAL_FORM ], norm);
    const privateRecipient = hasPrivateRecipient(raw);

    const messengerOrder = anyMatch(MESSENGER_ORDER, norm);
    const checkout = linkInfo.checkout || linkInfo.provider || anyMatch(CHECKOUT_WORDS, norm);
    const cashOnDelivery = anyMatch([ CASH_ON_DELIVERY ], norm);
    const messengerOnly = messengerOrder && (linkInfo.messenger > 0 || /whatsapp|telegram|директ|direct/.test(norm))
        && checkout === false && cashOnDelivery === false;

    const refund = anyMatch(REFUND, norm) && anyMatch(REFUND_ASK, norm);
    const pressure = anyMatch(PRESSURE, norm) || countDeepDiscounts(norm);

    const asks = new Set();
    if ( demand && cards.length !== 0 ) { asks.add(Code.TRANSFER_CARD); }
    if ( demand && phones.length !== 0 ) { asks.add(Code.TRANSFER_PHONE); }
    // A company's IBAN with its checksum-valid BIN is how honest B2B invoices look.
    if ( demand && ibans.length !== 0 && (binValid === false || privateRecipient) ) { asks.add(Code.TRANSFER_IBAN); }
    const transfer = asks.size !== 0;
    if ( prepayment && (transfer || messengerOnly) ) { asks.add(Code.PREPAYMENT); }
    if ( (transfer || messengerOnly) && privateRecipient ) { asks.add(Code.PRIVATE_RECIPIENT); }
    if ( payManager && (transfer || messengerOnly) ) { asks.add(Code.PAY_MANAGER); }
    if ( sendReceipt && (transfer || messengerOnly || refund) ) { asks.add(Code.SEND_RECEIPT); }
    // Messenger-only ordering counts when the page also wants money first, or nothing else is there to check out.
    if ( messengerOnly && (demand || pressure || sendReceipt) ) { asks.add(Code.MESSENGER_ONLY); }
    if ( refund ) { asks.add(Code.REFUND_PATTERN); }

    return {
        asks_for: Object.values(Code).filter(c => asks.has(c)),
        page: {
            prepayment,
            pay_manager: payManager,
            send_receipt: sendReceipt,
            private_recipient: privateRecipient,
            messenger_order: messengerOrder,
            checkout,
            pressure,
            legal_form: legalForm,
            bin_valid: binValid,
            public_offer: anyMatch([ PUBLIC_OFFER ], norm),
            returns_policy: anyMatch([ RETURNS ], norm),
            cash_on_delivery: cashOnDelivery,
            provider_checkout: linkInfo.provider,
            cards: Math.min(cards.length, MAX_DETAILS),
            phones: Math.min(phones.length, MAX_DETAILS),
            ibans: Math.min(ibans.length, MAX_DETAILS),
            messenger_links: Math.min(linkInfo.messenger, 99),
        },
        // Only numbers the page gives for sending money: a café's booking phone is nobody's business.
        details: demand || refund
            ? { cards: unique(cards), phones: unique(phones), ibans: unique(ibans) }
            : { cards: [], phones: [], ibans: [] },
    };
}

/** honestSigns returns how many signs of an honest shop the page shows (legal identity, offer, returns, COD, checkout). */
function honestSigns(page) {
    return [ page.bin_valid, page.legal_form, page.public_offer, page.returns_policy, page.cash_on_delivery,
        page.provider_checkout ].filter(Boolean).length;
}

globalThis.abailaPageReader = Object.freeze({ Code, readPage, honestSigns, normalize, isLuhn, isIBAN, isBIN });

})();
