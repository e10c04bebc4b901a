/*******************************************************************************

    Abaila — the user's settings, their defaults, and "is this site allowed".

        normalizeSettings({ serviceURL: ' http://abaila.example:8080/ ' })
          → { serviceURL: 'http://abaila.example:8080', apiKey: '', language: 'auto', allowedSites: [] }
        isAllowed('shop.example', ['shop.example'])   → true
        isAllowed('pay.shop.example', ['shop.example']) → true (a subdomain of an allowed site)

*/

import { normalizeServiceURL } from './api.js';

export const DEFAULTS = Object.freeze({
    serviceURL: 'http://127.0.0.1:8080',  // what `make run` / `abaila serve` listens on
    apiKey: '',                           // empty: anonymous (rate-limited per address)
    language: 'auto',                     // 'auto' follows the browser; else 'kk', 'ru' or 'en'
    allowedSites: [],                     // hostnames the user chose "Always allow" for
});

/** normalizeSettings returns complete, valid settings from what storage holds. */
export function normalizeSettings(stored = {}) {
    let serviceURL = DEFAULTS.serviceURL;
    try {
        if ( stored.serviceURL ) { serviceURL = normalizeServiceURL(stored.serviceURL); }
    } catch {
        // keep the default: a broken setting must not switch the protection off
    }
    const language = [ 'auto', 'kk', 'ru', 'en' ].includes(stored.language) ? stored.language : DEFAULTS.language;
    const allowedSites = Array.isArray(stored.allowedSites)
        ? Array.from(new Set(stored.allowedSites.filter(h => typeof h === 'string' && h !== '').map(h => h.toLowerCase())))
        : [];
    return { serviceURL, apiKey: typeof stored.apiKey === 'string' ? stored.apiKey.trim() : '', language, allowedSites };
}

/** isAllowed reports whether host is an allowed site or a subdomain of one. */
export function isAllowed(host, allowedSites) {
    host = String(host).toLowerCase();
    return allowedSites.some(site => host === site || host.endsWith('.' + site));
}
