/*******************************************************************************

    Abaila — the only network code: a small client of the Abaila HTTP API.

        const api = createClient({ serviceURL: 'http://127.0.0.1:8080', apiKey: '' });
        await api.lookupPrefixes(['qYEh6A==']);   → { matches: [...], cacheDuration: '300s' }
        await api.check('https://shop.example/', { payment_form: true, asks_for: ['card'] }, 'kk');
        await api.report({ url, kind: 'scam', comment });
        await api.indicatorRange('40329');        → '40329e12…:0014\n…' (text; only the 5-hex prefix is sent)

    Every failure — network error, timeout, a 5xx, a body that is not JSON —
    becomes a ServiceError, so callers have one thing to catch and one thing to
    show: "could not be verified". A 4xx carries the service's error code.

*/

export const DEFAULT_TIMEOUT_MS = 4000;  // a check the user waits for; slower counts as unreachable

/** ServiceError reports that the service could not answer (unreachable, slow or broken). */
export class ServiceError extends Error {
    constructor(message, { status = 0, code = 'unreachable' } = {}) {
        super(message);
        this.name = 'ServiceError';
        this.status = status;   // 0 when no HTTP response arrived
        this.code = code;       // the service's error code, or 'unreachable' / 'bad_response'
    }
}

/** normalizeServiceURL returns the service's base URL without a trailing slash; throws on a non-http(s) URL. */
export function normalizeServiceURL(text) {
    const url = new URL(String(text).trim());
    if ( url.protocol !== 'http:' && url.protocol !== 'https:' ) {
        throw new TypeError(`service URL must be http or https, not ${url.protocol}`);
    }
    return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * createClient returns the API client for one service. `fetch` and the
 * timeout are injectable so tests replace the network without patching.
 */
export function createClient({ serviceURL, apiKey = '', fetch = globalThis.fetch, timeoutMs = DEFAULT_TIMEOUT_MS }) {
    const base = normalizeServiceURL(serviceURL);

    async function post(path, body) {
        const headers = { 'Content-Type': 'application/json', 'Accept': 'application/json' };
        if ( apiKey ) { headers['Authorization'] = `Bearer ${apiKey}`; }
        let response;
        try {
            response = await fetch(base + path, {
                method: 'POST',
                headers,
                body: JSON.stringify(body),
                credentials: 'omit',
                cache: 'no-store',
                referrerPolicy: 'no-referrer',
                signal: AbortSignal.timeout(timeoutMs),
            });
        } catch (error) {
            throw new ServiceError(`service unreachable: ${error.message}`);
        }
        let data = null;
        try {
            data = await response.json();
        } catch {
            // handled below
        }
        if ( response.ok === false ) {
            const code = data?.error?.code ?? (response.status >= 500 ? 'unreachable' : 'bad_response');
            throw new ServiceError(data?.error?.message ?? `HTTP ${response.status}`, { status: response.status, code });
        }
        if ( data === null || typeof data !== 'object' ) {
            throw new ServiceError('service answered with something that is not JSON', { status: response.status, code: 'bad_response' });
        }
        return data;
    }

    async function getText(path) {
        let response;
        try {
            response = await fetch(base + path, {
                method: 'GET',
                headers: { 'Accept': 'text/plain' },
                credentials: 'omit',
                referrerPolicy: 'no-referrer',
                signal: AbortSignal.timeout(timeoutMs),
            });
        } catch (error) {
            throw new ServiceError(`service unreachable: ${error.message}`);
        }
        if ( response.ok === false ) {
            throw new ServiceError(`HTTP ${response.status}`, { status: response.status,
                code: response.status >= 500 ? 'unreachable' : 'bad_response' });
        }
        return response.text();
    }

    return {
        base,
        // No API key is sent with a range: it is public, and a key would tie the ranges to one user.
        indicatorRange: prefix => getText(`/v1/indicators/range/${encodeURIComponent(prefix)}`),
        lookupPrefixes: prefixes => post('/v1/lookup/prefixes', { prefixes }),
        // No context (the popup, the warning page): the key is left out rather than sent as null.
        check: (url, context, lang) => post('/v1/check', context ? { url, context, lang } : { url, lang }),
        report: ({ url, kind, comment }) => post('/v1/reports', comment ? { url, kind, comment } : { url, kind }),
    };
}
