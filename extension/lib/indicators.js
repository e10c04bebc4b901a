/*******************************************************************************

    Abaila — payment indicators, privately: the card, phone or IBAN a page
    shows → its canonical text → SHA-256 → the first 5 hex digits → the
    service's range → the full hash confirmed here. The twin of
    service/indicators.py; both pass tests/fixtures/indicators.tsv.

        canonical('card:5100 0000 0000 0008')      → 'card:5100000000000008'
        canonical('phone:8 (747) 000-11-22')       → 'phone:+77470001122'
        canonical('iban:kz86 125k zt50 0410 0100') → 'iban:KZ86125KZT5004100100'
        await hashHex('card:5100000000000008')     → '40329e12…' (64 hex)
        rangePrefix('40329e12…')                   → '40329'  (all that leaves the browser)

    The range lookup is Have I Been Pwned's k-anonymity model: the service
    answers GET /v1/indicators/range/40329 with every listed hash in that
    range, padded with decoys to a fixed number of lines, one per line as
    `<64 hex>:<reports>`; the browser looks for its own hash among them.

    Python's rules come from libraries (phonenumbers' numbering plans,
    python-stdnum's IBAN registry); this file keeps small equivalents: the
    Luhn check, ISO 7064 mod 97-10 with the registry's IBAN lengths, and
    E.164 with Kazakh national forms (8 7xx…, 7xx…). It gives the same
    canonical text for every indicator Python accepts; it accepts a few
    numbers Python refuses (a +7 number in no allocated range, say), which
    costs a range lookup that never matches — never a false warning, since
    only what Python accepted can be listed.

    Pure: Web Crypto only (service workers, pages and Node ≥ 20).

*/

export const RANGE_DIGITS = 5;         // hex digits of a hash sent to the service (20 bits)
export const CARD_DIGITS = [ 13, 19 ]; // ISO/IEC 7812 card numbers
export const MAX_TEXT = 200;           // characters of a written indicator

/** InvalidIndicator reports an indicator that is not a valid card, phone or IBAN; the message says why. */
export class InvalidIndicator extends Error {
    constructor(message) {
        super(message);
        this.name = 'InvalidIndicator';
    }
}

// IBAN lengths per country, from python-stdnum's copy of the SWIFT IBAN registry (stdnum/iban.dat).
const IBAN_LENGTHS = new Map(
    ('AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 ' +
     'EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 ' +
     'IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 ' +
     'NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 ' +
     'SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30').split(' ').map(s => [ s.slice(0, 2), Number(s.slice(2)) ]),
);

const PREFIX = /^\s*(card|phone|iban)\s*:/i;
const SEPARATORS = /[\s.-]/g;
const PHONE_TEXT = /^\+?[\d\s\-.()/]+$/;

/** isIndicator reports whether text is written as an indicator (card:, phone:, iban:), valid or not. */
export function isIndicator(text) {
    return PREFIX.test(String(text));
}

/** canonical returns the canonical form of an indicator written in any human form; throws InvalidIndicator. */
export function canonical(text) {
    text = String(text);
    if ( text.length > MAX_TEXT ) { throw new InvalidIndicator(`an indicator is at most ${MAX_TEXT} characters`); }
    const match = PREFIX.exec(text);
    if ( match === null ) { throw new InvalidIndicator('not an indicator: write card:…, phone:… or iban:…'); }
    return canonicalOf(match[1].toLowerCase(), text.slice(match[0].length));
}

/** canonicalOf returns the canonical indicator of a raw number of a kind ('card', 'phone', 'iban'). */
export function canonicalOf(kind, raw) {
    const value = String(raw).trim();
    if ( value === '' ) { throw new InvalidIndicator(`${kind}: has no number after the colon`); }
    switch ( kind ) {
    case 'card': return 'card:' + card(value);
    case 'phone': return 'phone:' + phone(value);
    case 'iban': return 'iban:' + iban(value);
    default: throw new InvalidIndicator(`unknown indicator kind ${kind}`);
    }
}

function card(value) {
    const digits = value.replace(SEPARATORS, '');
    if ( /^[0-9]+$/.test(digits) === false ) { throw new InvalidIndicator('a card number is digits'); }
    if ( digits.length < CARD_DIGITS[0] || digits.length > CARD_DIGITS[1] ) {
        throw new InvalidIndicator(`a card number has ${CARD_DIGITS[0]}-${CARD_DIGITS[1]} digits, not ${digits.length}`);
    }
    if ( isLuhnValid(digits) === false ) { throw new InvalidIndicator('the card number fails the Luhn check'); }
    return digits;
}

/** isLuhnValid reports whether a digit string passes the Luhn (mod 10) check. */
export function isLuhnValid(digits) {
    let sum = 0;
    for ( let i = digits.length - 1, double = false; i >= 0; i--, double = !double ) {
        let d = digits.charCodeAt(i) - 48;
        if ( double ) { d *= 2; if ( d > 9 ) { d -= 9; } }
        sum += d;
    }
    return sum % 10 === 0;
}

function phone(value) {
    if ( PHONE_TEXT.test(value) === false ) { throw new InvalidIndicator('a phone number is digits, + ( ) - and spaces'); }
    const plus = value.startsWith('+');
    let digits = value.replace(/\D/g, '');
    if ( plus === false ) {
        if ( digits.startsWith('00') ) {
            digits = digits.slice(2);                       // 00 7 747…: the international prefix
        } else if ( digits.length === 11 && (digits[0] === '8' || digits[0] === '7') ) {
            digits = '7' + digits.slice(1);                 // Kazakh national 8 7xx… (or 7 7xx…)
        } else if ( digits.length === 10 ) {
            digits = '7' + digits;                          // Kazakh number without its trunk prefix
        } else {
            throw new InvalidIndicator('a phone number without +country must be a Kazakh number (8 7xx …)');
        }
    }
    // E.164: a country code that does not start with 0, at most 15 digits in all.
    if ( digits.length < 8 || digits.length > 15 || digits[0] === '0' ) {
        throw new InvalidIndicator('not a phone number in E.164 (8-15 digits with the country code)');
    }
    // +7 (Kazakhstan and Russia) numbers have 10 digits after the 7, in the ranges the two plans allocate.
    if ( digits[0] === '7' && (digits.length !== 11 || '34789'.includes(digits[1]) === false) ) {
        throw new InvalidIndicator('a +7 number has 10 digits after the 7, starting with 3, 4, 7, 8 or 9');
    }
    return '+' + digits;
}

function iban(value) {
    const compact = value.replace(SEPARATORS, '').toUpperCase();
    if ( /^[A-Z0-9]+$/.test(compact) === false ) { throw new InvalidIndicator('an IBAN is letters and digits'); }
    const length = IBAN_LENGTHS.get(compact.slice(0, 2));
    if ( length === undefined ) { throw new InvalidIndicator('an IBAN starts with the code of a country that uses IBANs'); }
    if ( compact.length !== length || /^[A-Z]{2}[0-9]{2}/.test(compact) === false ) {
        throw new InvalidIndicator(`an IBAN of ${compact.slice(0, 2)} has ${length} characters`);
    }
    if ( mod97(compact.slice(4) + compact.slice(0, 4)) !== 1 ) {
        throw new InvalidIndicator('the IBAN fails its check digits');
    }
    return compact;
}

// ISO 7064 mod 97-10 over letters as numbers (A=10 … Z=35), a digit at a time so no big integers are needed.
function mod97(text) {
    let rest = 0;
    for ( const c of text ) {
        const n = c <= '9' ? c : String(c.charCodeAt(0) - 55);
        for ( const d of n ) { rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97; }
    }
    return rest;
}

// ---------------------------------------------------------------------------------------------------------
// Hashes and the range lookup

const encoder = new TextEncoder();

/** hashHex returns the lowercase hex SHA-256 of a canonical indicator's UTF-8 text. */
export async function hashHex(canonicalText) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(canonicalText)));
    return Array.from(digest, b => b.toString(16).padStart(2, '0')).join('');
}

/** rangePrefix returns the range a hash falls in: its first RANGE_DIGITS hex digits, upper case. */
export function rangePrefix(hex) {
    return hex.slice(0, RANGE_DIGITS).toUpperCase();
}

/**
 * parseRange returns Map(hash → reports) of a range answer (`<64 hex>:<reports>` lines; decoys included, they
 * simply never equal a real hash). Lines that are not of that shape, or not in the range, are ignored.
 */
export function parseRange(prefix, text) {
    const out = new Map();
    const low = prefix.toLowerCase();
    for ( const line of String(text).split(/\r?\n/) ) {
        const match = /^([0-9a-fA-F]{64}):(\d{1,9})$/.exec(line.trim());
        if ( match === null ) { continue; }
        const hash = match[1].toLowerCase();
        if ( hash.startsWith(low) ) { out.set(hash, Number(match[2])); }
    }
    return out;
}

/**
 * RangeCache keeps range answers for `ttlSeconds` (the service lets them be cached that long). `now` returns
 * milliseconds; a field, so tests pass a fixed clock.
 */
export class RangeCache {
    constructor({ now = Date.now, ttlSeconds = 3600, maxEntries = 2000 } = {}) {
        this.now = now;
        this.ttl = ttlSeconds * 1000;
        this.maxEntries = maxEntries;
        this.entries = new Map();   // prefix → { expires, hashes: Map(hash → reports) }
    }

    get(prefix) {
        const entry = this.entries.get(prefix);
        if ( entry === undefined ) { return null; }
        if ( entry.expires <= this.now() ) { this.entries.delete(prefix); return null; }
        return entry.hashes;
    }

    set(prefix, hashes) {
        if ( this.entries.size >= this.maxEntries ) { this.entries.delete(this.entries.keys().next().value); }
        this.entries.set(prefix, { expires: this.now() + this.ttl, hashes });
    }
}

/**
 * checkIndicators returns, for each canonical indicator, {canonical, listed, reports} — or {canonical,
 * unknown: true} when its range could not be fetched. `fetchRange(prefix)` returns the answer's text (the
 * only network call: it sends the 5-hex prefix and nothing else). Ranges are fetched once each.
 */
export async function checkIndicators(canonicals, { fetchRange, cache = null }) {
    const hashed = await Promise.all(canonicals.map(async c => ({ canonical: c, hash: await hashHex(c) })));
    const ranges = new Map();
    for ( const { hash } of hashed ) {
        const prefix = rangePrefix(hash);
        if ( ranges.has(prefix) ) { continue; }
        const cached = cache?.get(prefix) ?? null;
        ranges.set(prefix, cached !== null ? Promise.resolve(cached) : fetchRange(prefix).then(text => {
            const hashes = parseRange(prefix, text);
            cache?.set(prefix, hashes);
            return hashes;
        }).catch(() => null));
    }
    const results = [];
    for ( const { canonical: c, hash } of hashed ) {
        const hashes = await ranges.get(rangePrefix(hash));
        if ( hashes === null ) { results.push({ canonical: c, unknown: true }); continue; }
        results.push({ canonical: c, listed: hashes.has(hash), reports: hashes.get(hash) ?? 0 });
    }
    return results;
}

/** canonicalDetails returns the canonical indicators of the page reader's details ({cards, phones, ibans}). */
export function canonicalDetails(details) {
    const out = new Set();
    const kinds = [ [ 'cards', 'card' ], [ 'phones', 'phone' ], [ 'ibans', 'iban' ] ];
    for ( const [ field, kind ] of kinds ) {
        for ( const raw of Array.isArray(details?.[field]) ? details[field] : [] ) {
            try {
                out.add(canonicalOf(kind, raw));
            } catch {
                // not a valid number of that kind: nothing to look up
            }
        }
    }
    return [ ...out ];
}
