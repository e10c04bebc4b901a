/*******************************************************************************

    Abaila — the "download stopped" page (issue 13). The background paused an
    app download (.apk / .exe …) from a site that is not verified and packed
    {id, file, host, level, reasons} into location.hash; this page shows it
    and sends the user's choice back as one message: downloadDecision with
    keep = false (cancel, the default) or true (resume).

*/

import * as ext from './ext.js';
import { loadPageStrings } from './i18n.js';

function readDetails() {
    try {
        const details = JSON.parse(decodeURIComponent(location.hash.slice(1)));
        if ( Number.isInteger(details.id) && typeof details.host === 'string' ) { return details; }
    } catch {
        // fall through
    }
    return { id: -1, file: '', host: '', level: 'unreachable', reasons: [] };
}

function bold(text) {
    const b = document.createElement('b');
    b.textContent = text;
    return b;
}

async function main() {
    const i18n = await loadPageStrings();
    const details = readDetails();
    document.querySelector('#lead').append(...i18n.nodes(document, 'downloadLead',
        { file: bold(details.file), host: bold(details.host || '?') }));
    const reasons = document.querySelector('#reasons');
    for ( const text of [ i18n.text('downloadNotVerified'), ...(details.reasons ?? []) ] ) {
        const li = document.createElement('li');
        li.textContent = text;
        reasons.append(li);
    }
    const status = document.querySelector('#status');
    const buttons = [ document.querySelector('#cancel'), document.querySelector('#keep') ];
    const decide = async keep => {
        for ( const b of buttons ) { b.disabled = true; }
        const answer = await ext.sendMessage({ what: 'downloadDecision', id: details.id, keep }).catch(() => null);
        status.textContent = answer?.ok ? i18n.text(keep ? 'downloadKept' : 'downloadCancelled') : '';
        document.body.dataset.decided = keep ? 'kept' : 'cancelled';
    };
    buttons[0].addEventListener('click', () => decide(false));
    buttons[1].addEventListener('click', () => decide(true));
    buttons[0].focus();
    document.body.dataset.ready = 'true';
}

main();
