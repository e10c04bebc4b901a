/*******************************************************************************

    Abaila — the block page. It knows nothing of the lookup: the background
    packs {url, host, matches: [{list, category, expression}]} into
    location.hash, this page shows it and sends the user's choice back as one
    message (leave, continueOnce, alwaysAllow, report). The one message
    (headline, the list's reason in the user's language, the official address
    of an imitated brand, one piece of advice, the rest under "Why?") comes
    from the background (`warningDetails`), which asks the service.

    "Always allow" is a quiet secondary action behind a confirmation: on a
    listed scam it must not be an equal choice next to "Leave" (issue 15).

*/

import * as ext from './ext.js';
import { loadPageStrings } from './i18n.js';
import { fillMessage } from './message.js';
import { bold, parseDetails, wireReport } from './page.js';

async function main() {
    const i18n = await loadPageStrings();
    const details = parseDetails(location.hash, d => typeof d.url === 'string' && typeof d.host === 'string',
        { url: '', host: '', matches: [] });
    // An account, listing or page on a platform is named as such: the platform itself is not the scam (issue 12).
    document.querySelector('#host').append(...(details.identity
        ? i18n.nodes(document, 'warningLeadIdentity', { host: bold(details.host) })
        : [ bold(details.host) ]));
    document.querySelector('#address').textContent = details.url;

    const choose = what => ext.sendMessage({ what, url: details.url });
    document.querySelector('#leave').addEventListener('click', () => choose('leave'));
    document.querySelector('#continueOnce').addEventListener('click', () => choose('continueOnce'));
    document.addEventListener('keydown', event => {
        if ( event.key === 'Escape' ) { event.preventDefault(); choose('leave'); }
    });

    const confirm = document.querySelector('#confirmAllow');
    document.querySelector('#confirmText').append(...i18n.nodes(document, 'warningAlwaysAllowConfirm', { host: bold(details.host) }));
    document.querySelector('#alwaysAllow').addEventListener('click', () => {
        confirm.classList.remove('hidden');
        document.querySelector('#confirmAllowNo').focus();
    });
    document.querySelector('#confirmAllowNo').addEventListener('click', () => {
        confirm.classList.add('hidden');
        document.querySelector('#leave').focus();
    });
    document.querySelector('#confirmAllowYes').addEventListener('click', () => choose('alwaysAllow'));

    wireReport(document.querySelector('#report'), document.querySelector('#reportResult'), i18n,
        () => ext.sendMessage({ what: 'report', url: details.url, kind: 'wrong_warning' }));
    document.querySelector('#leave').focus();

    const answer = await ext.sendMessage({ what: 'warningDetails', url: details.url, matches: details.matches ?? [] }).catch(() => null);
    if ( answer?.message ) {
        fillMessage(document, answer.message, i18n, { onOfficial: domain => ext.sendMessage({ what: 'goOfficial', domain }) });
    }
    document.body.dataset.ready = 'true';
}

main();
