/*******************************************************************************

    Abaila — what the extension does with a verdict: warn or not, which
    advice, which toolbar badge.

        shouldWarnOnPayment('unverified')  → true
        badgeFor('dangerous')              → { text: '!', color: '#c62828' }

    'unreachable' is the extension's own level for "the service could not
    answer": it warns like 'unverified' and never reads as safe.

*/

/** Levels, most severe first; each comment says what the extension does. */
export const Level = Object.freeze({
    BLOCKED: 'blocked',             // on a list: warning page on navigation, in-page warning, hold the submit
    DANGEROUS: 'dangerous',         // strong evidence of fraud: in-page warning, hold the first submit
    SUSPICIOUS: 'suspicious',       // in-page warning before paying
    UNVERIFIED: 'unverified',       // in-page warning before paying (do not prepay)
    UNREACHABLE: 'unreachable',     // the service could not answer: "could not be verified" warning
    NO_KNOWN_RISK: 'no_known_risk', // no warning; never shown as "safe"
    TRUSTED: 'trusted',             // on the allowlist: no warning
    ALLOWED: 'allowed',             // the user allowed the site: no warning
});

const WARN = new Set([ Level.BLOCKED, Level.DANGEROUS, Level.SUSPICIOUS, Level.UNVERIFIED, Level.UNREACHABLE ]);
const HOLD = new Set([ Level.BLOCKED, Level.DANGEROUS ]);

/** shouldWarnOnPayment reports whether a payment step on a site with this level gets the in-page warning. */
export function shouldWarnOnPayment(level) {
    return WARN.has(level);
}

/** shouldHoldSubmit reports whether the first payment submit is held until the user confirms. */
export function shouldHoldSubmit(level) {
    return HOLD.has(level);
}

/** adviceKeys returns the message keys of the police advice shown for a level. */
export function adviceKeys(level) {
    switch ( level ) {
    case Level.BLOCKED:
    case Level.DANGEROUS:
        return [ 'adviceNoCard', 'adviceNoSmsCode', 'adviceNobodyAsksCode', 'adviceCall102' ];
    case Level.SUSPICIOUS:
    case Level.UNVERIFIED:
    case Level.UNREACHABLE:
        return [ 'adviceNoPrepay', 'adviceMarketplace', 'adviceNoSmsCode', 'adviceNobodyAsksCode' ];
    default:
        return [ 'adviceNoSmsCode' ];
    }
}

/** badgeFor returns the toolbar badge for a level: short text and a background colour. */
export function badgeFor(level) {
    switch ( level ) {
    case Level.BLOCKED:
    case Level.DANGEROUS:
        return { text: '!', color: '#c62828' };
    case Level.SUSPICIOUS:
        return { text: '!', color: '#ef6c00' };
    case Level.UNVERIFIED:
        return { text: '?', color: '#f9a825' };
    case Level.UNREACHABLE:
        return { text: '?', color: '#616161' };
    case Level.TRUSTED:
        return { text: '✓', color: '#2e7d32' };
    default:
        return { text: '', color: '#616161' };
    }
}

/** isKnownLevel reports whether a service verdict is one the extension understands. */
export function isKnownLevel(level) {
    return Object.values(Level).includes(level);
}
