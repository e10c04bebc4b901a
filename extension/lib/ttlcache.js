/*******************************************************************************

    Abaila — a small cache of values that expire, for verdicts by hostname.

        const verdicts = new TTLCache({ maxEntries: 500 });
        verdicts.set('shop.example', verdict, 300);   // seconds
        verdicts.get('shop.example')                  → verdict, or undefined once expired

    Pure; the clock is a field so tests pass a fixed one.

*/

export class TTLCache {
    constructor({ now = Date.now, maxEntries = 500 } = {}) {
        this.now = now;
        this.maxEntries = maxEntries;
        this.map = new Map();   // key → { value, expires: ms }
    }

    /** get returns the value of an unexpired key, or undefined. */
    get(key) {
        const entry = this.map.get(key);
        if ( entry === undefined ) { return undefined; }
        if ( entry.expires <= this.now() ) {
            this.map.delete(key);
            return undefined;
        }
        return entry.value;
    }

    /** set stores a value for ttlSeconds (nothing is stored when ttlSeconds <= 0). */
    set(key, value, ttlSeconds) {
        this.map.delete(key);
        if ( !(ttlSeconds > 0) ) { return; }
        this.map.set(key, { value, expires: this.now() + ttlSeconds * 1000 });
        while ( this.map.size > this.maxEntries ) {
            this.map.delete(this.map.keys().next().value);
        }
    }

    delete(key) {
        this.map.delete(key);
    }

    clear() {
        this.map.clear();
    }
}
