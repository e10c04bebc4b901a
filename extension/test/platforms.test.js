// lib/platforms.js over the vectors Python passes too (tests/fixtures/platforms.tsv).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { parse } from '../lib/urls.js';
import { place, identify, phoneKey } from '../lib/platforms.js';

const text = readFileSync(new URL('../../tests/fixtures/platforms.tsv', import.meta.url), 'utf8');
const rows = text.split('\n').filter(line => line !== '' && !line.startsWith('#')).map(line => line.split('\t'));

for ( const [ name, url, where, platform, kind, key ] of rows ) {
    test(`platforms ${name}`, () => {
        const placement = place(parse(url));
        if ( where === 'none' ) {
            assert.equal(placement, null);
            return;
        }
        assert.notEqual(placement, null);
        assert.equal(placement.where, where);
        assert.equal(placement.platform.id, platform);
        if ( where === 'identity' ) {
            assert.deepEqual(placement.identity, { platform, kind, key });
            if ( !key.startsWith('phone:') ) {
                assert.deepEqual(identify(parse('https://' + key)), placement.identity);
            }
        } else {
            assert.equal(placement.identity, null);
        }
    });
}

test('phoneKey keeps to international numbers', () => {
    assert.equal(phoneKey('+7 701 000 11 22'), 'phone:+77010001122');
    assert.equal(phoneKey('0000000'), null);
    assert.equal(phoneKey('7701000112'), null);
});
