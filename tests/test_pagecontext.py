"""The page reader (extension/lib/pagereader.js) and the service agree on the payment-moment vocabulary.

Every code the reader can emit is one `context.asks_for` accepts, and every `page` field it fills is one
`context.page` accepts with the same type: otherwise the API would refuse the extension's check (400) and the
shopper would see "could not be verified" instead of the verdict.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from service.verdicts import PageContext
from tests._env import ROOT, missing

_SCRIPT = """
await import(process.argv[1]);
const r = globalThis.abailaPageReader;
const page = r.readPage({ text: '' }).page;
console.log(JSON.stringify({ codes: Object.values(r.Code), page }));
"""


def _reader() -> dict:
    node = shutil.which("node")
    if node is None:
        missing("node is not installed")
    reader = str(ROOT / "extension" / "lib" / "pagereader.js")
    out = subprocess.run([node, "--input-type=module", "-e", _SCRIPT, reader], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def test_reader_codes_are_accepted_by_the_service() -> None:
    assert set(_reader()["codes"]) <= set(PageContext.ASKS)


def test_reader_page_fields_match_the_service() -> None:
    page = _reader()["page"]
    assert set(page) == set(PageContext.PAGE_FIELDS)
    for name, value in page.items():
        kind = PageContext.PAGE_FIELDS[name]
        assert isinstance(value, bool) if kind == "bool" else (isinstance(value, int) and not isinstance(value, bool))
