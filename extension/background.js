/*******************************************************************************

    Abaila — the background (a service worker in Chromium, an event page in
    Firefox). It may be stopped at any moment and woken by any event, so every
    listener is registered at top level, synchronously, and waits on `ready`.

        navigation ──► lookup.js (prefixes only) ──hit──► warning.html#{details}
        content/payment.js ──checkPayment──► POST /v1/check (hostname only) ──► in-page warning
                           └─ cards / phones / IBANs on the page ──SHA-256 here──► GET /v1/indicators/range/{5 hex}
        warning / popup / options pages ──one message switch on `what`──► here

    The only state kept between events lives in storage: the settings
    (storage.local), the prefix cache, "continue once" passes, each tab's
    recent safe pages and each tab's last level (storage.session).

    One verdict everywhere: the last level shown for a tab's site (by the
    warning page, the in-page box or the popup) is kept per tab, and the
    badge, popup and box all read it; lib/verdicts.js maps it to one word and
    one colour, lib/warning.js composes the one message.

*/

import * as ext from './ext.js';
import { createClient, ServiceError } from './lib/api.js';
import { lookupURL, Outcome, PrefixCache } from './lib/lookup.js';
import { TTLCache } from './lib/ttlcache.js';
import { normalizeSettings, isAllowed } from './lib/settings.js';
import { createI18n, resolveLanguage } from './lib/i18n.js';
import { Level, badgeFor, isDangerous, isKnownLevel, parseTones, shouldHoldSubmit, shouldWarnOnPayment } from './lib/verdicts.js';
import { composeWarning } from './lib/warning.js';
import { parse } from './lib/urls.js';
import { downloadKind, shouldStopDownload } from './lib/downloads.js';
import { identify, PHONE_PREFIX } from './lib/platforms.js';
import { canonicalDetails, checkIndicators, RangeCache } from './lib/indicators.js';

const CACHE_SAVE_DELAY_MS = 1000;   // coalesce prefix-cache writes to storage.session
const SAFE_HISTORY = 5;             // recent pages per tab that "Leave this site" can go back to

const state = {
    settings: normalizeSettings(),
    client: null,
    lang: 'en',
    i18n: createI18n({}),
    messages: {},
    tones: parseTones(''),  // levels.css, for the badge
    boxCSS: '',             // levels.css + content/box.css, for the in-page box's shadow root
    prefixCache: new PrefixCache(),
    verdicts: new TTLCache({ maxEntries: 500 }),    // `${host}|${lang}|${asks}` → Verdict JSON
    onceAllowed: {},    // tabId → [host]: "Continue once" passes, for this tab only
    safePages: {},      // tabId → [{url, host}], newest last
    tabLevels: {},      // tabId → {host, level, listed}: the level last shown for the tab's site
    moments: {},        // tabId → {key, context}: what the page last asked for (codes only), for the popup
    ranges: new RangeCache(),   // indicator range prefix → listed hashes (lib/indicators.js)
};

/******************************************************************************/
// Start-up: read the settings, strings, colours and caches.

async function initialize() {
    const stored = await ext.localRead([ 'serviceURL', 'apiKey', 'language', 'allowedSites' ]);
    state.settings = normalizeSettings(stored);
    state.client = createClient({ serviceURL: state.settings.serviceURL, apiKey: state.settings.apiKey });
    state.lang = resolveLanguage(state.settings.language, ext.preferredLanguages());
    const [ messages, english, levelsCSS, boxCSS ] = await Promise.all([
        ext.readExtensionJSON(`_locales/${state.lang}/messages.json`),
        ext.readExtensionJSON('_locales/en/messages.json'),
        ext.readExtensionText('levels.css').catch(() => ''),
        ext.readExtensionText('content/box.css').catch(() => ''),
    ]);
    state.messages = messages;
    state.i18n = createI18n(messages, english);
    state.tones = parseTones(levelsCSS);
    state.boxCSS = `${levelsCSS}\n${boxCSS}`;
    state.verdicts.clear();
    const session = await ext.sessionRead([ 'prefixCache', 'onceAllowed', 'safePages', 'tabLevels', 'serviceURLOfCache' ]);
    // A cache answered by another service says nothing about this one.
    if ( session.serviceURLOfCache === state.settings.serviceURL ) {
        state.prefixCache = new PrefixCache({ entries: session.prefixCache ?? {} });
    } else {
        state.prefixCache = new PrefixCache();
    }
    state.onceAllowed = session.onceAllowed ?? {};
    state.safePages = session.safePages ?? {};
    state.tabLevels = session.tabLevels ?? {};
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
    return ext.sessionWrite({ onceAllowed: state.onceAllowed, safePages: state.safePages, tabLevels: state.tabLevels });
}

/******************************************************************************/
// Sites

/**
 * siteOf returns what a page is judged as: its host, or the account, listing
 * or page it shows on a platform (issue 12). `key` is what the user allows,
 * what is reported and what the tab's level is kept for; `checkURL` is all
 * the service may see: the scheme and hostname, or the identity's public
 * address (never the page's own path or query), or null for a phone number,
 * which never leaves the browser except in a report the user sends.
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

/**
 * overrideOf returns how the user overrode warnings for key (a host, or an identity key: then that
 * identity only, never its whole platform) in this tab: 'always', 'once' or null.
 */
function overrideOf(tabId, key) {
    if ( isAllowed(key, state.settings.allowedSites) ) { return 'always'; }
    if ( (state.onceAllowed[tabId] ?? []).includes(key) ) { return 'once'; }
    return null;
}

function rememberSafePage(tabId, url, host) {
    const pages = (state.safePages[tabId] ?? []).filter(p => p.url !== url);
    pages.push({ url, host });
    state.safePages[tabId] = pages.slice(-SAFE_HISTORY);
}

/** setTabLevel records the level shown for the tab's site (its key) and paints the badge with it. */
// `guess`: a level from the prefix lookup alone (not listed, nothing asked yet), which a verdict replaces.
async function setTabLevel(tabId, key, level, { listed, guess = false } = {}) {
    const before = state.tabLevels[tabId];
    const wasListed = before?.key === key && before.listed === true;
    state.tabLevels[tabId] = { key, level, listed: listed ?? wasListed, guess };
    saveSession();
    await paintBadge(tabId, level);
}

async function paintBadge(tabId, level) {
    const badge = badgeFor(level, state.tones);
    await ext.setBadge(tabId, { ...badge, title: `Abaila: ${state.i18n.text(`level_${level}`)}` });
}

/** repaintBadge paints the tab's level again once a navigation commits: the browser clears a tab's badge then. */
async function repaintBadge(tabId, url) {
    const known = state.tabLevels[tabId];
    if ( known === undefined ) { return; }
    const site = siteOf(url);
    if ( String(url).startsWith(ext.extensionURL('warning.html')) || site?.key === known.key ) {
        await paintBadge(tabId, known.level);
    }
}

function tabLevelOf(tabId, key) {
    const known = state.tabLevels[tabId];
    return known?.key === key ? known : null;
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
    // Looked up even when the user allowed the site: the badge and popup keep telling the truth.
    const result = await lookupURL(url, { api: state.client, cache: state.prefixCache });
    saveCacheSoon();
    if ( result.outcome === Outcome.HIT ) {
        if ( overrideOf(tabId, site.key) === null ) {
            await ext.tabs.update(tabId, { url: warningPageURL(url, site, result.matches) });
        } else {
            rememberSafePage(tabId, url, site.host);
        }
        await setTabLevel(tabId, site.key, Level.BLOCKED, { listed: true });
        return;
    }
    rememberSafePage(tabId, url, site.host);
    const known = tabLevelOf(tabId, site.key);
    if ( known !== null && known.level !== Level.UNREACHABLE && known.level !== Level.NO_KNOWN_RISK ) {
        // Same site, a verdict already shown (box or popup): keep it rather than fall back to "not listed".
        await setTabLevel(tabId, site.key, known.level, { listed: false, guess: known.guess });
        return;
    }
    // An account is never "no known risk" for its platform's sake: nobody verified it (the popup asks the
    // service, which may know it as an allowlisted official account).
    const clear = site.identity !== null ? Level.UNVERIFIED : Level.NO_KNOWN_RISK;
    await setTabLevel(tabId, site.key, result.outcome === Outcome.UNKNOWN ? Level.UNREACHABLE : clear,
        { listed: false, guess: true });
}

/******************************************************************************/
// Verdicts by hostname (payment step, popup, warning page)

async function verdictFor(site, context) {
    if ( site.checkURL === null ) {
        // A phone number (wa.me, t.me/+7…) is not sent to the service: say what it is, locally.
        return { verdict: Level.UNVERIFIED, reasons: [ { code: 'identity.phone', rank: 50, message: state.i18n.text('popupIdentityPhone') } ] };
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

function serviceReasons(verdict) {
    return Array.isArray(verdict?.reasons) ? verdict.reasons.filter(r => r && typeof r === 'object') : [];
}

function serviceAdvice(verdict) {
    return Array.isArray(verdict?.advice) ? verdict.advice.filter(a => typeof a === 'string') : [];
}

/** listReasons returns reasons for prefix-lookup matches, for when the service cannot word them. */
function listReasons(matches) {
    const seen = new Set();
    const out = [];
    for ( const { list, category } of matches ?? [] ) {
        if ( seen.has(`${list}|${category}`) ) { continue; }
        seen.add(`${list}|${category}`);
        const key = `warningCategory_${category}`;
        const label = state.i18n.has(key) ? state.i18n.text(key) : state.i18n.text('warningCategory_other');
        out.push({ code: `list.${category}`, rank: 100, message: state.i18n.text('warningList', { list, category: label }),
            evidence: { list, category } });
    }
    return out;
}

/** messageFor returns the one message (lib/warning.js) for a level and what the service said. */
function messageFor(level, verdict, { asksFor = [], extraReasons = [] } = {}) {
    return composeWarning({
        level,
        reasons: [ ...serviceReasons(verdict), ...extraReasons ],
        advice: serviceAdvice(verdict),
        asksFor,
    }, (key, values) => state.i18n.text(key, values));
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

/**
 * listedIndicators returns {kind, reports} for each card, phone or IBAN of the page that is listed: each is
 * canonicalised and hashed here and only its 5-hex range prefix is sent (k-anonymity, lib/indicators.js).
 */
async function listedIndicators(details) {
    const canonicals = canonicalDetails(details).slice(0, 30);
    if ( canonicals.length === 0 ) { return []; }
    const results = await checkIndicators(canonicals, { fetchRange: p => state.client.indicatorRange(p),
        cache: state.ranges });
    return results.filter(r => r.listed).map(r => ({ kind: r.canonical.split(':')[0], reports: r.reports }));
}

// The reason the warning leads with: ranked above every service reason, as nothing says more than the money
// trail itself (lib/warning.js shows the highest-ranked reason as its one sentence).
function indicatorReason({ kind, reports }) {
    const message = reports > 0
        ? state.i18n.text(`paymentIndicator_${kind}`, { count: reports })
        : state.i18n.text(`paymentIndicatorListed_${kind}`);
    return { code: `indicator.${kind}`, message, rank: 1000 };
}

async function checkPayment(sender, { asksFor = [], payButton = false, page = null, details = null }) {
    const tabId = sender.tab?.id;
    const site = siteOf(sender.tab?.url ?? sender.url ?? '');
    if ( site === null || tabId === undefined ) { return { show: false }; }
    const override = overrideOf(tabId, site.key);
    const known = tabLevelOf(tabId, site.key);
    if ( override === 'always' ) { return { show: false, level: known?.level ?? Level.NO_KNOWN_RISK }; }
    const asks = Array.from(new Set(asksFor.filter(a => FORM_ASKS.includes(a) || MOMENT_ASKS.includes(a))));
    const context = { payment_form: asks.some(a => FORM_ASKS.includes(a)) || payButton, asks_for: asks };
    const moment = asks.some(a => MOMENT_ASKS.includes(a));
    if ( moment ) {
        context.page = pageContext(page);
        // The popup then tells the same story as the in-page warning ("Nothing is known" was issue 13's complaint).
        state.moments[tabId] = { key: site.key, context };
    }
    const [ verdict, listed ] = await Promise.all([ verdictFor(site, context), listedIndicators(details) ]);
    let level = levelOf(verdict);
    // A listed site stays listed in this tab even when the service cannot say so right now.
    if ( known?.listed && level === Level.UNREACHABLE ) { level = Level.BLOCKED; }
    // A card, phone or IBAN people reported paying to and getting nothing is dangerous on any site.
    if ( listed.length !== 0 && level !== Level.BLOCKED ) { level = Level.DANGEROUS; }
    await setTabLevel(tabId, site.key, level);
    if ( shouldWarnOnPayment(level) === false ) { return { show: false, level }; }
    // After "Continue once" the card form still gets the box: money is at stake here, not on the page.
    return {
        show: true,
        hold: shouldHoldSubmit(level),
        level,
        escape: isDangerous(level) ? 'leave' : 'close',
        host: site.label,
        message: messageFor(level, verdict, { asksFor: asks, extraReasons: listed.map(indicatorReason) }),
        lang: state.lang,
        css: state.boxCSS,
        strings: state.i18n.strings([ 'payment', 'report', 'goOfficial', 'whyTitle', 'banner' ]),
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
        level = 'allowed';  // the user's choice, not a verdict level: lib/downloads.js lets it go ahead
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
        message: downloadMessage(level, verdict) }) });
}

/**
 * downloadMessage returns the stop page's one message (issue 15's layout): the level's word, the strongest
 * reason (the service's; offline, "the site is not verified"), and always the police line on app installs,
 * whatever the service's advice list puts first. Where to get apps instead goes under "Why?".
 */
function downloadMessage(level, verdict) {
    const text = (key, values) => state.i18n.text(key, values);
    return composeWarning({
        level,
        reasons: [ ...serviceReasons(verdict),
            { code: 'download.not_verified', rank: 1, message: text('downloadNotVerified') },
            { code: 'download.store', rank: 0, message: text('downloadStore') } ],
        advice: [ text('downloadPolice') ],
    }, text);
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

async function goOfficial(tabId, domain) {
    // Only a bare hostname from a reason's evidence; the tab opens its https home page.
    if ( tabId === undefined || typeof domain !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain) ) { return; }
    await ext.tabs.update(tabId, { url: `https://${domain.toLowerCase()}/` });
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

async function stopAllowing(tabId, key) {
    if ( typeof key !== 'string' || key === '' ) { return { ok: false }; }
    const allowedSites = state.settings.allowedSites.filter(h => isAllowed(key, [ h ]) === false);
    state.settings = { ...state.settings, allowedSites };
    await ext.localWrite({ allowedSites });
    for ( const id of Object.keys(state.onceAllowed) ) {
        state.onceAllowed[id] = state.onceAllowed[id].filter(h => h !== key);
    }
    await saveSession();
    // Reload the tab: a listed site goes back to its warning page.
    const tab = Number.isInteger(tabId) ? await ext.tabs.get(tabId).catch(() => undefined) : undefined;
    if ( tab?.url ) { await ext.tabs.update(tab.id, { url: tab.url }); }
    return { ok: true };
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

/** pageNotice returns the slim banner for a page the user chose to continue on despite a list hit, or null. */
function pageNotice(sender) {
    const tabId = sender.tab?.id;
    const site = siteOf(sender.tab?.url ?? '');
    if ( site === null || tabId === undefined ) { return { banner: null }; }
    if ( overrideOf(tabId, site.key) !== 'once' || tabLevelOf(tabId, site.key)?.listed !== true ) { return { banner: null }; }
    return {
        banner: { text: state.i18n.text('bannerContinued'), leave: state.i18n.text('paymentLeave'), tone: 'danger' },
        lang: state.lang,
        css: state.boxCSS,
    };
}

/** warningDetails returns the warning page's one message for a listed site (worded by the service when it answers). */
async function warningDetails(url, matches) {
    const site = siteOf(url);
    const verdict = site === null ? null : await verdictFor(site, null);
    // The service words the list hit in the user's language (list names and sources translated); offline,
    // the prefix lookup's list and category are worded here.
    const hasList = serviceReasons(verdict).some(r => String(r.code).startsWith('list.'));
    const message = messageFor(Level.BLOCKED, verdict, { extraReasons: hasList ? [] : listReasons(matches) });
    return { message, reachable: verdict !== null };
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
    const known = tabLevelOf(tab.id, site.key);
    // What the page last asked for (codes only), so the popup tells the same story as the in-page warning.
    const moment = state.moments[tab.id];
    const verdict = await verdictFor(site, moment?.key === site.key ? moment.context : null);
    // An identity's verdict comes from the service, which never calls one trusted for its platform's sake;
    // should an old service still answer "trusted" for an account that is not allowlisted, say unverified.
    const trustedForItself = (verdict?.reasons ?? []).some(r => r.code === 'allowlist.identity');
    let level = site.identity !== null && levelOf(verdict) === Level.TRUSTED && !trustedForItself
        ? Level.UNVERIFIED : levelOf(verdict);
    // The level the box or the warning page showed for this site stands (one verdict per site and moment):
    // a listed site stays listed, and a payment step's sharper verdict is not softened by this plainer check.
    if ( known?.listed ) {
        level = Level.BLOCKED;
    } else if ( known !== null && !known.guess && level !== Level.UNREACHABLE && rankLevel(known.level) < rankLevel(level) ) {
        level = known.level;
    }
    await setTabLevel(tab.id, site.key, level);
    return {
        web: true,
        tabId: tab.id,
        url: tab.url,
        host: site.label,
        key: site.key,
        identity: site.identity?.kind ?? null,
        level,
        override: overrideOf(tab.id, site.key),
        message: messageFor(level, verdict),
    };
}

// Lower is more severe (Level's order).
function rankLevel(level) {
    const order = Object.values(Level);
    const i = order.indexOf(level);
    return i === -1 ? order.length : i;
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

ext.onCommitted(details => {
    if ( details.frameId !== 0 ) { return; }
    ready.then(() => repaintBadge(details.tabId, details.url)).catch(() => {});
});

ext.tabs.onRemoved(tabId => {
    ready.then(() => {
        delete state.onceAllowed[tabId];
        delete state.safePages[tabId];
        delete state.tabLevels[tabId];
        delete state.moments[tabId];
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
    // A content script acts on its own tab; the extension's own pages (the popup) may name one.
    const fromExtensionPage = String(sender.url ?? '').startsWith(ext.extensionURL(''));
    const tabId = fromExtensionPage && Number.isInteger(request.tabId) ? request.tabId : sender.tab?.id;
    switch ( request.what ) {
    // content/payment.js
    case 'checkPayment':
        return checkPayment(sender, request);
    case 'pageNotice':
        return pageNotice(sender);
    // warning.html and the in-page warning
    case 'leave':
        return leave(tabId, siteOf(request.url ?? sender.tab?.url ?? '')?.host);
    case 'goOfficial':
        return goOfficial(tabId, request.domain);
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
    case 'warningDetails':
        return warningDetails(request.url, request.matches);
    // every page
    case 'strings':
        return { lang: state.lang, messages: state.messages };
    // popup
    case 'popupState':
        return popupState(sender, request.tabId);
    case 'stopAllowing':
        return stopAllowing(tabId, request.host);
    default:
        return { error: `unknown message: ${request.what}` };
    }
});
