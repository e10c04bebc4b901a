/*******************************************************************************

    Abaila — the "download stopped" page (issue 13). The background paused an
    app download (.apk / .exe …) from a site that is not verified and packed
    {id, file, host, level, message} into location.hash; `message` is issue
    15's one message (lib/warning.js composeWarning: the level's word, the
    strongest reason, the police line "never install unknown apps", the rest
    under "Why?"), drawn by message.js like the warning page's. The user's
    choice goes back as one message: downloadDecision with keep = false
    (cancel, the default; Escape) or true (resume).

*/

import * as ext from './ext.js';
import { loadPageStrings } from './i18n.js';
import { fillMessage } from './message.js';
import { bold, parseDetails } from './page.js';

function isMessage(message) {
    return message !== null && typeof message === 'object' && typeof message.headline === 'string'
        && typeof message.sentence === 'string' && Array.isArray(message.why);
}

async function main() {
    const i18n = await loadPageStrings();
    const details = parseDetails(location.hash, d => Number.isInteger(d.id) && typeof d.host === 'string',
        { id: -1, file: '', host: '', level: 'unreachable', message: null });
    document.querySelector('#lead').append(...i18n.nodes(document, 'downloadLead',
        { file: bold(details.file), host: bold(details.host || '?') }));
    const status = document.querySelector('#status');
    const buttons = [ document.querySelector('#cancel'), document.querySelector('#keep') ];
    const decide = async keep => {
        if ( buttons[0].disabled ) { return; }
        for ( const b of buttons ) { b.disabled = true; }
        const answer = await ext.sendMessage({ what: 'downloadDecision', id: details.id, keep }).catch(() => null);
        status.textContent = answer?.ok ? i18n.text(keep ? 'downloadKept' : 'downloadCancelled') : '';
        document.body.dataset.decided = keep ? 'kept' : 'cancelled';
    };
    // Without a message (an old background), the HTML's own strings stand: "not verified" and the police line.
    // The official address of an imitated brand is a way out too: the paused file is deleted first.
    if ( isMessage(details.message) ) {
        fillMessage(document, details.message, i18n, { onOfficial: async domain => {
            await decide(false);
            await ext.sendMessage({ what: 'goOfficial', domain });
        } });
    }
    buttons[0].addEventListener('click', () => decide(false));
    buttons[1].addEventListener('click', () => decide(true));
    document.addEventListener('keydown', event => {
        if ( event.key === 'Escape' ) { event.preventDefault(); decide(false); }
    });
    buttons[0].focus();
    document.body.dataset.ready = 'true';
}

main();
