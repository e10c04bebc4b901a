/*******************************************************************************

    Abaila — the block page. It knows nothing of the lookup: the background
    packs {url, host, matches: [{list, category, expression}]} into
    location.hash, this page shows it and sends the user's choice back as one
    message (leave, continueOnce, alwaysAllow, report). The official address
    of an imitated brand comes from the service's verdict for the hostname.

*/

import * as ext from './ext.js';
import { loadPageStrings } from './i18n.js';

function readDetails() {
    try {
        const details = JSON.parse(decodeURIComponent(location.hash.slice(1)));
        if ( typeof details.url === 'string' && typeof details.host === 'string' ) { return details; }
    } catch {
        // fall through
    }
    return { url: '', host: '', matches: [] };
}

function bold(text) {
    const b = document.createElement('b');
    b.textContent = text;
    return b;
}

function addReason(text) {
    const li = document.querySelector('#reasonTemplate').content.firstElementChild.cloneNode(true);
    li.textContent = text;
    document.querySelector('#reasons').append(li);
}

async function main() {
    const i18n = await loadPageStrings();
    const details = readDetails();
    // An account, listing or page on a platform is named as such: the platform itself is not the scam.
    const lead = details.identity ? 'warningLeadIdentity' : 'warningLead';
    document.querySelector('#lead').append(...i18n.nodes(document, lead, { host: bold(details.host) }));
    document.querySelector('#address').textContent = details.url;
    const seen = new Set();
    for ( const { list, category } of details.matches ?? [] ) {
        const key = `${list}|${category}`;
        if ( seen.has(key) ) { continue; }
        seen.add(key);
        const categoryKey = `warningCategory_${category}`;
        const label = i18n.has(categoryKey) ? i18n.text(categoryKey) : i18n.text('warningCategory_other');
        addReason(i18n.text('warningList', { list, category: label }));
    }

    const choose = what => ext.sendMessage({ what, url: details.url });
    document.querySelector('#leave').addEventListener('click', () => choose('leave'));
    document.querySelector('#continueOnce').addEventListener('click', () => choose('continueOnce'));
    document.querySelector('#alwaysAllow').addEventListener('click', () => choose('alwaysAllow'));
    const reportButton = document.querySelector('#report');
    reportButton.addEventListener('click', async () => {
        reportButton.disabled = true;
        const result = await ext.sendMessage({ what: 'report', url: details.url, kind: 'wrong_warning' });
        document.querySelector('#reportResult').textContent = i18n.text(result?.ok ? 'warningReported' : 'warningReportFailed');
        if ( !result?.ok ) { reportButton.disabled = false; }
    });
    document.querySelector('#leave').focus();

    // The service's own reasons (e.g. the official address of an imitated brand); optional.
    const more = await ext.sendMessage({ what: 'siteDetails', url: details.url }).catch(() => null);
    if ( more?.official ) {
        const official = document.querySelector('#official');
        official.append(...i18n.nodes(document, 'warningOfficial', { domain: bold(more.official) }));
        official.classList.remove('hidden');
    }
    for ( const reason of more?.reasons ?? [] ) {
        if ( seen.has(reason) === false ) { seen.add(reason); addReason(reason); }
    }
    document.body.dataset.ready = 'true';
}

main();
