#!/bin/sh
# Builds installable zips of the extension under dist/ (run from anywhere):
#   dist/abaila-chromium-<version>.zip   load unpacked, or upload to the Chrome Web Store
#   dist/abaila-firefox-<version>.zip    about:debugging → Load Temporary Add-on, or sign on AMO
# One manifest serves both browsers (background service_worker and scripts side by side), so the two
# zips hold the same files; they are separate so each store gets its own artifact.
# Usage: sh extension/build.sh [OUTDIR]   (default: dist/ at the repository root)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../dist"}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$here/manifest.json" | head -n 1)
files="manifest.json background.js ext.js i18n.js message.js page.js levels.css warning.html warning.js warning.css popup.html popup.js popup.css
options.html options.js options.css common.css download.html download.js lib content icons _locales"
for browser in chromium firefox; do
    zip="$out/abaila-$browser-$version.zip"
    rm -f "$zip"
    (cd "$here" && python3 - "$zip" $files <<'PY'
import os, sys, zipfile
target, names = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
    for name in names:
        paths = [name] if os.path.isfile(name) else sorted(
            os.path.join(d, f) for d, _, fs in os.walk(name) for f in fs)
        for path in paths:
            info = zipfile.ZipInfo(path.replace(os.sep, "/"), date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
    )
    echo "built $zip"
done
