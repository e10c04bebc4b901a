/*******************************************************************************

    Abaila — what the extension's own pages (warning, download, popup) share
    besides the one message (message.js): the details the background packed
    into location.hash, a bold run for an i18n placeholder, and the report
    button that says whether the report went and turns into "Try again".

        const details = parseDetails(location.hash, d => typeof d.host === 'string', { host: '' });
        wireReport(button, result, i18n, () => ext.sendMessage({ what: 'report', url, kind }));

*/

/** parseDetails returns the JSON object in hash ("#…", URI-encoded) when isValid accepts it, else fallback. */
export function parseDetails(hash, isValid, fallback) {
    try {
        const details = JSON.parse(decodeURIComponent(hash.slice(1)));
        if ( details !== null && typeof details === 'object' && isValid(details) ) { return details; }
    } catch {
        // A hand-typed or cut-off address: the page shows the fallback.
    }
    return fallback;
}

/** bold returns a <b> holding text, for an i18n placeholder (inserted as a node, never as HTML). */
export function bold(text) {
    const b = document.createElement('b');
    b.textContent = text;
    return b;
}

/** wireReport makes button send the report (`send` returns the background's answer) and say in result
    whether it went; a failed one leaves the button enabled as "Try again". */
export function wireReport(button, result, i18n, send) {
    button.addEventListener('click', async () => {
        button.disabled = true;
        result.textContent = '';
        const answer = await send().catch(() => null);
        if ( answer?.ok ) {
            result.textContent = i18n.text('reportSent');
            result.classList.remove('failed');
        } else {
            result.textContent = i18n.text('reportFailed');
            result.classList.add('failed');
            button.textContent = i18n.text('reportRetry');
            button.disabled = false;
        }
    });
}
