// lib/warning.js: one message per warning, no line twice, the strongest reason first.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { createI18n } from '../lib/i18n.js';
import { composeWarning, rankOf } from '../lib/warning.js';

const load = lang => JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`, import.meta.url), 'utf8'));
const en = createI18n(load('en'));
const text = (key, values) => en.text(key, values);

// What the service answers for kaspi-kz-pay.top with a card form (rank from service/verdicts.py).
const LOOKALIKE = [
    { code: 'lookalike.brand_keyword', weight: 45, rank: 90, evidence: { brand: 'Kaspi.kz', official: 'kaspi.kz', keyword: 'pay' },
        message: 'The address joins the Kaspi.kz name with the word "pay", a common scam trick. Official address: kaspi.kz' },
    { code: 'lexical.keyword', weight: 15, rank: 15, evidence: { keyword: 'pay' },
        message: 'The address contains the word "pay", typical of fake payment, delivery or login pages' },
    { code: 'context.asks_card', weight: 10, rank: 0, evidence: {}, message: 'This page asks for your card details' },
    { code: 'domain.lookup_failed', weight: 0, rank: 0, evidence: {}, message: "The domain's registration date could not be checked" },
    { code: 'lexical.keyword', weight: 15, rank: 15, evidence: { keyword: 'pay' },
        message: 'The address contains the word "pay", typical of fake payment, delivery or login pages' },
];
const ADVICE = [ 'Do not enter your card details on this site', 'Never share SMS codes with anyone' ];

test('the strongest reason is the sentence, without the address the button shows', () => {
    const m = composeWarning({ level: 'dangerous', reasons: LOOKALIKE, advice: ADVICE }, text);
    assert.equal(m.headline, 'Beware: possible scam!');
    assert.equal(m.sentence, 'The address joins the Kaspi.kz name with the word "pay", a common scam trick.');
    assert.equal(m.official, 'kaspi.kz');
    assert.equal(m.advice, 'Do not enter your card details on this site', 'one piece of advice, the first');
    assert.equal(m.tone, 'danger');
});

test('no line twice, and rank-0 reasons only under "Why?"', () => {
    const m = composeWarning({ level: 'dangerous', reasons: LOOKALIKE, advice: ADVICE }, text);
    const lines = [ m.headline, m.sentence, m.advice, ...m.why.map(w => w.text) ];
    assert.equal(new Set(lines).size, lines.length, lines.join('\n'));
    assert.deepEqual(m.why.map(w => w.code), [ 'lexical.keyword', 'context.asks_card', 'domain.lookup_failed' ]);
});

test('a reason another module adds takes its place by rank', () => {
    const reported = { code: 'payment.reported', rank: 95, message: 'This card was reported 3 times' };
    const m = composeWarning({ level: 'dangerous', reasons: [ ...LOOKALIKE, reported ], advice: ADVICE }, text);
    assert.equal(m.sentence, 'This card was reported 3 times');
    assert.equal(m.official, 'kaspi.kz', 'the official address still comes from the reasons');
    assert.ok(m.why.some(w => w.text.startsWith('The address joins the Kaspi.kz name')));
});

test('nothing ranked: the level says it; offline: the extension\'s own advice', () => {
    const m = composeWarning({ level: 'unreachable', reasons: [], advice: [] }, text);
    assert.equal(m.headline, 'Could not check this site');
    assert.match(m.sentence, /could not be reached/);
    assert.equal(m.advice, 'Do not pay in advance');
    assert.deepEqual(m.why, []);
    const u = composeWarning({ level: 'unverified', reasons: [ LOOKALIKE[3] ], advice: [] }, text);
    assert.equal(u.sentence, 'Abaila knows nothing about this site yet.');
    assert.equal(u.why.length, 1);
});

test('a list reason: its list, category and source (translated by the service) under "Why?"', () => {
    const reason = { code: 'list.scam', rank: 100, message: 'Сайт внесён в список «Abaila: мошеннические магазины»',
        evidence: { list: 'Abaila KZ scam shops and phishing', category: 'scam', source: 'Abaila moderators (…)' },
        labels: { list: 'Abaila: мошеннические магазины', category: 'мошеннический сайт', source: 'модераторы Abaila' } };
    const m = composeWarning({ level: 'blocked', reasons: [ reason ], advice: [] }, text);
    assert.equal(m.sentence, reason.message);
    assert.deepEqual(m.why.map(w => w.text), [ 'List: Abaila: мошеннические магазины · Category: мошеннический сайт · Source: модераторы Abaila' ]);
});

test('rank falls back to the weight for an older service', () => {
    assert.equal(rankOf({ weight: 45 }), 45);
    assert.equal(rankOf({ weight: 45, rank: 0 }), 0);
    assert.equal(rankOf({}), 0);
});

test('trusted: the level word is not repeated by its reason', () => {
    const reason = { code: 'allowlist.official', rank: 0, weight: 0, message: 'Verified site: an official address' };
    const m = composeWarning({ level: 'trusted', reasons: [ reason ], advice: [] }, text);
    assert.equal(m.headline, 'Verified site');
    assert.notEqual(m.sentence, reason.message);
});
