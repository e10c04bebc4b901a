// page.js: the hash details of the warning and download pages, and the report button's retry.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parseDetails, wireReport } from '../page.js';

const isWarning = d => typeof d.url === 'string' && typeof d.host === 'string';
const FALLBACK = { url: '', host: '', matches: [] };
const hashOf = value => '#' + encodeURIComponent(JSON.stringify(value));

test('the details the background packed into the hash come back as sent', () => {
    const sent = { url: 'https://kaspi-kz.top/pay', host: 'kaspi-kz.top', matches: [ { list: 'test-scam' } ] };
    assert.deepEqual(parseDetails(hashOf(sent), isWarning, FALLBACK), sent);
});

test('a cut-off, hand-typed or wrong-shaped hash gives the fallback', () => {
    for ( const hash of [ '', '#', '#%7B%22url', '#not json', hashOf(null), hashOf(7), hashOf({ url: 1, host: 'x' }) ] ) {
        assert.equal(parseDetails(hash, isWarning, FALLBACK), FALLBACK, hash);
    }
});

class FakeElement extends EventTarget {
    disabled = false;
    textContent = '';
    classes = new Set();
    classList = { add: c => this.classes.add(c), remove: c => this.classes.delete(c) };
}

const i18n = { text: key => `<${key}>` };

function press(answers) {
    const button = new FakeElement();
    const result = new FakeElement();
    const sent = [];
    wireReport(button, result, i18n, () => {
        sent.push(sent.length);
        const answer = answers[sent.length - 1];
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    });
    return { button, result, sent, click: async () => {
        button.dispatchEvent(new Event('click'));
        assert.equal(button.disabled, true, 'pressed once, the button waits for the answer');
        await new Promise(resolve => setTimeout(resolve, 0));
    } };
}

test('a report that went says so and the button stays pressed', async () => {
    const { button, result, sent, click } = press([ { ok: true } ]);
    await click();
    assert.deepEqual(sent, [ 0 ]);
    assert.equal(result.textContent, '<reportSent>');
    assert.equal(button.disabled, true);
    assert.equal(result.classes.has('failed'), false);
});

test('a report that failed says so and offers a retry, which can then go', async () => {
    const { button, result, sent, click } = press([ new Error('background asleep'), { ok: false }, { ok: true } ]);
    await click();
    assert.equal(result.textContent, '<reportFailed>');
    assert.equal(result.classes.has('failed'), true);
    assert.equal(button.textContent, '<reportRetry>');
    assert.equal(button.disabled, false);
    await click();
    assert.equal(result.textContent, '<reportFailed>');
    await click();
    assert.deepEqual(sent, [ 0, 1, 2 ]);
    assert.equal(result.textContent, '<reportSent>');
    assert.equal(result.classes.has('failed'), false);
});
