// lib/indicators.js against the vectors shared with service/indicators.py (tests/fixtures/indicators.tsv),
// and the range lookup against a local answer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import {
    canonical, canonicalDetails, checkIndicators, hashHex, InvalidIndicator, isIndicator, parseRange, RangeCache,
    rangePrefix,
} from '../lib/indicators.js';

const vectors = readFileSync(new URL('../../tests/fixtures/indicators.tsv', import.meta.url), 'utf8')
    .split('\n').filter(line => line !== '' && line.startsWith('#') === false).map(line => line.split('\t'));

for ( const [ name, input, expected, digest ] of vectors ) {
    test(`canonical: ${name}`, async () => {
        if ( expected === '!error' ) {
            assert.throws(() => canonical(input), InvalidIndicator);
            return;
        }
        assert.equal(canonical(input), expected);
        assert.equal(canonical(expected), expected);
        assert.equal(await hashHex(expected), digest);
        assert.ok(isIndicator(input));
    });
}

test('page details become canonical indicators; bad numbers are dropped', () => {
    const got = canonicalDetails({ cards: [ '5100 0000 0000 0008', '1234 5678' ], phones: [ '8 (747) 000-11-22', '+7 747 000 11 22' ],
        ibans: [ 'kz86 125k zt50 0410 0100' ] });
    assert.deepEqual(got, [ 'card:5100000000000008', 'phone:+77470001122', 'iban:KZ86125KZT5004100100' ]);
    assert.deepEqual(canonicalDetails(undefined), []);
});

test('a range answer: own hash found with its reports, decoys and other ranges ignored', async () => {
    const listed = await hashHex('card:5100000000000008');
    const prefix = rangePrefix(listed);
    const decoy = prefix.toLowerCase() + 'f'.repeat(59);
    const other = 'fffff' + '0'.repeat(59);
    const text = `${decoy}:0\r\n${listed.toUpperCase()}:7\r\n${other}:3\r\nnot a line\n`;
    const hashes = parseRange(prefix, text);
    assert.equal(hashes.get(listed), 7);
    assert.equal(hashes.has(other), false);

    const asked = [];
    const fetchRange = async p => { asked.push(p); return text; };
    const cache = new RangeCache({ now: () => 0 });
    const results = await checkIndicators([ 'card:5100000000000008', 'card:4111111111111111' ], { fetchRange, cache });
    assert.deepEqual(results[0], { canonical: 'card:5100000000000008', listed: true, reports: 7 });
    assert.equal(results[1].listed, false);
    assert.ok(asked.every(p => /^[0-9A-F]{5}$/.test(p)));
    await checkIndicators([ 'card:5100000000000008' ], { fetchRange, cache });
    assert.equal(asked.filter(p => p === prefix).length, 1, 'a cached range is not asked again');
});

test('a range that cannot be fetched is unknown, never clear', async () => {
    const results = await checkIndicators([ 'phone:+77470001122' ], { fetchRange: async () => { throw new Error('down'); } });
    assert.deepEqual(results, [ { canonical: 'phone:+77470001122', unknown: true } ]);
});
