/*******************************************************************************

    Abaila — the only module that touches the browser's extension APIs.

    Chromium names them `chrome`, Firefox `browser`; both return promises in
    Manifest V3. Storage wrappers cope with a missing area (storage.session is
    absent in old Firefox) instead of throwing: a failed read is an empty one.

*/

export const api = globalThis.browser ?? globalThis.chrome;

/******************************************************************************/
// Storage

async function read(area, keys) {
    try {
        return await api.storage[area].get(keys) ?? {};
    } catch {
        return {};
    }
}

async function write(area, items) {
    try {
        await api.storage[area].set(items);
    } catch {
        // Losing a cache write is harmless; settings writes are checked by the options page.
    }
}

export const localRead = keys => read('local', keys);
export const localWrite = items => write('local', items);
export const sessionRead = keys => read(api.storage.session ? 'session' : 'local', keys);
export const sessionWrite = items => write(api.storage.session ? 'session' : 'local', items);

export function onStorageChanged(listener) {
    api.storage.onChanged.addListener(listener);
}

/******************************************************************************/
// Runtime, messages, files

export const extensionURL = path => api.runtime.getURL(path);

/** preferredLanguages returns the user's preferred languages, most wanted first (navigator.languages). */
export function preferredLanguages() {
    return Array.from(globalThis.navigator?.languages ?? [ globalThis.navigator?.language ?? 'en' ]);
}

export async function readExtensionJSON(path) {
    const response = await fetch(api.runtime.getURL(path));
    return response.json();
}

export async function readExtensionText(path) {
    const response = await fetch(api.runtime.getURL(path));
    return response.text();
}

export function sendMessage(message) {
    return api.runtime.sendMessage(message);
}

/** onMessage registers an async handler; its result (or error) is the reply. */
export function onMessage(handler) {
    api.runtime.onMessage.addListener((message, sender, sendResponse) => {
        handler(message, sender).then(sendResponse, error => sendResponse({ error: String(error?.message ?? error) }));
        return true;    // the reply is asynchronous
    });
}

export function openOptionsPage() {
    return api.runtime.openOptionsPage();
}

/******************************************************************************/
// Tabs, navigation, toolbar

export const tabs = {
    create: props => api.tabs.create(props),
    get: tabId => api.tabs.get(tabId),
    update: (tabId, props) => api.tabs.update(tabId, props),
    remove: tabId => api.tabs.remove(tabId),
    activeTab: async () => (await api.tabs.query({ active: true, currentWindow: true }))[0],
    onRemoved: listener => api.tabs.onRemoved.addListener(listener),
};

export function onBeforeNavigate(listener) {
    api.webNavigation.onBeforeNavigate.addListener(listener);
}

export function onCommitted(listener) {
    api.webNavigation.onCommitted.addListener(listener);
}

export async function setBadge(tabId, { text, color, textColor, title }) {
    try {
        await api.action.setBadgeText({ tabId, text });
        if ( text ) {
            await api.action.setBadgeBackgroundColor({ tabId, color });
            // Chromium 110+ and Firefox: the badge text in the tone's own text colour (AA contrast).
            if ( textColor && api.action.setBadgeTextColor ) { await api.action.setBadgeTextColor({ tabId, color: textColor }); }
        }
        if ( title ) { await api.action.setTitle({ tabId, title }); }
    } catch {
        // The tab may be gone already.
    }
}

/******************************************************************************/
// Downloads (app installs, issue 13)

export const downloads = {
    onCreated: listener => api.downloads?.onCreated.addListener(listener),
    onChanged: listener => api.downloads?.onChanged.addListener(listener),
    pause: id => api.downloads.pause(id),
    resume: id => api.downloads.resume(id),
    cancel: id => api.downloads.cancel(id),
    get: async id => (await api.downloads.search({ id }))[0],
};
