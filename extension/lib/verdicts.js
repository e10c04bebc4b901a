/*******************************************************************************

    Abaila — the one level → word / colour mapping, and what the extension
    does with a level. Popup, toolbar badge, in-page box and warning page all
    ask this module, so one site shows one word and one colour everywhere.

        lookOf('dangerous')   → { level: 'dangerous', tone: 'danger', word: 'level_dangerous', badge: '!' }
        badgeFor('suspicious', tones) → { text: '!', color: '#ef6c00', textColor: '#1b1b1b' }
        shouldWarnOnPayment('unverified')  → true

    A level's word is the message `level_<level>` (the headline of the box
    and the warning page, the popup's verdict line, the badge tooltip). Its
    colours are the tone's variables in levels.css; parseTones() reads that
    stylesheet so the badge (which is not CSS) uses the same values.

    'unreachable' is the extension's own level for "the service could not
    answer": it warns like 'unverified' and never reads as safe.

*/

/** Levels, most severe first; each comment says what the extension does. */
export const Level = Object.freeze({
    BLOCKED: 'blocked',             // on a list: warning page on navigation, in-page warning, hold the submit
    DANGEROUS: 'dangerous',         // strong evidence of fraud: in-page warning, hold the first submit
    SUSPICIOUS: 'suspicious',       // in-page warning before paying
    UNVERIFIED: 'unverified',       // in-page warning before paying (do not prepay)
    UNREACHABLE: 'unreachable',     // the service could not answer: "could not check" warning
    NO_KNOWN_RISK: 'no_known_risk', // no warning; never shown as "safe"
    TRUSTED: 'trusted',             // on the allowlist: no warning
});

// level → tone (a colour set in levels.css) and badge text. The word is always `level_<level>`.
const LOOKS = Object.freeze({
    [Level.BLOCKED]: { tone: 'danger', badge: '!' },
    [Level.DANGEROUS]: { tone: 'danger', badge: '!' },
    [Level.SUSPICIOUS]: { tone: 'warning', badge: '!' },
    [Level.UNVERIFIED]: { tone: 'caution', badge: '?' },
    [Level.UNREACHABLE]: { tone: 'unknown', badge: '?' },
    [Level.NO_KNOWN_RISK]: { tone: 'neutral', badge: '' },
    [Level.TRUSTED]: { tone: 'ok', badge: '✓' },
});

// The colours when levels.css could not be read (the same values; test/levels.test.js keeps them equal).
export const DEFAULT_TONES = Object.freeze({
    danger: { tone: '#c62828', onTone: '#ffffff' },
    warning: { tone: '#ef6c00', onTone: '#1b1b1b' },
    caution: { tone: '#f9a825', onTone: '#1b1b1b' },
    unknown: { tone: '#616161', onTone: '#ffffff' },
    neutral: { tone: '#5f6368', onTone: '#ffffff' },
    ok: { tone: '#2e7d32', onTone: '#ffffff' },
});

const WARN = new Set([ Level.BLOCKED, Level.DANGEROUS, Level.SUSPICIOUS, Level.UNVERIFIED, Level.UNREACHABLE ]);
const HOLD = new Set([ Level.BLOCKED, Level.DANGEROUS ]);
const DANGER = new Set([ Level.BLOCKED, Level.DANGEROUS ]);

/** isKnownLevel reports whether a level is one the extension understands. */
export function isKnownLevel(level) {
    return Object.hasOwn(LOOKS, level);
}

/** lookOf returns how a level looks: its tone, its word's message key and its badge text. */
export function lookOf(level) {
    const known = isKnownLevel(level) ? level : Level.UNVERIFIED;
    return { level: known, ...LOOKS[known], word: `level_${known}` };
}

/** isDangerous reports whether a level means "leave": Escape leaves, the first submit is held. */
export function isDangerous(level) {
    return DANGER.has(level);
}

/** shouldWarnOnPayment reports whether a payment step on a site with this level gets the in-page warning. */
export function shouldWarnOnPayment(level) {
    return WARN.has(level);
}

/** shouldHoldSubmit reports whether the first payment submit is held until the user confirms. */
export function shouldHoldSubmit(level) {
    return HOLD.has(level);
}

/** parseTones returns {tone: {tone, onTone}} read from levels.css text (tones it lacks keep their defaults). */
export function parseTones(cssText) {
    const tones = Object.fromEntries(Object.entries(DEFAULT_TONES).map(([ k, v ]) => [ k, { ...v } ]));
    for ( const [ , name, body ] of String(cssText).matchAll(/\[data-tone=(\w+)\]\s*\{([^}]*)\}/g) ) {
        const value = prop => new RegExp(`--${prop}:\\s*(#[0-9a-fA-F]{6})`).exec(body)?.[1];
        const tone = value('tone');
        const onTone = value('on-tone');
        if ( tone && onTone ) { tones[name] = { tone, onTone }; }
    }
    return tones;
}

/** badgeFor returns the toolbar badge for a level: text, background and text colour of its tone. */
export function badgeFor(level, tones = DEFAULT_TONES) {
    const look = lookOf(level);
    const colours = tones[look.tone] ?? DEFAULT_TONES[look.tone];
    return { text: look.badge, color: colours.tone, textColor: colours.onTone };
}

/******************************************************************************/
// Police advice: the offline copy of the service's `advice_by_level` (service/data/messages.json).
// The service's verdict carries the lines in its own order, the fitting one first; these keys are used
// only when it could not answer. test/catalog.test.js keeps them equal to the service's catalog.

export const ADVICE_BY_LEVEL = Object.freeze({
    blocked: [ 'no_card', 'no_sms_code', 'nobody_asks_code', 'call_102' ],
    dangerous: [ 'no_card', 'no_sms_code', 'nobody_asks_code', 'call_102' ],
    suspicious: [ 'no_prepay', 'no_card', 'no_sms_code', 'nobody_asks_code', 'no_strangers_links' ],
    unverified: [ 'no_prepay', 'pay_via_marketplace', 'no_private_card', 'no_sms_code' ],
    no_known_risk: [ 'no_sms_code' ],
    trusted: [],
});

const CODE_ASKS = new Set([ 'sms_code', 'otp', 'password', 'iin' ]);

/**
 * adviceKeys returns the advice keys for a level, the one that fits the moment first: a page that asks
 * for a one-time code gets "never share SMS codes" first (the same rule as service/messages.py advice()).
 * 'unreachable' gets the advice of 'unverified'.
 */
export function adviceKeys(level, asksFor = []) {
    const keys = [ ...(ADVICE_BY_LEVEL[level === Level.UNREACHABLE ? Level.UNVERIFIED : level] ?? []) ];
    if ( asksFor.some(a => CODE_ASKS.has(a)) && keys.includes('no_sms_code') ) {
        keys.splice(keys.indexOf('no_sms_code'), 1);
        keys.unshift('no_sms_code');
    }
    return keys;
}

/** adviceMessageKey returns the _locales key of a service advice key: 'no_sms_code' → 'advice_no_sms_code'. */
export function adviceMessageKey(key) {
    return `advice_${key}`;
}
