// lib/verdicts.js: one level → word / colour mapping, read from levels.css for the badge.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { DEFAULT_TONES, Level, adviceKeys, badgeFor, isDangerous, lookOf, parseTones } from '../lib/verdicts.js';

const css = readFileSync(new URL('../levels.css', import.meta.url), 'utf8');

test('levels.css defines every tone the mapping uses, equal to the built-in defaults', () => {
    const tones = parseTones(css);
    for ( const level of Object.values(Level) ) {
        const { tone } = lookOf(level);
        assert.ok(new RegExp(`\\[data-tone=${tone}\\]`).test(css), `levels.css lacks ${tone}`);
        assert.deepEqual(tones[tone], DEFAULT_TONES[tone], tone);
    }
});

test('one level, one look: the badge uses the tone of the page colours', () => {
    const tones = parseTones(css);
    assert.deepEqual(badgeFor('dangerous', tones), { text: '!', color: '#c62828', textColor: '#ffffff' });
    assert.deepEqual(badgeFor('blocked', tones), badgeFor('dangerous', tones));
    assert.equal(badgeFor('suspicious', tones).color, '#ef6c00');
    assert.equal(badgeFor('unverified', tones).text, '?');
    assert.equal(lookOf('suspicious').word, 'level_suspicious');
    assert.equal(lookOf('something new').level, 'unverified', 'an unknown level reads as unverified, never safe');
});

test('red, orange, amber and grey stay distinct', () => {
    const fills = [ 'danger', 'warning', 'caution', 'unknown' ].map(t => parseTones(css)[t].tone);
    assert.equal(new Set(fills).size, 4);
});

test('Escape leaves only where the level is dangerous', () => {
    assert.equal(isDangerous('blocked'), true);
    assert.equal(isDangerous('dangerous'), true);
    assert.equal(isDangerous('unverified'), false);
    assert.equal(isDangerous('unreachable'), false);
});

test('the fitting advice comes first', () => {
    assert.equal(adviceKeys('dangerous', [ 'card' ])[0], 'no_card');
    assert.equal(adviceKeys('dangerous', [ 'card', 'sms_code' ])[0], 'no_sms_code');
    assert.equal(adviceKeys('unverified')[0], 'no_prepay');
    assert.equal(adviceKeys('unreachable')[0], 'no_prepay');
    assert.deepEqual(adviceKeys('trusted'), []);
});
