/*******************************************************************************

    Abaila — Punycode (RFC 3492) encoding of one label, for the hosts the URL
    API refuses (invalid IDNA that scam sites still register or link to).

        punycodeEncode('мысал') → 'e1afmkfd'

    Pure; mirrors Python's "punycode" codec, which service/urls.py uses for
    the same fallback.

*/

const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700;
const INITIAL_BIAS = 72, INITIAL_N = 0x80;

function adapt(delta, numPoints, firstTime) {
    delta = firstTime ? Math.floor(delta / DAMP) : delta >> 1;
    delta += Math.floor(delta / numPoints);
    let k = 0;
    while ( delta > ((BASE - TMIN) * TMAX) >> 1 ) {
        delta = Math.floor(delta / (BASE - TMIN));
        k += BASE;
    }
    return k + Math.floor((BASE - TMIN + 1) * delta / (delta + SKEW));
}

function digit(d) {
    return String.fromCharCode(d < 26 ? 0x61 + d : 0x30 + d - 26);
}

/** punycodeEncode returns the RFC 3492 encoding of a label (without "xn--"). */
export function punycodeEncode(label) {
    const input = Array.from(label, ch => ch.codePointAt(0));
    let output = input.filter(c => c < 0x80).map(c => String.fromCharCode(c)).join('');
    const basicLength = output.length;
    let handled = basicLength;
    if ( basicLength > 0 ) { output += '-'; }
    let n = INITIAL_N, delta = 0, bias = INITIAL_BIAS;
    while ( handled < input.length ) {
        const m = Math.min(...input.filter(c => c >= n));
        delta += (m - n) * (handled + 1);
        n = m;
        for ( const c of input ) {
            if ( c < n ) { delta += 1; }
            if ( c !== n ) { continue; }
            let q = delta;
            for ( let k = BASE; ; k += BASE ) {
                const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
                if ( q < t ) { break; }
                output += digit(t + (q - t) % (BASE - t));
                q = Math.floor((q - t) / (BASE - t));
            }
            output += digit(q);
            bias = adapt(delta, handled + 1, handled === basicLength);
            delta = 0;
            handled += 1;
        }
        delta += 1;
        n += 1;
    }
    return output;
}
