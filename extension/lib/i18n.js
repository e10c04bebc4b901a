/*******************************************************************************

    Abaila — strings from _locales/<lang>/messages.json, in the language the
    user chose (the browser's own i18n API only follows the browser's).

        const i18n = createI18n(messagesJSON);
        i18n.text('warningLead', { host: 'kaspi-kz.top' })   → 'kaspi-kz.top is on a list…'
        i18n.nodes(document, 'warningLead', { host: boldNode })  → [Text, <b>, Text]
        fillDOM(document, i18n)   // every [data-i18n] element gets its text

    Placeholders ({{host}}, {{domain}}, …) are inserted as DOM nodes, never
    through innerHTML. Pure: no browser extension API.

*/

export const LANGUAGES = Object.freeze([ 'kk', 'ru', 'en' ]);
export const DEFAULT_LANGUAGE = 'en';

/**
 * resolveLanguage returns the language to show: the user's choice, else the first of the browser's
 * preferred languages (navigator.languages, most wanted first) that we have, else English. The browser's
 * UI language is not asked: a Chromium without kk/ru interface files reports English even for a user
 * whose preferred languages say `ru` (issue 15).
 *
 *     resolveLanguage('auto', ['de-DE', 'ru-RU', 'en'])  → 'ru'
 */
export function resolveLanguage(setting, languages = []) {
    if ( LANGUAGES.includes(setting) ) { return setting; }
    const list = typeof languages === 'string' ? [ languages ] : Array.from(languages ?? []);
    for ( const tag of list ) {
        const base = String(tag).trim().toLowerCase().split(/[-_]/)[0];
        if ( LANGUAGES.includes(base) ) { return base; }
    }
    return DEFAULT_LANGUAGE;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** createI18n returns text lookups over one messages.json object (falling back to the key itself). */
export function createI18n(messages, fallback = {}) {
    const raw = key => messages[key]?.message ?? fallback[key]?.message ?? key;
    return {
        has: key => key in messages,
        text(key, values = {}) {
            return raw(key).replace(PLACEHOLDER, (whole, name) => name in values ? String(values[name]) : whole);
        },
        nodes(doc, key, values = {}) {
            const out = [];
            let last = 0;
            const message = raw(key);
            for ( const match of message.matchAll(PLACEHOLDER) ) {
                out.push(doc.createTextNode(message.slice(last, match.index)));
                const value = values[match[1]];
                out.push(typeof value === 'object' && value !== null ? value : doc.createTextNode(String(value ?? match[0])));
                last = match.index + match[0].length;
            }
            out.push(doc.createTextNode(message.slice(last)));
            return out;
        },
        // strings returns {key: text} for every key starting with one of the prefixes.
        strings(prefixes) {
            const keys = new Set([ ...Object.keys(fallback), ...Object.keys(messages) ]);
            return Object.fromEntries(Array.from(keys).filter(k => prefixes.some(p => k.startsWith(p))).map(k => [ k, raw(k) ]));
        },
    };
}

/** fillDOM sets the text of every [data-i18n] element under root, and the title of [data-i18n-title] ones. */
export function fillDOM(root, i18n) {
    for ( const el of root.querySelectorAll('[data-i18n]') ) {
        el.textContent = i18n.text(el.getAttribute('data-i18n'));
    }
    for ( const el of root.querySelectorAll('[data-i18n-title]') ) {
        el.setAttribute('title', i18n.text(el.getAttribute('data-i18n-title')));
    }
}
