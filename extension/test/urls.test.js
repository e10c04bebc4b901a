// Table tests for lib/urls.js over the shared Safe Browsing vectors and our extra cases
// (generated from the Python reference by make_extra_vectors.py).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { canonicalize, expressions, isIPHost, InvalidURL } from '../lib/urls.js';

function rows(name) {
    const text = readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8');
    return text.split('\n').slice(1).filter(line => line !== '').map(line => line.split('\t'));
}

const unescapeControls = s => s.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r');

for ( const [ input, expected ] of rows('canonicalization.tsv') ) {
    test(`canonicalize ${JSON.stringify(input)}`, () => {
        assert.equal(canonicalize(unescapeControls(input)), expected);
    });
}

for ( const [ url, expected ] of rows('expressions.tsv') ) {
    test(`expressions ${url}`, () => {
        assert.deepEqual(new Set(expressions(url)), new Set(expected.split(' ')));
    });
}

for ( const [ name, url, canonical, exprs ] of rows('extra.tsv') ) {
    test(`extra ${name}`, () => {
        const input = url.replace(/\\t/g, '\t');
        if ( canonical === '!error' ) {
            assert.throws(() => canonicalize(input), InvalidURL);
            return;
        }
        assert.equal(canonicalize(input), canonical);
        // Order matters too: the most specific expressions come first, as in Python.
        assert.deepEqual(expressions(input), exprs.split(' '));
    });
}

test('the worked example of the module comment', () => {
    assert.equal(canonicalize('HTTP://user:pw@Pay.Kaspi-KZ.top:8443/a/./b//c.html?id=1#top'),
        'http://pay.kaspi-kz.top/a/b/c.html?id=1');
    assert.equal(expressions('http://pay.kaspi-kz.top/a/b/c.html?id=1').length, 10);
});

test('at most 30 expressions', () => {
    assert.ok(expressions('http://a.b.c.d.e.f.g.h/1/2/3/4/5/6.html?x=1').length <= 30);
});

test('isIPHost', () => {
    assert.equal(isIPHost('195.127.0.11'), true);
    assert.equal(isIPHost('[::1]'), true);
    assert.equal(isIPHost('kaspi.kz'), false);
    assert.equal(isIPHost('1.2.3'), false);
});

test('a non-string is refused', () => {
    assert.throws(() => canonicalize(42), InvalidURL);
});
