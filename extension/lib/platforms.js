/*******************************************************************************

    Abaila — URLs on platforms to the identity they name (the twin of
    service/platforms.py, reading the same table: platforms_table.js is
    generated from service/data/platforms.toml).

        https://www.Instagram.com/Kaspi_Shop/reels/?igsh=x
            ──place()──► { platform: 'instagram', where: 'identity',
                           identity: { kind: 'account', key: 'instagram.com/kaspi_shop' } }

    The key is hashed like one more lookup expression, so a listed account
    matches every URL form of it while the service still never sees the URL.
    Both sides pass tests/fixtures/platforms.tsv.

*/

import TABLE from './platforms_table.js';
import { canonical } from './indicators.js';

export const PHONE_PREFIX = 'phone:';
const FIELD = /\{(\d|q|sub|host)\}/g;

function compileRule(raw, platformCase) {
    return {
        kind: raw.kind,
        path: new RegExp(raw.path),
        query: raw.query ?? null,
        key: raw.key ?? '',
        valid: raw.valid ? new RegExp(raw.valid) : null,
        case: raw.case ?? platformCase,
    };
}

function compile(table) {
    const byHost = new Map();
    const bySite = new Map();
    const all = [];
    for ( const raw of table.platforms ) {
        const platform = {
            id: raw.id, name: raw.name, kind: raw.kind,
            hosts: raw.hosts, sites: raw.sites,
            exclude: new Set(raw.exclude), own: raw.own, reserved: new Set(raw.reserved),
            advice: raw.advice,
            rules: raw.rules.map(r => compileRule(r, raw.case)),
            siteRules: raw.site_rules.map(r => compileRule(r, raw.case)),
        };
        all.push(platform);
        for ( const host of platform.hosts ) { byHost.set(host, platform); }
        for ( const site of platform.sites ) { bySite.set(site, platform); }
    }
    return { all, byHost, bySite };
}

const INDEX = compile(TABLE);

/** platforms returns every platform of the table. */
export function platforms() {
    return INDEX.all;
}

function isOwn(platform, path) {
    for ( const own of platform.own ) {
        if ( own === '/' ) {
            if ( path === '/' ) { return true; }
        } else if ( own.endsWith('/') ) {
            if ( path.startsWith(own) || path === own.slice(0, -1) ) { return true; }
        } else if ( path === own || path === own + '/' ) {
            return true;
        }
    }
    return false;
}

function queryValue(query, name) {
    if ( !query ) { return null; }
    for ( const part of query.split('&') ) {
        const eq = part.indexOf('=');
        const key = eq === -1 ? part : part.slice(0, eq);
        if ( key === name ) {
            const value = eq === -1 ? '' : part.slice(eq + 1);
            try { return decodeURIComponent(value); } catch { return value; }
        }
    }
    return null;
}

/**
 * phoneKey returns `phone:+<E.164>` for an international number, or null:
 * the payment indicator's canonical form (lib/indicators.js), so a listed
 * phone and its wa.me / t.me links are one entry.
 */
export function phoneKey(text) {
    const digits = String(text).replace(/[\s\-().]/g, '').replace(/^\+/, '');
    if ( !/^[0-9]{7,15}$/.test(digits) ) { return null; }
    try {
        return canonical(PHONE_PREFIX + '+' + digits);
    } catch {
        return null;
    }
}

// applyRule returns an identity, null when the rule does not apply, or false
// when it applies but the name is one the platform forbids.
function applyRule(rule, platform, parsed, sub) {
    const match = rule.path.exec(parsed.path);
    if ( match === null ) { return null; }
    const groups = match.slice(1);
    let q = null;
    if ( rule.query !== null ) {
        q = queryValue(parsed.query, rule.query);
        if ( q === null ) { return null; }
    }
    const first = groups.length !== 0 ? groups[0] : undefined;
    if ( first !== undefined && platform.reserved.has(first.toLowerCase()) && parsed.path.split('/')[1] === first ) {
        return null;    // a feature of the platform (/p/, /explore/), not an account name
    }
    if ( rule.kind === 'phone' ) {
        const key = phoneKey(q !== null ? q : (first ?? ''));
        return key === null ? false : { platform: platform.id, kind: 'phone', key };
    }
    const fold = value => rule.case === 'lower' ? value.toLowerCase() : value;
    const values = { host: parsed.host };
    groups.forEach((g, i) => { values[String(i + 1)] = g === undefined ? '' : fold(g); });
    if ( q !== null ) { values.q = fold(q); }
    if ( sub !== null ) { values.sub = sub; }
    const fields = Array.from(rule.key.matchAll(FIELD), m => m[1]).filter(name => name !== 'host');
    if ( rule.valid !== null && fields.length !== 0 && !rule.valid.test(values[fields[fields.length - 1]]) ) {
        return false;
    }
    const key = rule.key.replace(FIELD, (_, name) => values[name]);
    return { platform: platform.id, kind: rule.kind, key };
}

function siteOf(host) {
    const labels = host.split('.');
    for ( let i = 1; i < labels.length - 1; i++ ) {
        const site = labels.slice(i).join('.');
        const platform = INDEX.bySite.get(site);
        if ( platform === undefined ) { continue; }
        // A deeper host keeps all its labels (service/platforms.py _site_of says why).
        const prefix = labels.slice(0, i - 1).join('.');
        const sub = i === 1 || prefix === 'www' || prefix === 'm' ? labels[i - 1] : labels.slice(0, i).join('.');
        return { platform, site, sub };
    }
    return null;
}

/**
 * place returns where canonical URL parts ({host, path, query}) sit on a
 * platform — { platform, where: 'identity'|'own'|'other', identity } — or
 * null for a host on no platform.
 */
export function place(parsed) {
    const found = INDEX.byHost.get(parsed.host);
    if ( found !== undefined ) {
        if ( isOwn(found, parsed.path) ) { return { platform: found, where: 'own', identity: null }; }
        for ( const rule of found.rules ) {
            const identity = applyRule(rule, found, parsed, null);
            if ( identity === false ) { break; }
            if ( identity !== null ) { return { platform: found, where: 'identity', identity }; }
        }
        return { platform: found, where: 'other', identity: null };
    }
    const site = siteOf(parsed.host);
    if ( site === null ) { return null; }
    const { platform, sub } = site;
    if ( platform.exclude.has(sub) ) { return { platform, where: 'own', identity: null }; }
    for ( const rule of platform.siteRules ) {
        const identity = applyRule(rule, platform, parsed, sub);
        if ( identity === false ) { break; }
        if ( identity !== null ) { return { platform, where: 'identity', identity }; }
    }
    if ( platform.siteRules.length !== 0 ) { return { platform, where: 'other', identity: null }; }
    return { platform, where: 'identity', identity: { platform: platform.id, kind: 'page', key: `${sub}.${site.site}/` } };
}

/** identify returns the identity canonical URL parts name, or null. */
export function identify(parsed) {
    return place(parsed)?.identity ?? null;
}
