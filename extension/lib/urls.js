/*******************************************************************************

    Abaila — URLs to canonical form and to the lookup expressions a list entry
    can match. A line-for-line mirror of service/urls.py (Google Safe Browsing
    v4 "URLs and hashing"); both pass extension/test/vectors/*.tsv.

    Parsing is deliberately browser-like and lenient rather than RFC-strict:
    scam links are often malformed on purpose, and a stricter parser would let
    them through unmatched. Work happens on UTF-8 bytes, as in Python, because
    percent-unescaping can produce bytes that are not valid UTF-8.

    Worked example:

        canonicalize('HTTP://user:pw@Pay.Kaspi-KZ.top:8443/a/./b//c.html?id=1#top')
          → 'http://pay.kaspi-kz.top/a/b/c.html?id=1'
        expressions('http://pay.kaspi-kz.top/a/b/c.html?id=1')
          → ['pay.kaspi-kz.top/a/b/c.html?id=1', 'pay.kaspi-kz.top/a/b/c.html',
             'pay.kaspi-kz.top/', 'pay.kaspi-kz.top/a/', 'pay.kaspi-kz.top/a/b/',
             'kaspi-kz.top/a/b/c.html?id=1', 'kaspi-kz.top/a/b/c.html',
             'kaspi-kz.top/', 'kaspi-kz.top/a/', 'kaspi-kz.top/a/b/']

    Pure: no browser API, no I/O. Runs in the service worker and in Node.

*/

import { punycodeEncode } from './punycode.js';

const MAX_HOSTS = 5;    // the exact host plus up to 4 suffixes from the last five labels
const MAX_PATHS = 6;    // path+query, path, "/" and up to 3 more directory prefixes

/** InvalidURL reports a URL with no valid host (Python: service.errors.InvalidURL). */
export class InvalidURL extends Error {
    constructor(message) {
        super(message);
        this.name = 'InvalidURL';
    }
}

/******************************************************************************/
// Bytes

const SLASH = 0x2F, QMARK = 0x3F, AT = 0x40, COLON = 0x3A, PERCENT = 0x25, DOT = 0x2E;

// utf8Encode returns the UTF-8 bytes of a string; a lone surrogate is encoded
// as its own three bytes, like Python's "surrogatepass".
function utf8Encode(text) {
    const out = [];
    for ( let i = 0; i < text.length; i++ ) {
        let c = text.charCodeAt(i);
        if ( c >= 0xD800 && c <= 0xDBFF && i + 1 < text.length ) {
            const d = text.charCodeAt(i + 1);
            if ( d >= 0xDC00 && d <= 0xDFFF ) {
                c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                i += 1;
            }
        }
        if ( c < 0x80 ) {
            out.push(c);
        } else if ( c < 0x800 ) {
            out.push(0xC0 | c >> 6, 0x80 | c & 0x3F);
        } else if ( c < 0x10000 ) {
            out.push(0xE0 | c >> 12, 0x80 | c >> 6 & 0x3F, 0x80 | c & 0x3F);
        } else {
            out.push(0xF0 | c >> 18, 0x80 | c >> 12 & 0x3F, 0x80 | c >> 6 & 0x3F, 0x80 | c & 0x3F);
        }
    }
    return out;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// utf8Decode returns the text of UTF-8 bytes, or null when they are not valid UTF-8.
function utf8Decode(bytes) {
    try {
        return utf8Decoder.decode(new Uint8Array(bytes));
    } catch {
        return null;
    }
}

function latin1Decode(bytes) {
    let s = '';
    for ( const b of bytes ) { s += String.fromCharCode(b); }
    return s;
}

function latin1Encode(text) {
    const out = [];
    for ( let i = 0; i < text.length; i++ ) { out.push(text.charCodeAt(i) & 0xFF); }
    return out;
}

function indexOfByte(bytes, b, from = 0) {
    for ( let i = from; i < bytes.length; i++ ) {
        if ( bytes[i] === b ) { return i; }
    }
    return -1;
}

function splitBytes(bytes, sep) {
    const parts = [];
    let start = 0;
    for ( let i = 0; i < bytes.length; i++ ) {
        if ( bytes[i] === sep ) {
            parts.push(bytes.slice(start, i));
            start = i + 1;
        }
    }
    parts.push(bytes.slice(start));
    return parts;
}

function isAsciiString(text) {
    return /^[\x00-\x7F]*$/.test(text);
}

/******************************************************************************/
// Escaping

function hexValue(b) {
    if ( b >= 0x30 && b <= 0x39 ) { return b - 0x30; }
    if ( b >= 0x41 && b <= 0x46 ) { return b - 0x41 + 10; }
    if ( b >= 0x61 && b <= 0x66 ) { return b - 0x61 + 10; }
    return -1;
}

function unescapeOnce(bytes) {
    const out = [];
    for ( let i = 0; i < bytes.length; i++ ) {
        if ( bytes[i] === PERCENT && i + 2 < bytes.length ) {
            const hi = hexValue(bytes[i + 1]), lo = hexValue(bytes[i + 2]);
            if ( hi >= 0 && lo >= 0 ) {
                out.push(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out.push(bytes[i]);
    }
    return out;
}

// unescapeFully percent-unescapes until nothing changes (spec step: "repeatedly
// percent-unescape"). A lone "%" stays literal; each pass shortens the data.
function unescapeFully(bytes) {
    for (;;) {
        const decoded = unescapeOnce(bytes);
        if ( decoded.length === bytes.length ) { return bytes; }
        bytes = decoded;
    }
}

const HEX = '0123456789ABCDEF';

// escapeBytes returns bytes with <= 0x20, >= 0x7F, '#' and '%' percent-escaped (uppercase hex).
function escapeBytes(bytes) {
    let s = '';
    for ( const b of bytes ) {
        if ( b > 0x20 && b < 0x7F && b !== 0x23 && b !== 0x25 ) {
            s += String.fromCharCode(b);
        } else {
            s += '%' + HEX[b >> 4] + HEX[b & 15];
        }
    }
    return s;
}

/******************************************************************************/
// Hosts

// Python's str.strip() whitespace within Latin-1 (what int() ignores around digits).
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0]';
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

// pyInt returns what Python's int(text, base) returns, or null where it raises:
// surrounding whitespace, a sign, a base prefix and single underscores between
// digits are accepted. Kept exact so both implementations agree on odd hosts.
function pyInt(text, base) {
    let s = text.replace(PY_STRIP, '');
    let sign = 1n;
    if ( s[0] === '+' || s[0] === '-' ) {
        if ( s[0] === '-' ) { sign = -1n; }
        s = s.slice(1);
    }
    let prefixed = false;
    if ( base === 16 && /^0[xX]/.test(s) || base === 8 && /^0[oO]/.test(s) ) {
        s = s.slice(2);
        prefixed = true;
    }
    const digit = base === 16 ? '[0-9a-fA-F]' : base === 8 ? '[0-7]' : '[0-9]';
    const pattern = new RegExp(`^${prefixed ? '_?' : ''}${digit}(_?${digit})*$`);
    if ( pattern.test(s) === false ) { return null; }
    s = s.replace(/_/g, '');
    let value = 0n;
    for ( const ch of s ) { value = value * BigInt(base) + BigInt(parseInt(ch, base)); }
    return sign * value;
}

// parseIPv4 returns the dotted-decimal form of host if it is IPv4 in any
// inet_aton spelling (1-4 parts, each decimal, octal with a leading 0 or hex
// with 0x; the last part fills the remaining bytes), else null.
function parseIPv4(host) {
    const parts = host.split('.');
    if ( parts.length > 4 || parts.some(p => p === '') ) { return null; }
    const values = [];
    for ( const part of parts ) {
        let value;
        if ( part.slice(0, 2) === '0x' || part.slice(0, 2) === '0X' ) {
            value = part.length > 2 ? pyInt(part.slice(2), 16) : 0n;
        } else if ( part.length > 1 && part[0] === '0' ) {
            value = pyInt(part.slice(1), 8);
        } else {
            value = /^[0-9]+$/.test(part) ? BigInt(part) : null;
        }
        if ( value === null ) { return null; }
        values.push(value);
    }
    const lastBytes = BigInt(5 - values.length);
    const last = values[values.length - 1];
    if ( values.slice(0, -1).some(v => v > 255n) || last >= 256n ** lastBytes ) { return null; }
    let number = 0n;
    for ( const v of values.slice(0, -1) ) { number = number * 256n + v; }
    number = number * 256n ** lastBytes + last;
    if ( number < 0n || number > 0xFFFFFFFFn ) {
        // Python's IPv4Address() raises here (a negative part); so do we.
        throw new InvalidURL(`invalid IPv4 address: ${host}`);
    }
    return ipv4ToString(number);
}

function ipv4ToString(number) {
    return [24n, 16n, 8n, 0n].map(shift => String((number >> shift) & 255n)).join('.');
}

// parseStrictIPv4 returns an IPv4 address as a number the way Python's
// ipaddress.IPv4Address parses text (four decimal octets, no leading zeros), or null.
function parseStrictIPv4(text) {
    const octets = text.split('.');
    if ( octets.length !== 4 ) { return null; }
    let number = 0n;
    for ( const octet of octets ) {
        if ( /^[0-9]{1,3}$/.test(octet) === false ) { return null; }
        if ( octet.length > 1 && octet[0] === '0' ) { return null; }
        const v = BigInt(octet);
        if ( v > 255n ) { return null; }
        number = number * 256n + v;
    }
    return number;
}

// parseIPv6 returns a 128-bit address as a BigInt, following Python's
// ipaddress.IPv6Address text rules, or null.
function parseIPv6(text) {
    if ( text === '' ) { return null; }
    const parts = text.split(':');
    if ( parts.length < 3 ) { return null; }
    if ( parts[parts.length - 1].includes('.') ) {
        const ipv4 = parseStrictIPv4(parts.pop());
        if ( ipv4 === null ) { return null; }
        parts.push((ipv4 >> 16n).toString(16), (ipv4 & 0xFFFFn).toString(16));
    }
    if ( parts.length > 9 ) { return null; }
    let skipIndex = null;
    for ( let i = 1; i < parts.length - 1; i++ ) {
        if ( parts[i] === '' ) {
            if ( skipIndex !== null ) { return null; }
            skipIndex = i;
        }
    }
    let partsHi, partsLo, partsSkipped;
    if ( skipIndex !== null ) {
        partsHi = skipIndex;
        partsLo = parts.length - skipIndex - 1;
        if ( parts[0] === '' ) {
            partsHi -= 1;
            if ( partsHi ) { return null; }
        }
        if ( parts[parts.length - 1] === '' ) {
            partsLo -= 1;
            if ( partsLo ) { return null; }
        }
        partsSkipped = 8 - (partsHi + partsLo);
        if ( partsSkipped < 1 ) { return null; }
    } else {
        if ( parts.length !== 8 ) { return null; }
        if ( parts[0] === '' || parts[parts.length - 1] === '' ) { return null; }
        partsHi = parts.length;
        partsLo = 0;
        partsSkipped = 0;
    }
    const hextet = s => /^[0-9a-fA-F]{1,4}$/.test(s) ? BigInt(parseInt(s, 16)) : null;
    let number = 0n;
    for ( let i = 0; i < partsHi; i++ ) {
        const v = hextet(parts[i]);
        if ( v === null ) { return null; }
        number = number << 16n | v;
    }
    number <<= 16n * BigInt(partsSkipped);
    for ( let i = -partsLo; i < 0; i++ ) {
        const v = hextet(parts[parts.length + i]);
        if ( v === null ) { return null; }
        number = number << 16n | v;
    }
    return number;
}

// compressIPv6 returns the short form of an address (RFC 5952, as Python's
// IPv6Address.compressed: the first longest run of two or more zero hextets becomes "::").
function compressIPv6(number) {
    const hextets = [];
    for ( let shift = 112n; shift >= 0n; shift -= 16n ) {
        hextets.push(((number >> shift) & 0xFFFFn).toString(16));
    }
    let bestStart = -1, bestLen = 0, start = -1, len = 0;
    hextets.forEach((h, i) => {
        if ( h === '0' ) {
            len += 1;
            if ( start === -1 ) { start = i; }
            if ( len > bestLen ) { bestLen = len; bestStart = start; }
        } else {
            len = 0;
            start = -1;
        }
    });
    if ( bestLen > 1 ) {
        const end = bestStart + bestLen;
        if ( end === hextets.length ) { hextets.push(''); }
        hextets.splice(bestStart, bestLen, '');
        if ( bestStart === 0 ) { hextets.unshift(''); }
    }
    return hextets.join(':');
}

const NAT64_PREFIX = 0x64ff9bn << 96n;  // 64:ff9b::/96

// canonicalIPv6 returns the canonical host of a bracketed IPv6 literal's
// inside: "[short form]", or dotted IPv4 for IPv4-mapped and NAT64 addresses.
function canonicalIPv6(text) {
    const address = parseIPv6(text.split('%')[0]);
    if ( address === null ) { return null; }
    if ( address >> 32n === 0xFFFFn ) { return ipv4ToString(address & 0xFFFFFFFFn); }
    if ( address >> 32n === NAT64_PREFIX >> 32n ) { return ipv4ToString(address & 0xFFFFFFFFn); }
    return `[${compressIPv6(address)}]`;
}

function collapseDots(host) {
    // Spec: remove leading and trailing dots, replace consecutive dots with one.
    return host.split('.').filter(label => label !== '').join('.');
}

// Characters after which the URL API would read a host differently from ours
// (a path, a port, an escape); such hosts take the per-label fallback.
const URL_API_UNSAFE = /[\x00-\x20\x7F/\\?#@:[\]%<>^|"'`{}]/;

// urlApiToASCII returns host in punycode by the URL API (UTS #46, as browsers
// do), or null when the URL API refuses it or the result breaks IDNA rules
// that Python's idna enforces (hyphens, label and name lengths).
function urlApiToASCII(host) {
    if ( URL_API_UNSAFE.test(host) ) { return null; }
    let ascii;
    try {
        ascii = new URL(`http://${host}/`).hostname;
    } catch {
        return null;
    }
    if ( ascii === '' || ascii.length > 253 ) { return null; }
    for ( const label of ascii.split('.') ) {
        if ( label.length > 63 ) { return null; }
        if ( label.startsWith('-') || label.endsWith('-') ) { return null; }
        if ( label.slice(2, 4) === '--' && label.startsWith('xn--') === false ) { return null; }
    }
    return ascii;
}

// toASCIIHost returns host with non-ASCII labels in punycode (UTS #46
// mapping, lenient): scam hosts may be invalid IDNA (mixed scripts, disallowed
// code points), so each label falls back on its own to raw punycode.
function toASCIIHost(host) {
    if ( isAsciiString(host) ) { return host; }
    const whole = urlApiToASCII(host);
    if ( whole !== null ) { return whole; }
    return host.split('.').map(label => {
        if ( isAsciiString(label) ) { return label; }
        const ascii = label !== '' && label.includes('.') === false ? urlApiToASCII(label) : null;
        if ( ascii !== null && ascii.includes('.') === false ) { return ascii; }
        return 'xn--' + punycodeEncode(label.toLowerCase());
    }).join('.');
}

function canonicalHost(raw) {
    // Userinfo: everything up to the last "@" (the `bank.kz@evil.top` trick) is dropped.
    raw = raw.slice(raw.lastIndexOf(AT) + 1);
    if ( raw[0] === 0x5B ) {
        const end = indexOfByte(raw, 0x5D);
        const inner = end > 0 ? raw.slice(1, end) : raw.slice(1);
        const text = inner.map(b => b < 0x80 ? String.fromCharCode(b) : '\uFFFD').join('');
        const ip6 = canonicalIPv6(text);
        if ( ip6 === null ) {
            throw new InvalidURL(`invalid IPv6 host: ${utf8Decode(raw) ?? latin1Decode(raw)}`);
        }
        return ip6;
    }
    const colon = indexOfByte(raw, COLON);
    if ( colon !== -1 ) { raw = raw.slice(0, colon); }  // a port is not part of the host
    const text = utf8Decode(raw);
    if ( text !== null && isAsciiString(text) === false ) {
        raw = latin1Encode(toASCIIHost(collapseDots(text)));
    }
    const host = collapseDots(latin1Decode(raw).toLowerCase());
    if ( host === '' ) { throw new InvalidURL('URL has no host'); }
    const ip4 = parseIPv4(host);
    if ( ip4 !== null ) { return ip4; }
    return escapeBytes(latin1Encode(host));
}

/** isIPHost reports whether a canonical host is an IP literal (dotted IPv4 or bracketed IPv6). */
export function isIPHost(host) {
    if ( host.startsWith('[') ) { return true; }
    try {
        return parseIPv4(host) === host;
    } catch {
        return false;
    }
}

/******************************************************************************/
// Paths

function canonicalPath(raw) {
    // Spec: resolve "/./" and "/../", then collapse runs of slashes. A trailing
    // "." or ".." segment leaves a trailing slash ("/blah/.." → "/").
    const segments = splitBytes(raw, SLASH);
    const out = [];
    const isDot = s => s.length === 1 && s[0] === DOT;
    const isDotDot = s => s.length === 2 && s[0] === DOT && s[1] === DOT;
    for ( const segment of segments ) {
        if ( segment.length === 0 || isDot(segment) ) { continue; }
        if ( isDotDot(segment) ) {
            out.pop();
            continue;
        }
        out.push(segment);
    }
    const last = segments[segments.length - 1];
    const trailing = last.length === 0 || isDot(last) || isDotDot(last);
    const path = [SLASH];
    out.forEach((segment, i) => {
        if ( i > 0 ) { path.push(SLASH); }
        path.push(...segment);
    });
    if ( trailing && out.length !== 0 ) { path.push(SLASH); }
    return escapeBytes(path);
}

/******************************************************************************/
// Public functions

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * parse returns the canonical parts of url, {scheme, host, path, query}
 * (query is null when there was no "?"); throws InvalidURL when it has no valid host.
 */
export function parse(url) {
    if ( typeof url !== 'string' ) {
        throw new InvalidURL(`URL must be a string, not ${typeof url}`);
    }
    // Spec: cut the fragment at the first literal "#", trim surrounding spaces, drop TAB/CR/LF.
    const hash = url.indexOf('#');
    const text = (hash === -1 ? url : url.slice(0, hash))
        .replace(/^[ \t\r\n\f\v]+|[ \t\r\n\f\v]+$/g, '')
        .replace(/[\t\r\n]/g, '');
    let data = unescapeFully(utf8Encode(text));

    let scheme = 'http';
    const match = SCHEME.exec(latin1Decode(data));
    if ( match !== null ) {
        const after = data.slice(match[0].length);
        if ( after[0] === SLASH && after[1] === SLASH ) {
            scheme = match[1].toLowerCase();
            data = after.slice(2);
        } else if ( /^\d*(\/|\?|$)/.test(latin1Decode(after)) === false ) {
            throw new InvalidURL(`not a hierarchical URL (scheme '${match[1]}')`);
        }
        // else `host:port/...` with no scheme: keep it whole.
    } else if ( data[0] === SLASH && data[1] === SLASH ) {
        data = data.slice(2);
    }

    const q = indexOfByte(data, QMARK);
    const rest = q === -1 ? data : data.slice(0, q);
    const query = q === -1 ? null : escapeBytes(data.slice(q + 1));
    const slash = indexOfByte(rest, SLASH);
    const hostPart = slash === -1 ? rest : rest.slice(0, slash);
    const pathPart = slash === -1 ? [] : rest.slice(slash);
    return {
        scheme,
        host: canonicalHost(hostPart),
        path: canonicalPath(pathPart),
        query,
    };
}

function format({ scheme, host, path, query }) {
    return `${scheme}://${host}${path}${query === null ? '' : '?' + query}`;
}

/** canonicalize returns url in Safe Browsing v4 canonical form; throws InvalidURL if it has no valid host. */
export function canonicalize(url) {
    return format(parse(url));
}

function lookupHosts(host) {
    if ( isIPHost(host) ) { return [ host ]; }
    const labels = host.split('.');
    const hosts = [ host ];
    for ( let count = Math.min(MAX_HOSTS, labels.length); count > 1; count-- ) {
        const suffix = labels.slice(-count).join('.');
        if ( suffix !== host ) { hosts.push(suffix); }
    }
    return hosts.slice(0, MAX_HOSTS);
}

function lookupPaths(path, query) {
    const paths = [];
    if ( query ) { paths.push(`${path}?${query}`); }
    paths.push(path, '/');
    const directories = path.split('/').slice(1, -1);
    let prefix = '/';
    for ( const directory of directories.slice(0, 3) ) {
        prefix += directory + '/';
        paths.push(prefix);
    }
    return Array.from(new Set(paths)).slice(0, MAX_PATHS);
}

/** expressionsOf returns the host-suffix × path-prefix expressions of parsed URL parts, most specific first. */
export function expressionsOf(parsed) {
    const paths = lookupPaths(parsed.path, parsed.query);
    const out = [];
    for ( const h of lookupHosts(parsed.host) ) {
        for ( const p of paths ) { out.push(h + p); }
    }
    return Array.from(new Set(out));
}

/** expressions returns the (at most 30) lookup expressions of url; throws InvalidURL if it has no valid host. */
export function expressions(url) {
    return expressionsOf(parse(url));
}
