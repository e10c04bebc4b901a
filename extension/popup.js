/*******************************************************************************

    Abaila — the toolbar popup: the current site's verdict (by hostname), its
    reasons and the police advice, and "Report this site".

*/

import * as ext from './ext.js';
import { loadPageStrings } from './i18n.js';

function list(selector, lines) {
    const ul = document.querySelector(selector);
    ul.replaceChildren(...lines.map(line => {
        const li = document.createElement('li');
        li.textContent = line;
        return li;
    }));
}

async function main() {
    const i18n = await loadPageStrings();
    document.querySelector('#settings').addEventListener('click', () => ext.openOptionsPage());
    const verdict = document.querySelector('#verdict');
    // `?tabId=N` names the tab to describe (used by the browser tests, which open this page in a tab);
    // the toolbar opens the popup without it, for the active tab.
    const tabId = Number.parseInt(new URLSearchParams(location.search).get('tabId') ?? '', 10);
    const request = Number.isInteger(tabId) ? { what: 'popupState', tabId } : { what: 'popupState' };
    const state = await ext.sendMessage(request).catch(() => null);
    if ( state === null || state.web === false ) {
        verdict.textContent = i18n.text('popupNotWeb');
        document.body.dataset.ready = 'true';
        return;
    }
    document.querySelector('#host').textContent = state.host;
    verdict.dataset.level = state.level;
    verdict.textContent = state.level === 'allowed' ? i18n.text('popupAllowed') : i18n.text(`popupVerdict_${state.level}`);
    list('#reasons', state.reasons);
    list('#advice', state.advice);
    const report = document.querySelector('#report');
    const comment = document.querySelector('#comment');
    if ( state.identity ) {
        // An account, listing or page: the report is about it, never about the whole platform.
        report.textContent = i18n.text('popupReportIdentity');
        document.body.dataset.identity = state.identity;
    }
    report.classList.remove('hidden');
    document.querySelector('#commentBox').classList.remove('hidden');
    report.addEventListener('click', async () => {
        report.disabled = true;
        const result = await ext.sendMessage({ what: 'report', url: state.url, kind: 'scam', comment: comment.value });
        document.querySelector('#reportResult').textContent = i18n.text(result?.ok ? 'popupReported' : 'popupReportFailed');
        if ( !result?.ok ) { report.disabled = false; }
    });
    document.body.dataset.ready = 'true';
}

main();
