/*******************************************************************************

    Abaila — the payment moment. Runs in every top-level page (a classic
    content script: lib/payment.js is loaded before it and publishes
    globalThis.abailaPayment).

    1. Notice a payment step: card / CVV / expiry / one-time-code fields or a
       pay button, or a page that demands a transfer, a messenger-only order
       or a "refund" (content/moment.js, issue 13) — now or when the page
       changes later (MutationObserver: the details an "order" click reveals).
    2. Ask the background, which checks the HOSTNAME ONLY with the service.
    3. For dangerous, suspicious, unverified — or when the service could not
       answer — draw the one message (lib/warning.js, composed by the
       background) inside a closed shadow root, so the page's CSS cannot hide
       or restyle it: a labelled alertdialog with the exits always in view,
       Escape = Leave (dangerous) or Close (unverified), minimisable to a pill.
       Its host element carries data-abaila-warning="<level>" ('unreachable'
       when nothing could be verified).
    5. After "Continue once" on a listed site, a slim banner on every page of
       that site in this tab (data-abaila-banner).
    4. On dangerous (or blocked) hold the first submit of the payment form
       until the user confirms.

*/

(function() {
'use strict';

if ( window.top !== window || globalThis.abailaPaymentStarted ) { return; }
globalThis.abailaPaymentStarted = true;

const runtime = (globalThis.browser ?? globalThis.chrome).runtime;
const { detectPaymentStep, classifyField } = globalThis.abailaPayment;

const RESCAN_DELAY_MS = 300;    // coalesce DOM mutations before looking again

const state = {
    asked: '',          // what we last asked the background about ("card,cvv|button")
    answer: null,       // the background's answer: { show, hold, level, ... }
    pending: null,      // promise of the answer in flight
    confirmed: false,   // the user confirmed a held payment
    host: null,         // the warning's host element
    banner: null,       // the "you chose to continue" banner's host element
    momentAt: null,     // performance.now() when the page first asked for a transfer (for the timing bench)
};

/******************************************************************************/
// Reading the page

function isVisible(el) {
    if ( el.disabled ) { return false; }
    const rects = el.getClientRects();
    if ( rects.length === 0 ) { return false; }
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
}

function labelText(el) {
    const parts = [];
    for ( const label of el.labels ?? [] ) { parts.push(label.textContent); }
    const labelledBy = el.getAttribute('aria-labelledby');
    if ( labelledBy ) {
        for ( const id of labelledBy.split(/\s+/) ) { parts.push(document.getElementById(id)?.textContent ?? ''); }
    }
    return parts.join(' ').trim().slice(0, 200);
}

function describe(el) {
    return {
        type: el.getAttribute('type') ?? '',
        autocomplete: el.getAttribute('autocomplete') ?? '',
        name: el.getAttribute('name') ?? '',
        id: el.id ?? '',
        label: labelText(el),
        placeholder: el.getAttribute('placeholder') ?? '',
        ariaLabel: el.getAttribute('aria-label') ?? '',
    };
}

function buttonTexts() {
    const texts = [];
    for ( const el of document.querySelectorAll('button, input[type=submit], [role=button]') ) {
        if ( el === state.host || isVisible(el) === false ) { continue; }
        texts.push((el.value || el.textContent || '').trim());
    }
    return texts;
}

function paymentFields() {
    return Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(el => isVisible(el) && classifyField(describe(el)) !== null);
}

/******************************************************************************/
// The warning: one message (lib/warning.js, composed by the background), drawn here

// Shown only if the background could not answer at all (its own strings are then unknown too).
const FALLBACK = {
    css: '.box{position:fixed;z-index:2147483647;top:16px;right:16px;max-width:420px;padding:16px;background:#fff;'
        + 'color:#1b1b1b;font:15px/1.45 system-ui,sans-serif;border-top:6px solid #616161;box-shadow:0 8px 32px rgba(0,0,0,.35)}'
        + 'button{font:inherit;margin:8px 8px 0 0;padding:8px 14px}.hidden{display:none}',
    strings: {
        paymentHeld: 'Payment paused.',
        paymentLeave: 'Leave this site',
        paymentContinue: 'I understand, continue',
        paymentClose: 'Close',
        paymentMinimise: 'Minimise',
        paymentRestore: 'Show the Abaila warning',
        reportScam: 'Report this site',
        reportSent: 'Thank you.',
        reportFailed: 'The report could not be sent.',
        reportRetry: 'Try again',
        whyTitle: 'Why?',
    },
    message: { level: 'unreachable', tone: 'unknown', headline: 'Could not check this site',
        sentence: 'The Abaila service could not be reached, so nothing is known about this site.', official: '',
        advice: 'Do not pay in advance', why: [] },
};

function element(tag, attrs = {}, children = []) {
    const el = document.createElement(tag);
    for ( const [ k, v ] of Object.entries(attrs) ) { el.setAttribute(k, v); }
    for ( const child of children ) { el.append(child); }
    return el;
}

function fillTemplate(template, values) {
    return String(template ?? '').replace(/\{\{(\w+)\}\}/g, (whole, name) => name in values ? String(values[name]) : whole);
}

/** shadowHost returns a fresh host element whose inline !important styles beat any page stylesheet rule. */
function shadowHost(tag, attrs) {
    const host = element(tag, attrs);
    host.style.cssText = 'all: initial !important; display: block !important; position: fixed !important;'
        + ' z-index: 2147483647 !important; top: 0 !important; left: 0 !important; width: 0 !important;'
        + ' height: 0 !important; visibility: visible !important; opacity: 1 !important;';
    return host;
}

function reportButton(s, kind, onDone) {
    const button = element('button', { class: 'quiet', 'data-action': 'report' }, [ s.reportScam ]);
    const status = element('p', { class: 'status', role: 'status' });
    button.addEventListener('click', async () => {
        button.disabled = true;
        status.textContent = '';
        let result = null;
        try {
            result = await runtime.sendMessage({ what: 'report', kind });
        } catch {
            // the background is gone: a failure like any other
        }
        if ( result?.ok ) {
            button.textContent = s.reportSent;
        } else {
            // Say so, and offer to send it again (issue 15: a report must not fail silently).
            status.textContent = s.reportFailed;
            button.textContent = s.reportRetry;
            button.disabled = false;
        }
        onDone?.(result);
    });
    return [ button, status ];
}

function showWarning(answer, { held = false, onContinue = null } = {}) {
    const s = { ...FALLBACK.strings, ...answer.strings };
    const m = answer.message ?? FALLBACK.message;
    removeWarning();
    const host = shadowHost('abaila-warning', { 'data-abaila-warning': answer.level });
    const root = host.attachShadow({ mode: 'closed' });
    const box = element('div', { class: 'box', role: 'alertdialog', 'aria-modal': 'false', 'aria-labelledby': 'abaila-headline',
        'aria-describedby': 'abaila-sentence', tabindex: '-1', 'data-level': answer.level, 'data-tone': m.tone, lang: answer.lang ?? 'en' });

    // Headline and the site's name; minimise makes it a pill (the page stays usable on a desktop).
    const minimise = element('button', { class: 'minimise', 'data-action': 'minimise', 'aria-label': s.paymentMinimise, title: s.paymentMinimise }, [ '–' ]);
    box.append(element('div', { class: 'head' }, [
        element('div', { class: 'titles' }, [
            element('h1', { id: 'abaila-headline' }, [ m.headline ]),
            element('p', { class: 'site' }, [ answer.host ?? location.hostname ]),
        ]),
        minimise,
    ]));

    // The one message: the strongest reason, the official address, one piece of advice; the rest under "Why?".
    const body = element('div', { class: 'body' });
    if ( held ) { body.append(element('p', { class: 'held' }, [ s.paymentHeld ])); }
    body.append(element('p', { id: 'abaila-sentence', class: 'sentence' }, [ m.sentence ]));
    if ( m.official ) {
        const go = element('button', { class: 'go', 'data-action': 'official' }, [ fillTemplate(s.goOfficial, { domain: m.official }) ]);
        go.addEventListener('click', () => runtime.sendMessage({ what: 'goOfficial', domain: m.official }));
        body.append(go);
    }
    if ( m.advice ) { body.append(element('p', { class: 'advice' }, [ m.advice ])); }
    if ( m.why.length !== 0 ) {
        body.append(element('details', { class: 'why' }, [
            element('summary', {}, [ s.whyTitle ]),
            element('ul', {}, m.why.map(line => element('li', { 'data-code': line.code }, line.detail
                ? [ line.text, element('span', { class: 'detail' }, [ line.detail ]) ]
                : [ line.text ]))),
        ]));
    }
    box.append(body);

    // The exits: never scrolled away.
    const dangerous = answer.escape === 'leave';
    const leave = element('button', { class: 'primary', 'data-action': 'leave' }, [ s.paymentLeave ]);
    leave.addEventListener('click', () => runtime.sendMessage({ what: 'leave', url: location.href }));
    const close = () => {
        removeWarning();
        if ( onContinue ) { onContinue(); }
    };
    const proceed = element('button', { 'data-action': 'continue' }, [ dangerous ? s.paymentContinue : s.paymentClose ]);
    proceed.addEventListener('click', close);
    const [ report, status ] = reportButton(s, 'scam');
    box.append(element('div', { class: 'exits' }, [ leave, proceed, report, status ]));

    // Escape: "Leave" on a dangerous site, "Close" on an unverified one.
    box.addEventListener('keydown', event => {
        if ( event.key !== 'Escape' ) { return; }
        event.preventDefault();
        event.stopPropagation();
        if ( dangerous ) { leave.click(); } else { close(); }
    });

    const pill = element('button', { class: 'pill hidden', 'data-action': 'restore', 'data-tone': m.tone, 'aria-label': s.paymentRestore, lang: answer.lang ?? 'en' },
        [ element('span', { 'aria-hidden': 'true' }, [ '!' ]), m.headline ]);
    minimise.addEventListener('click', () => {
        box.classList.add('hidden');
        pill.classList.remove('hidden');
        host.dataset.minimised = 'true';
        pill.focus({ preventScroll: true });
    });
    pill.addEventListener('click', () => {
        pill.classList.add('hidden');
        box.classList.remove('hidden');
        delete host.dataset.minimised;
        leave.focus({ preventScroll: true });
    });

    root.append(element('style', {}, [ answer.css || FALLBACK.css ]), box, pill);
    if ( state.momentAt !== null ) {
        // Milliseconds from navigation start to this warning: read by tests/browser (never asserted).
        host.setAttribute('data-abaila-ms', String(Math.round(performance.now())));
        host.setAttribute('data-abaila-read-ms', String(Math.round(state.momentAt)));
    }
    document.documentElement.append(host);
    state.host = host;
    // The dialog takes the focus on its first exit, so Enter/Escape answer it at once.
    leave.focus({ preventScroll: true });
}

function removeWarning() {
    state.host?.remove();
    state.host = null;
}

/******************************************************************************/
// The slim banner after "Continue once" on a listed site (for this tab's session)

async function showBannerIfContinued() {
    let notice = null;
    try {
        notice = await runtime.sendMessage({ what: 'pageNotice' });
    } catch {
        return;
    }
    if ( !notice?.banner ) { return; }
    const host = shadowHost('abaila-banner', { 'data-abaila-banner': 'continued' });
    const root = host.attachShadow({ mode: 'closed' });
    const leave = element('button', { 'data-action': 'leave' }, [ notice.banner.leave ]);
    leave.addEventListener('click', () => runtime.sendMessage({ what: 'leave', url: location.href }));
    const bar = element('div', { class: 'banner', role: 'status', 'data-tone': notice.banner.tone, lang: notice.lang ?? 'en' },
        [ element('span', {}, [ notice.banner.text ]), leave ]);
    root.append(element('style', {}, [ notice.css ?? '' ]), bar);
    document.documentElement.append(host);
    state.banner = host;
}

/******************************************************************************/
// Asking the background

async function ask(step) {
    const details = step.details ?? null;
    const key = `${step.asksFor.join(',')}|${step.payButton}|${JSON.stringify(details)}`;
    if ( key === state.asked ) { return state.pending; }
    state.asked = key;
    state.pending = (async () => {
        let answer;
        try {
            // Codes, booleans and counts go to the service; the numbers found go to the background only,
            // which hashes them and sends no more than a 5-hex range prefix (lib/indicators.js).
            answer = await runtime.sendMessage({ what: 'checkPayment', asksFor: step.asksFor, payButton: step.payButton,
                page: step.page ?? null, details });
        } catch {
            answer = null;
        }
        if ( answer === null || answer === undefined || answer.error ) {
            // The background itself failed: still never silent about a payment step.
            answer = { show: true, hold: false, level: 'unreachable', escape: 'close', host: location.hostname };
        }
        state.answer = answer;
        if ( answer.show && state.confirmed === false ) { showWarning(answer); }
        return answer;
    })();
    return state.pending;
}

function scan() {
    const fields = paymentFields().map(describe);
    const step = detectPaymentStep(fields, buttonTexts());
    const moment = globalThis.abailaMoment?.read() ?? { asksFor: [], page: {} };
    if ( moment.asksFor.length !== 0 ) {
        if ( state.momentAt === null ) { state.momentAt = performance.now(); }
        ask({ ...step, payment: true, asksFor: [ ...step.asksFor, ...moment.asksFor ], page: moment.page,
            details: moment.details });
    } else if ( step.payment ) {
        ask(step);
    }
}

let scanTimer;
function scanSoon() {
    clearTimeout(scanTimer);
    scanTimer = setTimeout(scan, RESCAN_DELAY_MS);
}

/******************************************************************************/
// Holding the first payment submit on a dangerous site

function isPaymentForm(form) {
    return Array.from(form.elements).some(el => classifyField(describe(el)) !== null);
}

document.addEventListener('submit', event => {
    const form = event.target;
    if ( state.confirmed || !(form instanceof HTMLFormElement) || isPaymentForm(form) === false ) { return; }
    if ( state.answer !== null && state.answer.hold !== true ) { return; }
    // Dangerous, or not answered yet: stop this submit, decide, and replay it if allowed.
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter ?? null;
    const replay = () => {
        state.confirmed = true;
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    };
    const pending = state.pending ?? ask(detectPaymentStep(Array.from(form.elements).map(describe), []));
    pending.then(answer => {
        if ( answer?.hold ) {
            showWarning(answer, { held: true, onContinue: replay });
        } else {
            replay();
        }
    });
}, true);

/******************************************************************************/

new MutationObserver(mutations => {
    // Ignore our own warning; put it back if the page removed it.
    if ( mutations.every(m => m.target === state.host || m.target === state.banner) ) { return; }
    if ( state.host !== null && state.host.isConnected === false && state.confirmed === false ) {
        document.documentElement.append(state.host);
    }
    scanSoon();
}).observe(document.documentElement, { childList: true, subtree: true, attributes: true,
    attributeFilter: [ 'style', 'class', 'hidden', 'type', 'autocomplete' ] });

if ( document.readyState === 'loading' ) {
    document.addEventListener('DOMContentLoaded', scan, { once: true });
} else {
    scan();
}
showBannerIfContinued();

})();
