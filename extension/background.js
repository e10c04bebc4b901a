/*******************************************************************************

    Abaila — the background (a service worker in Chromium, an event page in
    Firefox). It may be stopped at any moment and woken by any event, so every
    listener is registered at top level, synchronously, and waits on `ready`.

        navigation ──► lookup.js (prefixes only) ──hit──► warning.html#{details}
        content/payment.js ──checkPayment──► POST /v1/check (hostname only) ──► in-page warning
        warning / popup / options pages ──one message switch on `what`──► here

    The only state kept between events lives in storage: the settings
    (storage.local), the prefix cache, "continue once" passes and each tab's
    recent safe pages (storage.session).

*/

import * as ext from './ext.js';
import { createClient, ServiceError } from './lib/api.js';
import { lookupURL, Outcome, PrefixCache } from './lib/lookup.js';
import { TTLCache } from './lib/ttlcache.js';
import { normalizeSettings, isAllowed } from './lib/settings.js';
import { createI18n, resolveLanguage } from './lib/i18n.js';
import { Level, adviceKeys, badgeFor, isKnownLevel, shouldHoldSubmit, shouldWarnOnPayment } from './lib/verdicts.js';
import { parse } from './lib/urls.js';
import { downloadKind, shouldStopDownload } from './lib/downloads.js';
import { identify, PHONE_PREFIX } from './lib/platforms.js';

const CACHE_SAVE_DELAY_MS = 1000;   // coalesce prefix-cache writes to storage.session
const SAFE_HISTORY = 5;             // recent pages per tab that "Leave this site" can go back to

const state = {
    settings: normalizeSettings(),
    client: null,
    lang: 'en',
    i18n: createI18n({}),
    messages: {},
    prefixCache: new PrefixCache(),
    verdicts: new TTLCache({ maxEntries: 500 }),    // `${host}|${lang}|${asks}` → Verdict JSON
    onceAllowed: {},    // tabId → [host]: "Continue once" passes, for this tab only
    safePages: {},      // tabId → [{url, host}], newest last
};

/******************************************************************************/
// Start-up: read the settings, strings and caches.

async function initialize() {
    const stored = await ext.localRead([ 'serviceURL', 'apiKey', 'language', 'allowedSites' ]);
    state.settings = normalizeSettings(stored);
    state.client = createClient({ serviceURL: state.settings.serviceURL, apiKey: state.settings.apiKey });
    state.lang = resolveLanguage(state.settings.language, ext.uiLanguage());
    const [ messages, english ] = await Promise.all([
        ext.readExtensionJSON(`_locales/${state.lang}/messages.json`),
        ext.readExtensionJSON('_locales/en/messages.json'),
    ]);
    state.messages = messages;
    state.i18n = createI18n(messages, english);
    state.verdicts.clear();
    const session = await ext.sessionRead([ 'prefixCache', 'onceAllowed', 'safePages', 'serviceURLOfCache' ]);
    // A cache answered by another service says nothing about this one.
    if ( session.serviceURLOfCache === state.settings.serviceURL ) {
        state.prefixCache = new PrefixCache({ entries: session.prefixCache ?? {} });
    } else {
        state.prefixCache = new PrefixCache();
    }
    state.onceAllowed = session.onceAllowed ?? {};
    state.safePages = session.safePages ?? {};
}

let ready = initialize();

let saveTimer;
function saveCacheSoon() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
        ext.sessionWrite({ prefixCache: state.prefixCache.toJSON(), serviceURLOfCache: state.settings.serviceURL });
    }, CACHE_SAVE_DELAY_MS);
}

function saveSession() {
    return ext.sessionWrite({ onceAllowed: state.onceAllowed, safePages: state.safePages });
}

/******************************************************************************/
// Sites

/**
 * siteOf returns what a page is judged as: its host, or the account, listing
 * or page it shows on a platform (issue 12). `key` is what the user allows
 * and what is reported; `checkURL` is all the service may see: the scheme
 * and hostname, or the identity's public address (never the page's own path
 * or query), or null for a phone number, which never leaves the browser
 * except in a report the user sends.
 */
function siteOf(url) {
    try {
        const parsed = parse(url);
        if ( parsed.scheme !== 'http' && parsed.scheme !== 'https' ) { return null; }
        const origin = `${parsed.scheme}://${parsed.host}/`;
        const identity = identify(parsed);
        if ( identity === null ) {
            return { host: parsed.host, origin, identity: null, key: parsed.host, label: parsed.host, checkURL: origin };
        }
        const phone = identity.key.startsWith(PHONE_PREFIX);
        const number = identity.key.slice(PHONE_PREFIX.length);
        return {
            host: parsed.host, origin, identity, key: identity.key,
            label: phone ? number : identity.key.replace(/\/$/, ''),
            checkURL: phone ? null : `https://${identity.key}`,
            reportURL: phone ? `https://wa.me/${number.replace(/^\+/, '')}` : `https://${identity.key}`,
        };
    } catch {
        return null;
    }
}

function isServiceHost(host) {
    const service = siteOf(state.settings.serviceURL);
    return service !== null && service.host === host;
}

// key: a host, or an identity key (then only that identity is allowed, never its whole platform).
function isAllowedHere(tabId, key) {
    return isAllowed(key, state.settings.allowedSites) || (state.onceAllowed[tabId] ?? []).includes(key);
}

function rememberSafePage(tabId, url, host) {
    const pages = (state.safePages[tabId] ?? []).filter(p => p.url !== url);
    pages.push({ url, host });
    state.safePages[tabId] = pages.slice(-SAFE_HISTORY);
    saveSession();
}

async function showBadge(tabId, level) {
    const badge = badgeFor(level);
    const key = `popupVerdict_${level}`;
    const title = state.i18n.has(key) ? `Abaila: ${state.i18n.text(key)}` : state.i18n.text('actionTitle');
    await ext.setBadge(tabId, { ...badge, title });
}

/******************************************************************************/
// Known scams on navigation

function warningPageURL(url, site, matches) {
    const details = { url, host: site.label, identity: site.identity?.kind ?? null,
        matches: matches.map(({ list, category, expression }) => ({ list, category, expression })) };
    return ext.extensionURL('warning.html') + '#' + encodeURIComponent(JSON.stringify(details));
}

async function checkNavigation(tabId, url) {
    const site = siteOf(url);
    if ( site === null || isServiceHost(site.host) ) { return; }
    if ( isAllowedHere(tabId, site.key) ) {
        rememberSafePage(tabId, url, site.host);
        await showBadge(tabId, Level.ALLOWED);
        return;
    }
    const result = await lookupURL(url, { api: state.client, cache: state.prefixCache });
    saveCacheSoon();
    if ( result.outcome === Outcome.HIT ) {
        await ext.tabs.update(tabId, { url: warningPageURL(url, site, result.matches) });
        await showBadge(tabId, Level.BLOCKED);
        return;
    }
    rememberSafePage(tabId, url, site.host);
    // An account is never "no known risk" for its platform's sake: nobody verified it (the popup asks the
    // service, which may know it as an allowlisted official account).
    const clear = site.identity !== null ? Level.UNVERIFIED : Level.NO_KNOWN_RISK;
    await showBadge(tabId, result.outcome === Outcome.UNKNOWN ? Level.UNREACHABLE : clear);
}

/******************************************************************************/
// Verdicts by hostname (payment step, popup, warning page)

async function verdictFor(site, context) {
    if ( site.checkURL === null ) {
        // A phone number (wa.me, t.me/+7…) is not sent to the service: say what it is, locally.
        return { verdict: Level.UNVERIFIED, reasons: [ { code: 'identity.phone', message: state.i18n.text('popupIdentityPhone') } ] };
    }
    const asks = context ? context.asks_for.join(',') : '-';
    const key = `${site.checkURL}|${state.lang}|${asks}`;
    const cached = state.verdicts.get(key);
    if ( cached !== undefined ) { return cached; }
    try {
        const verdict = await state.client.check(site.checkURL, context, state.lang);
        state.verdicts.set(key, verdict, Number(verdict.ttl) || 60);
        return verdict;
    } catch (error) {
        if ( error instanceof ServiceError ) { return null; }   // not cached: try again next time
        throw error;
    }
}

function levelOf(verdict) {
    if ( verdict === null ) { return Level.UNREACHABLE; }
    return isKnownLevel(verdict.verdict) ? verdict.verdict : Level.UNVERIFIED;
}

function adviceFor(level, verdict) {
    const fromService = Array.isArray(verdict?.advice) ? verdict.advice.filter(a => typeof a === 'string') : [];
    return fromService.length !== 0 ? fromService : adviceKeys(level).map(k => state.i18n.text(k));
}

function reasonsOf(verdict) {
    return Array.isArray(verdict?.reasons) ? verdict.reasons.map(r => String(r.message ?? '')).filter(m => m !== '') : [];
}

function officialOf(verdict) {
    for ( const reason of Array.isArray(verdict?.reasons) ? verdict.reasons : [] ) {
        for ( const [ key, value ] of Object.entries(reason.evidence ?? {}) ) {
            if ( /official/.test(key) && typeof value === 'string' ) { return value; }
        }
    }
    return '';
}

// What the content script may tell the service (PageContext.ASKS): a card form's fields, then the payment
// moment the page reader saw (issue 13). Anything else is dropped here.
const FORM_ASKS = [ 'card', 'cvv', 'expiry', 'sms_code' ];
const MOMENT_ASKS = [ 'prepayment', 'transfer_card', 'transfer_phone', 'transfer_iban', 'private_recipient',
    'pay_manager', 'send_receipt', 'messenger_only', 'refund_pattern', 'app_download' ];
const PAGE_MAX = 1000;  // largest count sent in context.page

/** pageContext returns the page reader's booleans and counts, and nothing else. */
function pageContext(page) {
    const out = {};
    if ( page === null || typeof page !== 'object' ) { return out; }
    for ( const [ name, value ] of Object.entries(page).slice(0, 30) ) {
        if ( /^[a-z_]{1,30}$/.test(name) === false ) { continue; }
        if ( typeof value === 'boolean' ) { out[name] = value; }
        if ( Number.isInteger(value) && value >= 0 ) { out[name] = Math.min(value, PAGE_MAX); }
    }
    return out;
}

async function checkPayment(sender, { asksFor = [], payButton = false, page = null }) {
    const tabId = sender.tab?.id;
    const site = siteOf(sender.tab?.url ?? sender.url ?? '');
    if ( site === null || tabId === undefined ) { return { show: false }; }
    if ( isAllowedHere(tabId, site.key) ) {
        await showBadge(tabId, Level.ALLOWED);
        return { show: false, level: Level.ALLOWED };
    }
    const asks = Array.from(new Set(asksFor.filter(a => FORM_ASKS.includes(a) || MOMENT_ASKS.includes(a))));
    const context = { payment_form: asks.some(a => FORM_ASKS.includes(a)) || payButton, asks_for: asks };
    const moment = asks.some(a => MOMENT_ASKS.includes(a));
    if ( moment ) { context.page = pageContext(page); }
    const verdict = await verdictFor(site, context);
    const level = levelOf(verdict);
    await showBadge(tabId, level);
    if ( shouldWarnOnPayment(level) === false ) { return { show: false, level }; }
    return {
        show: true,
        hold: shouldHoldSubmit(level),
        level,
        host: site.label,
        reasons: level === Level.UNREACHABLE ? [ state.i18n.text('paymentUnreachable') ] : reasonsOf(verdict),
        advice: adviceFor(level, verdict),
        official: officialOf(verdict),
        lang: state.lang,
        strings: state.i18n.strings([ 'payment' ]),
    };
}

/******************************************************************************/
// App installs (issue 13): an .apk / .exe from a site that is not verified is paused before it completes

function downloadPageURL(details) {
    return ext.extensionURL('download.html') + '#' + encodeURIComponent(JSON.stringify(details));
}

async function checkDownload(item) {
    const kind = downloadKind(item);
    if ( kind === null || item.state === 'complete' ) { return; }
    // Pause first, decide after: the service may take a moment and the file must not finish meanwhile.
    await ext.downloads.pause(item.id).catch(() => {});
    // The site that offered the file (the page it was clicked on), else the file's own host.
    const site = siteOf(item.referrer ?? '') ?? siteOf(item.finalUrl ?? item.url ?? '');
    let level = Level.UNREACHABLE;
    let verdict = null;
    if ( site !== null && isAllowed(site.key, state.settings.allowedSites) ) {
        level = Level.ALLOWED;
    } else if ( site !== null ) {
        verdict = await verdictFor(site, { payment_form: false, asks_for: [ 'app_download' ] });
        level = levelOf(verdict);
    }
    if ( shouldStopDownload(level) === false ) {
        await ext.downloads.resume(item.id).catch(() => {});
        return;
    }
    const file = String(item.filename || item.finalUrl || item.url || '').split(/[/\\]/).pop().split(/[?#]/)[0];
    await ext.tabs.create({ url: downloadPageURL({ id: item.id, file, kind, host: site?.host ?? '', level,
        reasons: reasonsOf(verdict) }) });
}

async function decideDownload(id, keep) {
    if ( Number.isInteger(id) === false ) { return { ok: false }; }
    try {
        if ( keep ) { await ext.downloads.resume(id); } else { await ext.downloads.cancel(id); }
        return { ok: true };
    } catch (error) {
        return { ok: false, error: String(error?.message ?? error) };
    }
}

/******************************************************************************/
// Choices from the pages

async function leave(tabId, blockedHost) {
    const back = (state.safePages[tabId] ?? []).filter(p => p.host !== blockedHost).pop();
    if ( back !== undefined ) {
        await ext.tabs.update(tabId, { url: back.url });
    } else {
        await ext.tabs.remove(tabId);
    }
}

async function continueOnce(tabId, url) {
    const site = siteOf(url);
    if ( site === null ) { return; }
    state.onceAllowed[tabId] = Array.from(new Set([ ...(state.onceAllowed[tabId] ?? []), site.key ]));
    await saveSession();
    await ext.tabs.update(tabId, { url });
}

async function alwaysAllow(tabId, url) {
    const site = siteOf(url);
    if ( site === null ) { return; }
    const allowedSites = Array.from(new Set([ ...state.settings.allowedSites, site.key ]));
    state.settings = { ...state.settings, allowedSites };
    await ext.localWrite({ allowedSites });
    if ( tabId !== undefined ) { await ext.tabs.update(tabId, { url }); }
}

async function report(url, kind, comment) {
    const site = siteOf(url);
    if ( site === null ) { return { ok: false }; }
    try {
        // The report names the site, or the account / listing / page it shows, not the page itself: the
        // path may hold the user's own data.
        const text = typeof comment === 'string' && comment.trim() !== '' ? comment.trim().slice(0, 1000) : undefined;
        const answer = await state.client.report({ url: site.identity !== null ? site.reportURL : site.origin, kind, comment: text });
        return { ok: true, id: answer.id ?? null, status: answer.status ?? null };
    } catch (error) {
        return { ok: false, error: String(error.message ?? error) };
    }
}

async function popupState(sender, tabId) {
    // The toolbar popup asks about the active tab. Only the extension's own pages may name another tab
    // (tests open popup.html?tabId=N in a tab of its own); a content script never can.
    const fromExtensionPage = String(sender.url ?? '').startsWith(ext.extensionURL(''));
    const tab = Number.isInteger(tabId) && fromExtensionPage
        ? await ext.tabs.get(tabId).catch(() => undefined)
        : await ext.tabs.activeTab();
    const site = tab ? siteOf(tab.url ?? '') : null;
    if ( site === null ) { return { web: false }; }
    const identity = site.identity?.kind ?? null;
    if ( isAllowedHere(tab.id, site.key) ) {
        return { web: true, url: tab.url, host: site.label, identity, level: Level.ALLOWED, reasons: [], advice: [] };
    }
    const verdict = await verdictFor(site, null);
    // An identity's verdict comes from the service, which never calls one trusted for its platform's sake;
    // should an old service still answer "trusted" for an account that is not allowlisted, say unverified.
    const trustedForItself = (verdict?.reasons ?? []).some(r => r.code === 'allowlist.identity');
    const level = identity !== null && levelOf(verdict) === Level.TRUSTED && !trustedForItself
        ? Level.UNVERIFIED : levelOf(verdict);
    await showBadge(tab.id, level);
    return { web: true, url: tab.url, host: site.label, identity, level, reasons: reasonsOf(verdict),
        advice: adviceFor(level, verdict) };
}

/******************************************************************************/
// Listeners: registered at top level, synchronously.

ext.onBeforeNavigate(details => {
    if ( details.frameId !== 0 ) { return; }
    ready.then(() => checkNavigation(details.tabId, details.url)).catch(error => {
        console.error('abaila: navigation check failed', error);
    });
});

ext.downloads.onCreated(item => {
    ready.then(() => checkDownload(item)).catch(error => {
        console.error('abaila: download check failed', error);
    });
});

ext.tabs.onRemoved(tabId => {
    ready.then(() => {
        delete state.onceAllowed[tabId];
        delete state.safePages[tabId];
        saveSession();
    });
});

ext.onStorageChanged((changes, area) => {
    if ( area !== 'local' ) { return; }
    if ( [ 'serviceURL', 'apiKey', 'language', 'allowedSites' ].some(k => k in changes) ) {
        ready = ready.then(initialize, initialize);
    }
});

ext.onMessage(async (request, sender) => {
    await ready;
    const tabId = sender.tab?.id;
    switch ( request.what ) {
    // content/payment.js
    case 'checkPayment':
        return checkPayment(sender, request);
    // warning.html and the in-page warning
    case 'leave':
        return leave(tabId, siteOf(request.url ?? sender.tab?.url ?? '')?.host);
    case 'continueOnce':
        return continueOnce(tabId, request.url);
    case 'alwaysAllow':
        return alwaysAllow(tabId, request.url);
    // download.html
    case 'downloadDecision':
        // Only the extension's own page may resume or cancel a download.
        if ( String(sender.url ?? '').startsWith(ext.extensionURL('download.html')) === false ) { return { ok: false }; }
        return decideDownload(request.id, request.keep === true);
    case 'report':
        return report(request.url ?? sender.tab?.url ?? '', request.kind, request.comment);
    case 'siteDetails': {
        const site = siteOf(request.url);
        const verdict = site === null ? null : await verdictFor(site, null);
        // The page already shows the list hits it was given; add the service's other reasons.
        const others = verdict === null ? null : { ...verdict, reasons: (verdict.reasons ?? []).filter(r => !String(r.code).startsWith('list.')) };
        return { reasons: reasonsOf(others), official: officialOf(verdict) };
    }
    // every page
    case 'strings':
        return { lang: state.lang, messages: state.messages };
    // popup
    case 'popupState':
        return popupState(sender, request.tabId);
    default:
        return { error: `unknown message: ${request.what}` };
    }
});
