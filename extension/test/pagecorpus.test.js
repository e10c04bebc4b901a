// The page reader over the development part of the corpus (tests/fixtures/pages/train): each page's codes
// are exactly the ones its header expects. The eval part is kept for bench/bench_pages.py only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../../bench/pagecorpus.mjs';

await import('../lib/pagereader.js');
const { readPage } = globalThis.abailaPageReader;

const pages = loadCorpus('train');

test('the corpus has scam and honest pages in kk, ru and en', () => {
    for ( const lang of [ 'kk', 'ru', 'en' ] ) {
        assert.ok(pages.some(p => p.meta.lang === lang && p.meta.kind === 'scam'), `${lang} scam`);
        assert.ok(pages.some(p => p.meta.lang === lang && p.meta.kind === 'honest'), `${lang} honest`);
    }
});

for ( const { file, meta, text, links } of pages ) {
    test(file, () => {
        const { asks_for } = readPage({ text, links });
        // A bank's own help page may read like a demand; the service's allowlist answers it (bench_pages.py).
        if ( meta.pattern === 'bank_help' ) { return; }
        assert.deepEqual([ ...asks_for ].sort(), [ ...meta.expect ].sort());
    });
}
