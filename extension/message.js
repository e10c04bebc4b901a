/*******************************************************************************

    Abaila — draws the one message (lib/warning.js) into an extension page
    (warning page, popup). The page's HTML holds the parts, marked
    [data-part]: headline, sentence, official (a button), advice, why (a
    collapsed <details> with a <ul>), and the element that carries the tone.
    Text only, never innerHTML.

*/

/** fillMessage fills root's [data-part] elements with message; `onOfficial(domain)` runs on the official button. */
export function fillMessage(root, message, i18n, { onOfficial = null } = {}) {
    const part = name => root.querySelector(`[data-part=${name}]`);
    const doc = root.ownerDocument ?? root;
    for ( const el of root.querySelectorAll('[data-tone-of-message]') ) {
        el.dataset.tone = message.tone;
        el.dataset.level = message.level;
    }
    part('headline').textContent = message.headline;
    part('sentence').textContent = message.sentence;
    const official = part('official');
    if ( official !== null ) {
        official.textContent = message.official ? i18n.text('goOfficial', { domain: message.official }) : '';
        official.classList.toggle('hidden', !message.official);
        official.onclick = message.official && onOfficial ? () => onOfficial(message.official) : null;
    }
    const advice = part('advice');
    advice.textContent = message.advice;
    advice.classList.toggle('hidden', !message.advice);
    const why = part('why');
    const list = why.querySelector('ul');
    list.replaceChildren(...message.why.map(line => {
        const li = doc.createElement('li');
        li.dataset.code = line.code;
        li.append(line.text);
        if ( line.detail ) {
            const detail = doc.createElement('span');
            detail.className = 'detail';
            detail.textContent = line.detail;
            li.append(detail);
        }
        return li;
    }));
    why.classList.toggle('hidden', message.why.length === 0 && why.dataset.keep === undefined);
}
