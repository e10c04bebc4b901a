// Table tests for lib/downloads.js: which downloads are app installs, and when they stay stopped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appFileKind, downloadKind, shouldStopDownload } from '../lib/downloads.js';

const files = [
    [ 'https://dostavka-kz.com/track/KZ12345.apk', 'apk' ],
    [ 'https://x.top/Kaspi-Bonus.APK?ref=sms#top', 'apk' ],
    [ 'app.xapk', 'xapk' ],
    [ 'bundle.apks', 'apks' ],
    [ 'C:\\Users\\a\\Downloads\\AnyDesk.exe', 'exe' ],
    [ '/home/a/Downloads/setup.msi', 'msi' ],
    [ 'https://shop.kz/catalog.pdf', null ],
    [ 'https://shop.kz/apk', null ],
    [ 'https://shop.kz/file.apk.txt', null ],
    [ 'https://shop.kz/?file=a.apk', null ],
    [ '', null ],
];

for ( const [ name, kind ] of files ) {
    test(`appFileKind ${name || '(empty)'}`, () => assert.equal(appFileKind(name), kind));
}

test('downloadKind looks at the file name, then the final URL, then the URL', () => {
    assert.equal(downloadKind({ filename: '', finalUrl: 'https://cdn.top/x.apk', url: 'https://s.top/get' }), 'apk');
    assert.equal(downloadKind({ filename: '/tmp/setup.exe', url: 'https://s.top/get' }), 'exe');
    assert.equal(downloadKind({ url: 'https://s.top/photo.jpg' }), null);
});

test('only a verified or user-allowed site lets an app through', () => {
    for ( const level of [ 'blocked', 'dangerous', 'suspicious', 'unverified', 'unreachable', 'no_known_risk' ] ) {
        assert.equal(shouldStopDownload(level), true, level);
    }
    assert.equal(shouldStopDownload('trusted'), false);
    assert.equal(shouldStopDownload('allowed'), false);
});
