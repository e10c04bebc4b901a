/*******************************************************************************

    Abaila — the options page: service address, API key, language, and the
    sites the user chose to always allow (each can be removed: that undoes
    "Always allow this site" on the warning page).

*/

import * as ext from './ext.js';
import { loadPageStrings } from './i18n.js';
import { normalizeSettings } from './lib/settings.js';
import { normalizeServiceURL } from './lib/api.js';

let i18n;

async function readSettings() {
    return normalizeSettings(await ext.localRead([ 'serviceURL', 'apiKey', 'language', 'allowedSites' ]));
}

function renderAllowed(sites) {
    const ul = document.querySelector('#allowed');
    const template = document.querySelector('#allowedTemplate');
    ul.replaceChildren(...sites.map(site => {
        const li = template.content.firstElementChild.cloneNode(true);
        li.querySelector('.site').textContent = site;
        const remove = li.querySelector('.remove');
        remove.textContent = i18n.text('optionsRemove');
        remove.dataset.site = site;
        remove.addEventListener('click', async () => {
            const settings = await readSettings();
            const allowedSites = settings.allowedSites.filter(s => s !== site);
            await ext.localWrite({ allowedSites });
            renderAllowed(allowedSites);
        });
        return li;
    }));
    document.querySelector('#allowedNone').classList.toggle('hidden', sites.length !== 0);
}

async function main() {
    i18n = await loadPageStrings();
    const settings = await readSettings();
    const form = document.querySelector('#settings');
    form.serviceURL.value = settings.serviceURL;
    form.apiKey.value = settings.apiKey;
    form.language.value = settings.language;
    renderAllowed(settings.allowedSites);
    form.addEventListener('submit', async event => {
        event.preventDefault();
        const status = document.querySelector('#status');
        let serviceURL;
        try {
            serviceURL = normalizeServiceURL(form.serviceURL.value);
        } catch {
            status.textContent = i18n.text('optionsInvalidURL');
            return;
        }
        await ext.localWrite({ serviceURL, apiKey: form.apiKey.value.trim(), language: form.language.value });
        i18n = await loadPageStrings();
        status.textContent = i18n.text('optionsSaved');
    });
    document.body.dataset.ready = 'true';
}

main();
