/*******************************************************************************

    Abaila — the toolbar popup: the current site's level (the same word and
    colour as the badge, the in-page box and the warning page: the background
    keeps the level it last showed for the tab), the one message, an undo of
    the user's override ("Stop allowing"), "Report this site" with a retry,
    and the rest under "Why?".

*/

import * as ext from './ext.js';
import { loadPageStrings } from './i18n.js';
import { fillMessage } from './message.js';
import { wireReport } from './page.js';

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
    document.querySelector('#verdictBox').dataset.level = state.level;
    verdict.dataset.level = state.level;
    document.querySelector('#sentence').classList.remove('hidden');
    fillMessage(document, state.message, i18n, {
        onOfficial: domain => ext.sendMessage({ what: 'goOfficial', tabId: state.tabId, domain }),
    });

    if ( state.override !== null ) {
        document.querySelector('#override').classList.remove('hidden');
        document.querySelector('#overrideText').textContent = i18n.text(state.override === 'always' ? 'popupAllowed' : 'popupAllowedOnce');
        document.querySelector('#stopAllowing').addEventListener('click', async () => {
            await ext.sendMessage({ what: 'stopAllowing', tabId: state.tabId, host: state.key });
            window.close();
        });
    }

    const report = document.querySelector('#report');
    const result = document.querySelector('#reportResult');
    const comment = document.querySelector('#comment');
    if ( state.identity ) {
        // An account, listing or page: the report is about it, never about the whole platform (issue 12).
        report.textContent = i18n.text('popupReportIdentity');
        document.body.dataset.identity = state.identity;
    }
    report.classList.remove('hidden');
    document.querySelector('#commentBox').classList.remove('hidden');
    wireReport(report, result, i18n,
        () => ext.sendMessage({ what: 'report', url: state.url, kind: 'scam', comment: comment.value }));
    document.body.dataset.ready = 'true';
}

main();
