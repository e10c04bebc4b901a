// _locales: the same keys in the same order in en, kk and ru, each with a description; Kazakh in Cyrillic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { badgeFor, shouldHoldSubmit, shouldWarnOnPayment } from '../lib/verdicts.js';
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

test('language: the choice, else the browser, else English', () => {
    assert.equal(resolveLanguage('kk', 'en-US'), 'kk');
    assert.equal(resolveLanguage('auto', 'ru-RU'), 'ru');
    assert.equal(resolveLanguage('auto', 'kk'), 'kk');
    assert.equal(resolveLanguage('auto', 'de'), 'en');
});
