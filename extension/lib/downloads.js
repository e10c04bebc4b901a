/*******************************************************************************

    Abaila — app installs (issue 13): which downloads are stopped before they
    complete. Pure.

        appFileKind('https://dostavka-kz.com/track/KZ12345.apk?x=1')  → 'apk'
        appFileKind('C:\\Users\\a\\Downloads\\setup.EXE')              → 'exe'
        appFileKind('report.pdf')                                      → null
        shouldStopDownload('unverified')                               → true
        shouldStopDownload('trusted')                                  → false

    Police advice: never install unknown apps — fake bank, delivery and
    "bonus" apps (.apk) and remote-access tools take the SMS codes
    (kz-context §6). So an Android package (.apk, .xapk, .apks) or a Windows
    installer (.exe, .msi) is paused unless the site that offered it is
    verified (the allowlist, a brand's official domain) or allowed by the
    user; the user can still keep it.

*/

export const APP_EXTENSIONS = Object.freeze([ 'apk', 'xapk', 'apks', 'exe', 'msi' ]);

// Levels under which an app download goes ahead: verified by the service, or allowed by the user.
const GO_AHEAD = new Set([ 'trusted', 'allowed' ]);

/** appFileKind returns the app-file extension of a file name, path or URL ('apk', 'exe', ...), or null. */
export function appFileKind(nameOrURL) {
    const text = String(nameOrURL ?? '').split(/[?#]/)[0];
    const last = text.split(/[/\\]/).pop().toLowerCase();
    const dot = last.lastIndexOf('.');
    if ( dot < 0 ) { return null; }
    const ext = last.slice(dot + 1);
    return APP_EXTENSIONS.includes(ext) ? ext : null;
}

/** downloadKind returns the app-file extension of a download item (its file name, final URL or URL), or null. */
export function downloadKind(item) {
    for ( const candidate of [ item?.filename, item?.finalUrl, item?.url ] ) {
        const kind = appFileKind(candidate);
        if ( kind !== null ) { return kind; }
    }
    return null;
}

/** shouldStopDownload reports whether an app download offered by a site with this level stays stopped. */
export function shouldStopDownload(level) {
    return GO_AHEAD.has(level) === false;
}
