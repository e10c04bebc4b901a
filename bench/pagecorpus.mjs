// The page corpus (tests/fixtures/pages/{train,eval}/*.txt) read by the page reader.
//
// Each file: "key: value" header lines (lang, kind, pattern, host, age_days, expect, link: <href> <text>),
// a line "---", then the page's visible text. `node bench/pagecorpus.mjs` prints one JSON object per page
// ({file, split, meta, asks_for, page}) for bench/bench_pages.py; the raw details are not printed.

import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

await import('../extension/lib/pagereader.js');
const { readPage } = globalThis.abailaPageReader;

export const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'fixtures', 'pages');

/** parsePage returns { meta, text, links } of one corpus file's contents. */
export function parsePage(source) {
    const at = source.indexOf('\n---\n');
    if ( at < 0 ) { throw new Error('no --- line'); }
    const meta = { links: [] };
    for ( const line of source.slice(0, at).split('\n') ) {
        const m = /^([a-z_]+):\s*(.*)$/.exec(line);
        if ( m === null ) { throw new Error(`bad header line: ${line}`); }
        if ( m[1] === 'link' ) {
            const [ href, ...words ] = m[2].split(' ');
            meta.links.push({ href, text: words.join(' ') });
        } else {
            meta[m[1]] = m[2].trim();
        }
    }
    meta.expect = (meta.expect ?? '').split(/\s+/).filter(Boolean);
    return { meta, text: source.slice(at + 5), links: meta.links };
}

/** loadCorpus returns the pages of one split ('train' or 'eval'), each with its file name. */
export function loadCorpus(split) {
    const dir = join(CORPUS, split);
    return readdirSync(dir).filter(f => f.endsWith('.txt')).sort().map(file => ({
        file, split, ...parsePage(readFileSync(join(dir, file), 'utf8')),
    }));
}

if ( process.argv[1] === fileURLToPath(import.meta.url) ) {
    for ( const split of [ 'train', 'eval' ] ) {
        for ( const { file, meta, text, links } of loadCorpus(split) ) {
            const { asks_for, page } = readPage({ text, links });
            const started = performance.now();
            for ( let i = 0; i < 20; i++ ) { readPage({ text, links }); }
            const ms = (performance.now() - started) / 20;
            const { links: _links, ...rest } = meta;
            process.stdout.write(JSON.stringify({ file, split, meta: rest, asks_for, page, ms }) + '\n');
        }
    }
}
