/*******************************************************************************

    Abaila — the payment moment read off the live page (a classic content
    script, loaded after lib/pagereader.js and before content/payment.js).

    Publishes globalThis.abailaMoment.read() → { asksFor, page, details }:
    the page reader (lib/pagereader.js) run on what the shopper can see —
    the body's rendered text (innerText skips hidden elements) and the
    addresses of links, forms and frames. content/payment.js calls it on
    load and after every DOM change (an "order" click that reveals the
    transfer details is such a change), then sends only asksFor and page
    to the background. details stay in this page.

*/

(function() {
'use strict';

if ( globalThis.abailaMoment ) { return; }

const { readPage } = globalThis.abailaPageReader;

const MAX_LINKS = 400;  // the reader reads no more either

function addresses() {
    const out = [];
    const push = (href, text) => { if ( out.length < MAX_LINKS && href ) { out.push({ href, text }); } };
    for ( const a of document.links ) { push(a.href, (a.textContent ?? '').trim().slice(0, 80)); }
    // A real checkout is often a provider's form or frame, not a link.
    for ( const form of document.forms ) { push(form.action, ''); }
    for ( const frame of document.querySelectorAll('iframe[src]') ) { push(frame.src, ''); }
    return out;
}

/** read returns what the page asks for ({ asksFor, page, details }), read locally. */
function read() {
    const body = document.body;
    if ( body === null ) { return { asksFor: [], page: {}, details: { cards: [], phones: [], ibans: [] } }; }
    const result = readPage({ text: body.innerText ?? '', links: addresses() });
    return { asksFor: result.asks_for, page: result.page, details: result.details };
}

globalThis.abailaMoment = Object.freeze({ read });

})();
