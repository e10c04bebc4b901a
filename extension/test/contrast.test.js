// WCAG AA contrast of every text and button the extension draws, computed from its stylesheets
// (levels.css, common.css, popup.css, warning.css, content/box.css): each pair names the rule that sets
// the text colour and the rule that sets the background behind it; var(--…) resolves per tone.
// Run with ABAILA_PRINT_CONTRAST=1 to print the table (docs and /work notes quote it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const AA = 4.5;     // WCAG 2.x AA for normal-size text (1.4.3); buttons' labels are text too

/** rulesOf returns {selector: {property: value}} for a stylesheet (media blocks flattened; enough here). */
function rulesOf(cssText) {
    const rules = {};
    const text = cssText.replace(/\/\*[\s\S]*?\*\//g, '').replace(/@media[^{]*\{/g, '');
    for ( const [ , selectors, body ] of text.matchAll(/([^{}]+)\{([^{}]*)\}/g) ) {
        const decls = {};
        for ( const decl of body.split(';') ) {
            const i = decl.indexOf(':');
            if ( i > 0 ) { decls[decl.slice(0, i).trim()] = decl.slice(i + 1).trim(); }
        }
        for ( const selector of selectors.split(',').map(s => s.trim()) ) {
            rules[selector] = { ...(rules[selector] ?? {}), ...decls };
        }
    }
    return rules;
}

const read = path => rulesOf(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'));
const sheets = {
    levels: read('levels.css'), common: read('common.css'), popup: read('popup.css'),
    warning: read('warning.css'), box: read('content/box.css'),
};
const TONES = Object.keys(sheets.levels).map(s => /\[data-tone=(\w+)\]/.exec(s)?.[1]).filter(Boolean);

function value(sheet, selector, property, tone) {
    const rule = sheets[sheet][selector];
    assert.ok(rule, `${sheet}: no rule ${selector}`);
    let v = rule[property] ?? (property === 'background-color' ? rule.background : undefined);
    assert.ok(v, `${sheet} ${selector} has no ${property}`);
    v = v.replace('!important', '').trim();
    for ( let i = 0; i < 3 && v.startsWith('var('); i++ ) {
        const name = /var\((--[\w-]+)\)/.exec(v)[1];
        v = sheets.levels[`[data-tone=${tone}]`]?.[name] ?? sheets.common[':root']?.[name] ?? v;
    }
    const hex = /#[0-9a-fA-F]{6}\b/.exec(v)?.[0];
    assert.ok(hex, `${sheet} ${selector} ${property}: ${v} is not a #rrggbb colour`);
    return hex.toLowerCase();
}

function luminance(hex) {
    const channel = c => {
        const s = c / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    const n = Number.parseInt(hex.slice(1), 16);
    return 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** ratio returns the WCAG contrast ratio of two colours. */
export function ratio(a, b) {
    const [ hi, lo ] = [ luminance(a), luminance(b) ].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}

// [surface, what, [sheet, selector, property] of the text, [sheet, selector, property] of its background]
const PER_TONE = [
    [ 'box', 'headline', [ 'box', 'h1', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'box', 'primary exit', [ 'box', 'button.primary', 'color' ], [ 'box', 'button.primary', 'background' ] ],
    [ 'box', '"payment paused"', [ 'box', '.held', 'color' ], [ 'box', '.held', 'background' ] ],
    [ 'box', 'pill', [ 'box', '.pill', 'color' ], [ 'box', '.pill', 'background' ] ],
    [ 'banner', 'text', [ 'box', '.banner', 'color' ], [ 'box', '.banner', 'background' ] ],
    [ 'badge', 'text', [ 'levels', null, '--on-tone' ], [ 'levels', null, '--tone' ] ],
    [ 'popup', 'level word', [ 'popup', '.verdict .word', 'color' ], [ 'popup', '.verdict', 'background' ] ],
    [ 'popup', 'sentence', [ 'popup', '.verdict .sentence', 'color' ], [ 'popup', '.verdict', 'background' ] ],
    [ 'page', 'headline', [ 'warning', 'h1', 'color' ], [ 'warning', 'body', 'background' ] ],
    [ 'page', 'text', [ 'common', 'body', 'color' ], [ 'warning', 'body', 'background' ] ],
    [ 'page', 'muted text', [ 'common', '.muted', 'color' ], [ 'warning', 'body', 'background' ] ],
    [ 'page', 'Why? details', [ 'warning', '.why .detail', 'color' ], [ 'warning', 'body', 'background' ] ],
    [ 'page', 'quiet button', [ 'common', 'button.quiet', 'color' ], [ 'warning', 'body', 'background' ] ],
    [ 'page', 'failed report', [ 'warning', '.status.failed', 'color' ], [ 'warning', 'body', 'background' ] ],
    [ 'page', 'primary exit', [ 'common', 'button.primary', 'color' ], [ 'common', 'button.primary', 'background' ] ],
    [ 'page', 'sign', [ 'warning', '.sign', 'color' ], [ 'warning', '.sign', 'background' ] ],
];
const FIXED = [
    [ 'box', 'text', [ 'box', '.box', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'box', 'site name', [ 'box', '.site', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'box', 'Why?', [ 'box', '.why summary', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'box', 'Why? details', [ 'box', '.why .detail', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'box', 'button', [ 'box', 'button', 'color' ], [ 'box', 'button', 'background' ] ],
    [ 'box', 'disabled button', [ 'box', 'button:disabled', 'color' ], [ 'box', 'button', 'background' ] ],
    [ 'box', 'Go to <official>', [ 'box', 'button.go', 'color' ], [ 'box', 'button.go', 'background' ] ],
    [ 'box', 'quiet button', [ 'box', 'button.quiet', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'box', 'minimise', [ 'box', 'button.minimise', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'box', 'failed report', [ 'box', '.status', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'box', 'brand', [ 'box', '.brand', 'color' ], [ 'box', '.box', 'background' ] ],
    [ 'banner', 'button', [ 'box', '.banner button', 'color' ], [ 'box', '.banner button', 'background' ] ],
    [ 'pages', 'text', [ 'common', 'body', 'color' ], [ 'common', 'body', 'background' ] ],
    [ 'pages', 'muted', [ 'common', '.muted', 'color' ], [ 'common', 'body', 'background' ] ],
    [ 'pages', 'button', [ 'common', 'button', 'color' ], [ 'common', 'button', 'background' ] ],
    [ 'pages', 'disabled button', [ 'common', 'button:disabled', 'color' ], [ 'common', 'button', 'background' ] ],
    [ 'pages', 'Go to <official>', [ 'common', 'button.go', 'color' ], [ 'common', 'button.go', 'background' ] ],
    [ 'pages', 'quiet button', [ 'common', 'button.quiet', 'color' ], [ 'common', 'body', 'background' ] ],
    [ 'popup', 'failed report', [ 'popup', '.status.failed', 'color' ], [ 'common', 'body', 'background' ] ],
    [ 'popup', 'Why? details', [ 'popup', '.why .detail', 'color' ], [ 'common', 'body', 'background' ] ],
    [ 'page', 'address', [ 'warning', 'code', 'color' ], [ 'warning', 'code', 'background' ] ],
];

function resolve([ sheet, selector, property ], tone) {
    if ( selector === null ) { return value(sheet, `[data-tone=${tone}]`, property, tone); }
    return value(sheet, selector, property, tone);
}

export function measure() {
    const rows = [];
    for ( const tone of TONES ) {
        for ( const [ surface, what, fg, bg ] of PER_TONE ) {
            const [ a, b ] = [ resolve(fg, tone), resolve(bg, tone) ];
            rows.push({ surface, what, tone, fg: a, bg: b, ratio: ratio(a, b) });
        }
    }
    for ( const [ surface, what, fg, bg ] of FIXED ) {
        const [ a, b ] = [ resolve(fg, 'neutral'), resolve(bg, 'neutral') ];
        rows.push({ surface, what, tone: '-', fg: a, bg: b, ratio: ratio(a, b) });
    }
    return rows;
}

test('the ratio formula agrees with known values', () => {
    assert.equal(ratio('#000000', '#ffffff').toFixed(1), '21.0');
    assert.equal(ratio('#777777', '#ffffff').toFixed(2), '4.48');
});

test('every text and button meets WCAG AA (4.5:1) in every tone', () => {
    const rows = measure();
    if ( process.env.ABAILA_PRINT_CONTRAST ) {
        console.log('| surface | text | tone | colour | background | ratio |\n|---|---|---|---|---|---|');
        for ( const r of rows ) { console.log(`| ${r.surface} | ${r.what} | ${r.tone} | ${r.fg} | ${r.bg} | ${r.ratio.toFixed(2)} |`); }
    }
    const failing = rows.filter(r => r.ratio < AA).map(r => `${r.surface} ${r.what} (${r.tone}): ${r.fg} on ${r.bg} = ${r.ratio.toFixed(2)}`);
    assert.deepEqual(failing, []);
    assert.ok(rows.length >= 6 * PER_TONE.length);
});

test('red, orange, amber and grey stay recognisable: hue of each tone fill', () => {
    const hue = hex => {
        const [ r, g, b ] = [ 1, 3, 5 ].map(i => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
        const max = Math.max(r, g, b), min = Math.min(r, g, b);
        if ( max === min ) { return null; }    // grey
        const d = max - min;
        const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
        return (h * 60 + 360) % 360;
    };
    const fill = tone => value('levels', `[data-tone=${tone}]`, '--tone', tone);
    assert.ok(hue(fill('danger')) < 10, 'red');
    assert.ok(hue(fill('warning')) >= 20 && hue(fill('warning')) < 35, 'orange');
    assert.ok(hue(fill('caution')) >= 35 && hue(fill('caution')) < 50, 'amber');
    const grey = fill('unknown');
    assert.ok(hue(grey) === null, 'grey');
});
