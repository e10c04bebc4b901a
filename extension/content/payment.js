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
       answer — draw a warning inside a closed shadow root, so the page's CSS
       cannot hide or restyle it. Its host element carries
       data-abaila-warning="<level>" ('unreachable' when nothing could be verified).
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
// The warning

const STYLE = `
:host { all: initial; }
.box { position: fixed; z-index: 2147483647; top: 16px; right: 16px; width: min(420px, calc(100vw - 32px));
  max-height: calc(100vh - 32px); overflow: auto; box-sizing: border-box; padding: 18px 20px;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1b1b;
  background: #fff; border-radius: 10px; border-top: 6px solid var(--accent);
  box-shadow: 0 8px 32px rgba(0,0,0,.35); text-align: left; direction: ltr; }
.box[data-level=blocked], .box[data-level=dangerous] { --accent: #c62828; }
.box[data-level=suspicious] { --accent: #ef6c00; }
.box[data-level=unverified] { --accent: #f9a825; }
.box[data-level=unreachable] { --accent: #616161; }
h1 { margin: 0 0 6px; font-size: 19px; font-weight: 700; color: var(--accent); }
p { margin: 6px 0; }
ul { margin: 8px 0; padding-left: 20px; }
li { margin: 3px 0; }
.held { padding: 8px 10px; background: #fdecea; border-radius: 6px; font-weight: 600; }
.buttons { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; }
button { font: inherit; font-size: 14px; padding: 8px 14px; border-radius: 6px; border: 1px solid #888;
  background: #fff; color: #1b1b1b; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
.brand { font-size: 12px; color: #666; margin-top: 10px; }
`;

function element(tag, attrs = {}, children = []) {
    const el = document.createElement(tag);
    for ( const [ k, v ] of Object.entries(attrs) ) { el.setAttribute(k, v); }
    for ( const child of children ) { el.append(child); }
    return el;
}

function withBold(template, placeholder, value) {
    // Placeholders become DOM nodes, never HTML.
    const out = [];
    const [ before, after ] = template.split(`{{${placeholder}}}`);
    out.push(before);
    if ( after !== undefined ) {
        out.push(element('b', {}, [ value ]), after);
    }
    return out;
}

function showWarning(answer, { held = false, onContinue = null } = {}) {
    const s = answer.strings;
    removeWarning();
    const host = element('abaila-warning', { 'data-abaila-warning': answer.level });
    // Inline !important beats any page stylesheet rule on the host element.
    host.style.cssText = 'all: initial !important; display: block !important; position: fixed !important;'
        + ' z-index: 2147483647 !important; top: 0 !important; left: 0 !important; width: 0 !important;'
        + ' height: 0 !important; visibility: visible !important; opacity: 1 !important;';
    const root = host.attachShadow({ mode: 'closed' });
    const box = element('div', { class: 'box', role: 'alertdialog', 'aria-live': 'assertive', 'data-level': answer.level, lang: answer.lang });
    box.append(element('h1', {}, [ s[`paymentTitle_${answer.level}`] ?? s.paymentTitle_unverified ]));
    box.append(element('p', {}, withBold(s.paymentLead, 'host', answer.host)));
    if ( held ) { box.append(element('p', { class: 'held' }, [ s.paymentHeld ])); }
    for ( const reason of answer.reasons ) { box.append(element('p', {}, [ reason ])); }
    if ( answer.official ) {
        box.append(element('p', { class: 'official' }, withBold(s.paymentOfficial ?? '{{domain}}', 'domain', answer.official)));
    }
    box.append(element('ul', {}, answer.advice.map(line => element('li', {}, [ line ]))));

    const leave = element('button', { class: 'primary', 'data-action': 'leave' }, [ s.paymentLeave ]);
    leave.addEventListener('click', () => runtime.sendMessage({ what: 'leave', url: location.href }));
    const proceed = element('button', { 'data-action': 'continue' }, [ s.paymentContinue ]);
    proceed.addEventListener('click', () => {
        removeWarning();
        if ( onContinue ) { onContinue(); }
    });
    const report = element('button', { 'data-action': 'report' }, [ s.paymentReport ]);
    report.addEventListener('click', async () => {
        report.disabled = true;
        const result = await runtime.sendMessage({ what: 'report', kind: 'scam' });
        if ( result?.ok ) { report.textContent = s.paymentReported; }
    });
    box.append(element('div', { class: 'buttons' }, [ leave, proceed, report ]));
    box.append(element('div', { class: 'brand' }, [ 'Abaila' ]));
    root.append(element('style', {}, [ STYLE ]), box);
    if ( state.momentAt !== null ) {
        // Milliseconds from navigation start to this warning: read by tests/browser (never asserted).
        host.setAttribute('data-abaila-ms', String(Math.round(performance.now())));
        host.setAttribute('data-abaila-read-ms', String(Math.round(state.momentAt)));
    }
    document.documentElement.append(host);
    state.host = host;
    leave.focus({ preventScroll: true });
}

function removeWarning() {
    state.host?.remove();
    state.host = null;
}

/******************************************************************************/
// Asking the background

async function ask(step) {
    const key = `${step.asksFor.join(',')}|${step.payButton}`;
    if ( key === state.asked ) { return state.pending; }
    state.asked = key;
    state.pending = (async () => {
        let answer;
        try {
            // Codes, booleans and counts only: the page's text and numbers stay here.
            answer = await runtime.sendMessage({ what: 'checkPayment', asksFor: step.asksFor, payButton: step.payButton,
                page: step.page ?? null });
        } catch {
            answer = null;
        }
        if ( answer === null || answer === undefined || answer.error ) {
            // The background itself failed: still never silent about a payment step.
            answer = { show: true, hold: false, level: 'unreachable', host: location.hostname, reasons: [], advice: [],
                strings: answer?.strings ?? FALLBACK_STRINGS };
        }
        state.answer = answer;
        if ( answer.show && state.confirmed === false ) { showWarning(answer); }
        return answer;
    })();
    return state.pending;
}

const FALLBACK_STRINGS = {
    paymentTitle_unreachable: 'This site could not be verified',
    paymentLead: 'You are about to pay on {{host}}.',
    paymentHeld: 'Payment paused.',
    paymentLeave: 'Leave this site',
    paymentContinue: 'I understand, continue',
    paymentReport: 'Report this site',
    paymentReported: 'Thank you.',
};

function scan() {
    const fields = paymentFields().map(describe);
    const step = detectPaymentStep(fields, buttonTexts());
    const moment = globalThis.abailaMoment?.read() ?? { asksFor: [], page: {} };
    if ( moment.asksFor.length !== 0 ) {
        if ( state.momentAt === null ) { state.momentAt = performance.now(); }
        ask({ ...step, payment: true, asksFor: [ ...step.asksFor, ...moment.asksFor ], page: moment.page });
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
    if ( mutations.every(m => m.target === state.host) ) { return; }
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

})();
