// The service's catalog (service/data/messages.json) is the one source of the police advice and level
// words; the extension keeps copies in _locales only as its offline fallback. Issue 11 part 8: equal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { ADVICE_BY_LEVEL, adviceMessageKey } from '../lib/verdicts.js';

const catalog = JSON.parse(readFileSync(new URL('../../service/data/messages.json', import.meta.url), 'utf8'));
const load = lang => JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`, import.meta.url), 'utf8'));
const LANGS = [ 'kk', 'ru', 'en' ];

test('every police advice line equals the service catalog, in every language', () => {
    for ( const lang of LANGS ) {
        const messages = load(lang);
        for ( const [ key, texts ] of Object.entries(catalog.advice) ) {
            assert.equal(messages[adviceMessageKey(key)]?.message, texts[lang], `${lang}: advice ${key}`);
        }
        const copies = Object.keys(messages).filter(k => k.startsWith('advice_')).map(k => k.slice('advice_'.length));
        assert.deepEqual(copies, Object.keys(catalog.advice), `${lang}: the same advice keys in the same order`);
    }
});

test('the offline advice order per level equals the service catalog', () => {
    assert.deepEqual(ADVICE_BY_LEVEL, catalog.advice_by_level);
});

test('level words equal the service catalog titles', () => {
    for ( const lang of LANGS ) {
        const messages = load(lang);
        for ( const [ level, texts ] of Object.entries(catalog.titles) ) {
            assert.equal(messages[`level_${level}`]?.message, texts[lang], `${lang}: level_${level}`);
        }
    }
});

test('a reason naming the official address names it in its last sentence (the box cuts that for its button)', () => {
    for ( const lang of LANGS ) {
        for ( const [ code, texts ] of Object.entries(catalog.reasons) ) {
            if ( texts[lang].includes('{official}') === false ) { continue; }
            const parts = texts[lang].split(/(?<=[.!?])\s+/);
            assert.ok(parts.length > 1 && parts[parts.length - 1].includes('{official}'), `${lang}: ${code}`);
            assert.ok(parts.slice(0, -1).every(p => p.includes('{official}') === false), `${lang}: ${code} names it once`);
        }
    }
});
