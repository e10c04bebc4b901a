/*******************************************************************************

    Abaila — SHA-256 full hashes and 4-byte prefixes of lookup expressions.

        await fullHash('kaspi-kz.top/')          → Uint8Array(32)
        prefixOf(hash)                           → Uint8Array(4)
        toBase64(prefixOf(hash))                 → 'qYEh6A==' (what the service receives)

    Pure: uses the Web Crypto API (crypto.subtle), present in service workers,
    pages and Node ≥ 20.

*/

export const PREFIX_BYTES = 4;  // bytes of a hash prefix sent to the service (Safe Browsing v5)

const encoder = new TextEncoder();

/** fullHash returns SHA-256 of an expression's UTF-8 bytes (the Safe Browsing full hash). */
export async function fullHash(expression) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(expression)));
}

/** prefixOf returns the first PREFIX_BYTES bytes of a full hash. */
export function prefixOf(hash) {
    return hash.slice(0, PREFIX_BYTES);
}

/** toBase64 returns the standard base64 text of bytes. */
export function toBase64(bytes) {
    let s = '';
    for ( const b of bytes ) { s += String.fromCharCode(b); }
    return btoa(s);
}
