// _locales: the same keys in the same order in en, kk and ru, each with a description; Kazakh in Cyrillic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Level, badgeFor, lookOf, shouldHoldSubmit, shouldWarnOnPayment } from '../lib/verdicts.js';
import { resolveLanguage } from '../lib/i18n.js';

const load = lang => JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`, import.meta.url), 'utf8'));
const en = load('en');

for ( const lang of [ 'kk', 'ru' ] ) {
    test(`${lang} has the keys of en in the same order`, () => {
        assert.deepEqual(Object.keys(load(lang)), Object.keys(en));
    });
}

test('every message has a description and a text', () => {
    for ( const lang of [ 'en', 'kk', 'ru' ] ) {
        for ( const [ key, value ] of Object.entries(load(lang)) ) {
            assert.ok(value.message && value.description, `${lang}.${key}`);
        }
    }
});

test('Kazakh words are written in Cyrillic, not with Latin look-alikes', () => {
    for ( const [ key, { message } ] of Object.entries(load('kk')) ) {
        // A word mixing Cyrillic and Latin letters is a typo (Latin i/a/e/o in a Kazakh word).
        for ( const word of message.split(/[^\p{L}]+/u) ) {
            const mixed = /\p{Script=Cyrillic}/u.test(word) && /\p{Script=Latin}/u.test(word);
            assert.equal(mixed, false, `${key}: ${word}`);
        }
    }
});

test('manifest __MSG_ names exist', () => {
    const manifest = readFileSync(new URL('../manifest.json', import.meta.url), 'utf8');
    for ( const [ , name ] of manifest.matchAll(/__MSG_(\w+)__/g) ) { assert.ok(name in en, name); }
});

test('levels: who warns, who holds, badges', () => {
    assert.equal(shouldWarnOnPayment('unreachable'), true);
    assert.equal(shouldWarnOnPayment('no_known_risk'), false);
    assert.equal(shouldWarnOnPayment('trusted'), false);
    assert.equal(shouldHoldSubmit('dangerous'), true);
    assert.equal(shouldHoldSubmit('unverified'), false);
    assert.equal(badgeFor('unreachable').text, '?');
    assert.equal(badgeFor('no_known_risk').text, '');
});

test('every level has its word in every language', () => {
    for ( const lang of [ 'en', 'kk', 'ru' ] ) {
        const messages = load(lang);
        for ( const level of Object.values(Level) ) {
            assert.ok(lookOf(level).word in messages, `${lang}: ${lookOf(level).word}`);
            assert.ok(`sentence_${level}` in messages, `${lang}: sentence_${level}`);
        }
    }
});

// The language vectors: (setting, navigator.languages) → the language shown.
const LANGUAGE_VECTORS = [
    [ 'the choice wins', 'kk', [ 'en-US' ], 'kk' ],
    [ 'auto: first preferred we have', 'auto', [ 'ru-RU', 'ru', 'en' ], 'ru' ],
    [ 'auto: a region is ignored', 'auto', [ 'kk-KZ' ], 'kk' ],
    [ 'auto: skips what we lack', 'auto', [ 'de-DE', 'uk', 'ru' ], 'ru' ],
    [ 'auto: order counts', 'auto', [ 'en-GB', 'ru' ], 'en' ],
    [ 'auto: kk before ru', 'auto', [ 'kk', 'ru-RU' ], 'kk' ],
    [ 'auto: nothing we have', 'auto', [ 'de', 'fr-FR' ], 'en' ],
    [ 'auto: empty list', 'auto', [], 'en' ],
    [ 'auto: underscore tag', 'auto', [ 'ru_RU' ], 'ru' ],
    [ 'auto: upper case', 'auto', [ 'RU' ], 'ru' ],
    [ 'unknown setting is auto', 'de', [ 'ru' ], 'ru' ],
    [ 'a single tag string', 'auto', 'kk', 'kk' ],
];

for ( const [ name, setting, languages, expected ] of LANGUAGE_VECTORS ) {
    test(`language: ${name}`, () => {
        assert.equal(resolveLanguage(setting, languages), expected);
    });
}
