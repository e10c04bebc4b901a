/*******************************************************************************

    Abaila — strings for the extension's own pages (warning, popup, options),
    in the language chosen in the options: asks the background for them, fills
    every [data-i18n] element and sets <html lang>.

*/

import * as ext from './ext.js';
import { createI18n, fillDOM } from './lib/i18n.js';

/** loadPageStrings returns the page's i18n after filling the document with it. */
export async function loadPageStrings() {
    let answer = null;
    try {
        answer = await ext.sendMessage({ what: 'strings' });
    } catch {
        // The background could not answer: fall back to English below.
    }
    const english = await ext.readExtensionJSON('_locales/en/messages.json');
    const i18n = createI18n(answer?.messages ?? english, english);
    document.documentElement.lang = answer?.lang ?? 'en';
    fillDOM(document, i18n);
    return i18n;
}
