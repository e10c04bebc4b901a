/*******************************************************************************

    Abaila — one message per warning. Pure: turns a level, the reasons (the
    service's and the extension's own) and the advice into what every surface
    shows, in this order:

        headline   the level's word                  "Beware: possible scam!"
        sentence   the strongest reason, plain words "This site looks like Kaspi.kz but …"
        official   the real address, as a button      "Go to kaspi.kz"
        advice     the one police line for the moment "Do not enter your card details on this site"
        why        everything else, collapsed         [{ text, detail }]

    Which reason is the sentence: the highest `rank` the service gave it
    (service/verdicts.py, docs/scoring.md "Display rank"). Rank 0 means "true,
    but says nothing to a person" (a lookup that failed, "this page asks for
    your card"): such a reason is shown only under "Why?". No line is shown
    twice: a reason equal to a line above is dropped, and the official
    address is cut from the sentence because the button says it.

        composeWarning({ level: 'dangerous', reasons: verdict.reasons, advice: verdict.advice }, text)
          → { level, tone, headline, sentence, official: 'kaspi.kz', advice, why: [...] }

    To add a line (another issue's trigger, a "reported N times" count): pass
    it as one more reason, `{ code: 'payment.reported', rank: 95, message }`
    (optionally `detail`). Its rank decides whether it becomes the sentence or
    goes under "Why?"; nothing else changes.

*/

import { adviceKeys, adviceMessageKey, lookOf } from './verdicts.js';

// The sentence when no reason ranks above 0, by level.
const FALLBACK_SENTENCE = Object.freeze({
    blocked: 'sentence_blocked',
    dangerous: 'sentence_dangerous',
    suspicious: 'sentence_suspicious',
    unverified: 'sentence_unverified',
    unreachable: 'sentence_unreachable',
    no_known_risk: 'sentence_no_known_risk',
    trusted: 'sentence_trusted',
});

/** rankOf returns a reason's display rank: the service's `rank`, else (an older service) its weight. */
export function rankOf(reason) {
    const rank = Number(reason?.rank ?? reason?.weight ?? 0);
    return Number.isFinite(rank) ? rank : 0;
}

/** officialOf returns the official address named in the reasons' evidence ('kaspi.kz'), or ''. */
export function officialOf(reasons) {
    for ( const reason of reasons ) {
        const official = reason?.evidence?.official;
        if ( typeof official === 'string' && /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(official) ) { return official.toLowerCase(); }
    }
    return '';
}

/** detailOf returns the "list · category · source" line of a list reason (labels from the service), or ''. */
export function detailOf(reason, text) {
    if ( typeof reason?.detail === 'string' ) { return reason.detail; }
    const evidence = reason?.evidence ?? {};
    const labels = reason?.labels ?? {};
    if ( !String(reason?.code ?? '').startsWith('list.') ) { return ''; }
    const parts = [];
    const list = labels.list ?? evidence.list;
    const category = labels.category ?? evidence.category;
    const source = labels.source ?? evidence.source;
    if ( list ) { parts.push(text('whyList', { list })); }
    if ( category ) { parts.push(text('whyCategory', { category })); }
    if ( source ) { parts.push(text('whySource', { source })); }
    return parts.join(' · ');
}

/**
 * withoutOfficial returns a reason's text without its last sentence when that sentence names the official
 * address, which the button says: "… not the official site. Official address: kaspi.kz" → "… not the
 * official site." (The service's catalog puts the address last; test/catalog.test.js checks it.)
 */
export function withoutOfficial(text, official) {
    const parts = text.split(/(?<=[.!?])\s+/);
    if ( parts.length > 1 && parts[parts.length - 1].toLowerCase().includes(official) ) { parts.pop(); }
    return clean(parts.join(' '));
}

function clean(line) {
    return String(line ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * composeWarning returns the one message for a level. `text(key, values)` gives the extension's strings
 * (_locales); `advice` is the service's lines (fitting one first), empty when it could not answer.
 */
export function composeWarning({ level, reasons = [], advice = [], asksFor = [] }, text) {
    const look = lookOf(level);
    const shown = new Set();
    const keep = line => {
        const key = clean(line).toLowerCase();
        if ( key === '' || shown.has(key) ) { return false; }
        shown.add(key);
        return true;
    };
    const usable = reasons
        .filter(r => r && typeof r.message === 'string' && clean(r.message) !== '')
        .map((r, i) => ({ reason: r, rank: rankOf(r), order: i }));
    // Highest rank first; equal ranks keep the service's order.
    usable.sort((a, b) => b.rank - a.rank || a.order - b.order);

    const headline = text(look.word);
    keep(headline);
    const top = usable.find(u => u.rank > 0);
    const official = officialOf(top ? [ top.reason, ...usable.map(u => u.reason) ] : usable.map(u => u.reason));
    const officialLine = official ? text('warningOfficial', { domain: official }) : '';
    let sentence = top ? clean(top.reason.message) : '';
    if ( sentence && official ) { sentence = withoutOfficial(sentence, official); }
    if ( sentence === '' ) { sentence = text(FALLBACK_SENTENCE[look.level] ?? 'sentence_unverified'); }
    keep(sentence);
    if ( officialLine ) { keep(officialLine); }

    const fromService = advice.map(clean).filter(a => a !== '');
    const adviceLine = fromService[0] ?? (adviceKeys(look.level, asksFor).map(k => text(adviceMessageKey(k)))[0] ?? '');
    if ( adviceLine ) { keep(adviceLine); }

    const why = [];
    for ( const { reason } of usable ) {
        if ( top && reason === top.reason ) {
            const detail = detailOf(reason, text);
            if ( detail && keep(detail) ) { why.push({ code: String(reason.code ?? ''), text: detail, detail: '' }); }
            continue;
        }
        const line = clean(reason.message);
        if ( keep(line) === false ) { continue; }
        why.push({ code: String(reason.code ?? ''), text: line, detail: detailOf(reason, text) });
    }
    return {
        level: look.level,
        tone: look.tone,
        headline,
        sentence,
        official,
        advice: adviceLine,
        why,
    };
}
