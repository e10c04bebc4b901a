// lib/lookup.js with a fake service: prefixes only leave the machine, answers are cached for
// cacheDuration (negative answers too), hits are confirmed on all 32 bytes, failures are 'unknown'.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MAX_STALE_SECONDS, lookupURL, Outcome, PrefixCache, parseDuration } from '../lib/lookup.js';
import { fullHash, prefixOf, toBase64 } from '../lib/hash.js';
import { TTLCache } from '../lib/ttlcache.js';

// A fake service holding a few listed expressions; it records what it was sent.
async function fakeService(listed, { cacheDuration = '300s' } = {}) {
    const entries = [];
    for ( const [ expression, list, category ] of listed ) {
        entries.push({ hash: await fullHash(expression), list, category });
    }
    const sent = [];
    return {
        sent,
        down: false,
        async lookupPrefixes(prefixes) {
            sent.push(prefixes);
            if ( this.down ) { throw new Error('unreachable'); }
            const asked = new Set(prefixes);
            return {
                matches: entries.filter(e => asked.has(toBase64(prefixOf(e.hash))))
                    .map(e => ({ hash: toBase64(e.hash), list: e.list, category: e.category })),
                cacheDuration,
            };
        },
    };
}

function clock(start = 1_000_000) {
    const c = { t: start, now: () => c.t };
    return c;
}

test('sha-256 and base64 agree with known values', async () => {
    const hash = await fullHash('abc');
    assert.equal(toBase64(hash), 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    assert.equal(toBase64(prefixOf(hash)), 'ungWvw==');
});

test('a listed host is a hit, found from prefixes only', async () => {
    const api = await fakeService([ [ 'kaspi-kz.top/', 'abaila-kz-scam', 'phishing' ] ]);
    const cache = new PrefixCache({ now: clock().now });
    const result = await lookupURL('https://pay.kaspi-kz.top/card/verify?id=7&phone=77011234567', { api, cache });
    assert.equal(result.outcome, Outcome.HIT);
    assert.deepEqual(result.matches, [ { expression: 'kaspi-kz.top/', list: 'abaila-kz-scam', category: 'phishing' } ]);
    assert.equal(api.sent.length, 1);
    for ( const prefix of api.sent[0] ) {
        assert.match(prefix, /^[A-Za-z0-9+/]{6}==$/);   // 4 bytes, nothing else
    }
    assert.ok(JSON.stringify(api.sent).includes('kaspi') === false);
});

test('an unlisted URL is clear, and the negative answer is cached', async () => {
    const api = await fakeService([ [ 'kaspi-kz.top/', 'abaila-kz-scam', 'phishing' ] ]);
    const c = clock();
    const cache = new PrefixCache({ now: c.now });
    assert.equal((await lookupURL('https://honest.kz/', { api, cache })).outcome, Outcome.CLEAR);
    assert.equal((await lookupURL('https://honest.kz/', { api, cache })).outcome, Outcome.CLEAR);
    assert.equal(api.sent.length, 1, 'second lookup answered from the cache');
    c.t += 301_000;
    await lookupURL('https://honest.kz/', { api, cache });
    assert.equal(api.sent.length, 2, 'asked again once cacheDuration passed');
});

test('a prefix collision is not a hit: all 32 bytes must match', async () => {
    const real = await fullHash('honest.kz/');
    const collision = new Uint8Array(real);
    collision[31] ^= 0xFF;
    const api = {
        async lookupPrefixes() {
            return { matches: [ { hash: toBase64(collision), list: 'x', category: 'phishing' } ], cacheDuration: '60s' };
        },
    };
    const result = await lookupURL('https://honest.kz/', { api, cache: new PrefixCache() });
    assert.equal(result.outcome, Outcome.CLEAR);
});

test('a service that cannot answer gives unknown, never clear', async () => {
    const api = await fakeService([]);
    api.down = true;
    const result = await lookupURL('https://shop.example/', { api, cache: new PrefixCache() });
    assert.equal(result.outcome, Outcome.UNKNOWN);
});

test('a cached hit survives the service going down', async () => {
    const api = await fakeService([ [ 'evil.example/', 'l', 'scam_shop' ] ]);
    const cache = new PrefixCache();
    assert.equal((await lookupURL('http://evil.example/x', { api, cache })).outcome, Outcome.HIT);
    api.down = true;
    assert.equal((await lookupURL('http://evil.example/x', { api, cache })).outcome, Outcome.HIT);
});

test('an expired answer still protects while the service is down, and never clears a site', async () => {
    const api = await fakeService([ [ 'evil.example/', 'l', 'scam_shop' ] ]);
    const c = clock();
    const cache = new PrefixCache({ now: c.now });
    assert.equal((await lookupURL('http://evil.example/x', { api, cache })).outcome, Outcome.HIT);
    assert.equal((await lookupURL('http://quiet.example/', { api, cache })).outcome, Outcome.CLEAR);
    c.t += 3600 * 1000;    // the 300 s answers expired an hour ago
    api.down = true;
    assert.equal((await lookupURL('http://evil.example/x', { api, cache })).outcome, Outcome.HIT, 'last known answer');
    assert.equal((await lookupURL('http://quiet.example/', { api, cache })).outcome, Outcome.UNKNOWN, 'a stale "not listed" is not clear');
    api.down = false;
    assert.equal((await lookupURL('http://evil.example/x', { api, cache })).outcome, Outcome.HIT);
    c.t += (MAX_STALE_SECONDS + 1) * 1000;
    api.down = true;
    assert.equal((await lookupURL('http://evil.example/x', { api, cache })).outcome, Outcome.HIT, 'refreshed when the service was back');
    c.t += (MAX_STALE_SECONDS + 400) * 1000;
    cache.evict();
    assert.equal((await lookupURL('http://evil.example/x', { api, cache })).outcome, Outcome.UNKNOWN, 'forgotten after MAX_STALE_SECONDS');
});

test('the cache round-trips through JSON (service worker restarts)', async () => {
    const api = await fakeService([ [ 'evil.example/', 'l', 'scam_shop' ] ]);
    const c = clock();
    const cache = new PrefixCache({ now: c.now });
    await lookupURL('http://evil.example/', { api, cache });
    const restored = new PrefixCache({ now: c.now, entries: JSON.parse(JSON.stringify(cache)) });
    api.down = true;
    assert.equal((await lookupURL('http://evil.example/', { api, cache: restored })).outcome, Outcome.HIT);
});

test('non-http URLs are skipped without a request', async () => {
    const api = await fakeService([]);
    for ( const url of [ 'chrome://settings', 'about:blank', 'ftp://x.example/', '' ] ) {
        assert.equal((await lookupURL(url, { api, cache: new PrefixCache() })).outcome, Outcome.SKIPPED);
    }
    assert.equal(api.sent.length, 0);
});

test('parseDuration', () => {
    assert.equal(parseDuration('300s'), 300);
    assert.equal(parseDuration('300.000s'), 300);
    assert.equal(parseDuration('soon'), null);
    assert.equal(parseDuration(undefined), null);
});

test('a very long cacheDuration is capped at 24 h', async () => {
    const api = await fakeService([], { cacheDuration: '999999s' });
    const c = clock();
    const cache = new PrefixCache({ now: c.now });
    await lookupURL('http://a.example/', { api, cache });
    c.t += 24 * 3600 * 1000 + 1;
    await lookupURL('http://a.example/', { api, cache });
    assert.equal(api.sent.length, 2);
});

test('TTLCache expires entries and ignores ttl 0', () => {
    const c = clock();
    const cache = new TTLCache({ now: c.now, maxEntries: 2 });
    cache.set('a', 1, 10);
    cache.set('b', 2, 0);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('b'), undefined);
    c.t += 10_000;
    assert.equal(cache.get('a'), undefined);
    cache.set('x', 1, 10); cache.set('y', 2, 10); cache.set('z', 3, 10);
    assert.equal(cache.get('x'), undefined, 'oldest evicted beyond maxEntries');
});

test('an allowlist match from the service is never a hit', async () => {
    const api = await fakeService([ [ 'kaspi.kz/', 'official', 'allowlist' ] ]);
    const result = await lookupURL('https://kaspi.kz/', { api, cache: new PrefixCache() });
    assert.equal(result.outcome, Outcome.CLEAR);
});

test('a listed account matches from every URL form through its identity key (issue 12)', async () => {
    const api = await fakeService([ [ 'instagram.com/kaspi_shop_sale_kz', 'scam-accounts', 'scam' ],
        [ 'phone:+77010001122', 'scam-phones', 'scam' ] ]);
    for ( const url of [ 'https://www.instagram.com/Kaspi_Shop_Sale_KZ/reels/?igsh=abc',
        'http://instagr.am/kaspi_shop_sale_kz', 'https://m.instagram.com/stories/kaspi_shop_sale_kz/1/' ] ) {
        const result = await lookupURL(url, { api, cache: new PrefixCache({ now: clock().now }) });
        assert.equal(result.outcome, Outcome.HIT, url);
        assert.equal(result.matches[0].expression, 'instagram.com/kaspi_shop_sale_kz');
    }
    const phone = await lookupURL('https://api.whatsapp.com/send?phone=77010001122', { api, cache: new PrefixCache() });
    assert.equal(phone.outcome, Outcome.HIT);
    const other = await lookupURL('https://www.instagram.com/kaspi_shop_sale_kz_2/', { api, cache: new PrefixCache() });
    assert.equal(other.outcome, Outcome.CLEAR);
    assert.ok(JSON.stringify(api.sent).includes('kaspi') === false, 'prefixes only');
});
