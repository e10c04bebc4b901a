/*******************************************************************************

    Abaila — known scams, privately: URL → expressions → SHA-256 → 4-byte
    prefixes → the service → full hashes confirmed here.

        URL ──expressions()──► ≤30 expressions ──SHA-256──► full hashes
                                                                │ first 4 bytes
                                         ┌──────────────────────┘
                                         ▼
                              prefix cache (this file) ──miss──► POST /v1/lookup/prefixes
                                         │                       (prefixes only, never the URL)
                                         ▼
                  full hash equal to one the service listed? ──yes──► hit {list, category}

    The cache keeps, per prefix asked, the full hashes the service returned
    under it and an expiry: the response's cacheDuration covers every prefix
    asked, so an empty answer is cached too (negative caching, Safe Browsing
    v5). Cache results, as in google/safebrowsing cache.go:
      - fresh entry, full hash listed   → a threat; don't ask the server;
      - fresh entry, full hash absent   → not listed; don't ask the server;
      - no entry or expired             → ask the server; if it can't answer,
                                          the result is 'unknown', never 'clear';
      - expired, server down, listed    → still a threat: the last known list
                                          answer protects (issue 15), for up to
                                          MAX_STALE_SECONDS; it never clears.

*/

import { expressionsOf, parse } from './urls.js';
import { identify } from './platforms.js';
import { fullHash, prefixOf, toBase64 } from './hash.js';

export const DEFAULT_CACHE_SECONDS = 300;   // when a response carries no usable cacheDuration
export const MAX_CACHE_SECONDS = 24 * 3600; // Safe Browsing v5: a cache duration may be lengthened to at most 24 h
export const MAX_CACHE_ENTRIES = 20000;     // prefixes kept; about 1 MB of JSON at most
export const MAX_STALE_SECONDS = 7 * 24 * 3600; // an expired answer still protects this long while the service is down
const NOT_THREATS = new Set([ 'allowlist' ]); // list categories that are not threats

/** Outcome of a lookup; each says what the caller does. */
export const Outcome = Object.freeze({
    HIT: 'hit',         // a full hash is listed: show the warning page
    CLEAR: 'clear',     // no expression is listed: let the page load (not "safe": just not listed)
    UNKNOWN: 'unknown', // the service could not answer: let the page load, show the badge as unverified
    SKIPPED: 'skipped', // not an http(s) URL with a host: nothing to look up
});

/** parseDuration returns seconds from a protobuf-JSON duration ("300s", "300.000s"), or null. */
export function parseDuration(text) {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(String(text ?? ''));
    return match === null ? null : Number(match[1]);
}

/**
 * PrefixCache holds the service's answers per requested prefix. `now`
 * returns milliseconds (a field, so tests pass a fixed clock).
 */
export class PrefixCache {
    constructor({ now = Date.now, entries = {} } = {}) {
        this.now = now;
        // prefix (base64) → { expires: ms, hashes: { fullHash (base64): { list, category } } }
        this.entries = new Map(Object.entries(entries));
    }

    /** fresh returns the unexpired entry of a prefix, or null. */
    fresh(prefix) {
        const entry = this.entries.get(prefix);
        if ( entry === undefined || entry.expires <= this.now() ) { return null; }
        return entry;
    }

    /** stale returns the last answer for a prefix even if expired (up to MAX_STALE_SECONDS), or null. */
    stale(prefix) {
        const entry = this.entries.get(prefix);
        if ( entry === undefined || entry.expires + MAX_STALE_SECONDS * 1000 <= this.now() ) { return null; }
        return entry;
    }

    /** store records one answer of the service for every prefix that was asked. */
    store(askedPrefixes, response) {
        const seconds = Math.min(parseDuration(response.cacheDuration) ?? DEFAULT_CACHE_SECONDS, MAX_CACHE_SECONDS);
        const expires = this.now() + seconds * 1000;
        const byPrefix = new Map(askedPrefixes.map(p => [ p, {} ]));
        for ( const match of Array.isArray(response.matches) ? response.matches : [] ) {
            if ( typeof match?.hash !== 'string' ) { continue; }
            let prefix;
            try {
                prefix = toBase64(prefixOf(Uint8Array.from(atob(match.hash), c => c.charCodeAt(0))));
            } catch {
                continue;   // not base64: ignore it, as Safe Browsing ignores unknown details
            }
            const hashes = byPrefix.get(prefix);
            if ( hashes === undefined ) { continue; }   // a hash we did not ask about
            const category = String(match.category ?? '');
            if ( NOT_THREATS.has(category) ) { continue; }  // an official site is never a hit
            hashes[match.hash] = { list: String(match.list ?? ''), category };
        }
        for ( const [ prefix, hashes ] of byPrefix ) {
            this.entries.delete(prefix);    // re-insert: Map order is the eviction order
            this.entries.set(prefix, { expires, hashes });
        }
        this.evict();
    }

    evict() {
        const now = this.now();
        for ( const [ prefix, entry ] of this.entries ) {
            if ( entry.expires + MAX_STALE_SECONDS * 1000 <= now ) { this.entries.delete(prefix); }
        }
        while ( this.entries.size > MAX_CACHE_ENTRIES ) {
            this.entries.delete(this.entries.keys().next().value);
        }
    }

    toJSON() {
        return Object.fromEntries(this.entries);
    }
}

/**
 * lookupURL returns { outcome, matches, host } for a URL: matches are the
 * listed expressions with their list and category. `api.lookupPrefixes` is
 * the only call that leaves the machine, and it carries prefixes only.
 */
export async function lookupURL(url, { api, cache }) {
    let parsed;
    try {
        parsed = parse(url);
    } catch {
        return { outcome: Outcome.SKIPPED, matches: [], host: '' };
    }
    if ( parsed.scheme !== 'http' && parsed.scheme !== 'https' ) {
        return { outcome: Outcome.SKIPPED, matches: [], host: parsed.host };
    }
    // An account, listing or page on a platform is listed by its identity key
    // (instagram.com/kaspi_shop, phone:+7…): hashed like one more expression, so
    // every URL form of it matches and the service still sees prefixes only.
    const expressions = expressionsOf(parsed);
    const identity = identify(parsed);
    if ( identity !== null && !expressions.includes(identity.key) ) { expressions.push(identity.key); }
    const candidates = [];
    for ( const expression of expressions ) {
        const hash = await fullHash(expression);
        candidates.push({ expression, hash: toBase64(hash), prefix: toBase64(prefixOf(hash)) });
    }
    const missing = Array.from(new Set(candidates.filter(c => cache.fresh(c.prefix) === null).map(c => c.prefix)));
    let unknown = false;
    if ( missing.length !== 0 ) {
        try {
            cache.store(missing, await api.lookupPrefixes(missing));
        } catch {
            unknown = true;
        }
    }
    const matches = [];
    for ( const { expression, hash, prefix } of candidates ) {
        // With the service down, the last known answer still names a listed site (never clears one).
        const entry = cache.fresh(prefix) ?? (unknown ? cache.stale(prefix) : null);
        const listed = entry?.hashes[hash];
        if ( listed !== undefined ) { matches.push({ expression, ...listed }); }
    }
    const outcome = matches.length !== 0 ? Outcome.HIT : unknown ? Outcome.UNKNOWN : Outcome.CLEAR;
    return { outcome, matches, host: parsed.host };
}
