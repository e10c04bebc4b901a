"""Precision and recall of the page reader and of the final in-page warning, per language and split.

    .venv/bin/python bench/bench_pages.py [--verbose]

Reads tests/fixtures/pages/{train,eval}/ with the extension's own reader (`node bench/pagecorpus.mjs`), then
scores each page that asks for something the way the service would (`service.scoring.score`, offline: the
page's host, its domain age from the corpus header as a `domain.young` / `domain.recent` reason, its codes and
page booleans as `context`). A warning is shown when the verdict is unverified or worse (extension/lib/verdicts.js).

reader:  positive = the page yields a payment-moment code; truth = its header expects one.
warning: positive = the in-page warning appears;            truth = the page is a scam page.
The eval split was written before the reader was tuned on train and is never looked at by the unit tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.brands import default_brands  # noqa: E402
from service.platforms import place  # noqa: E402
from service.scoring import Facts, score  # noqa: E402
from service.urls import parse, registrable_domain  # noqa: E402
from service.verdicts import Level, PageContext, Reason, Severity  # noqa: E402

BRANDS = default_brands()

WARN = {Level.BLOCKED, Level.DANGEROUS, Level.SUSPICIOUS, Level.UNVERIFIED}


def _slow(age: str) -> tuple[Reason, ...]:
    if not age.isdigit():
        return ()
    days = int(age)
    if days < 30:
        return (Reason("domain.young", Severity.MEDIUM, 25, {"days": days}),)
    if days < 180:
        return (Reason("domain.recent", Severity.LOW, 5, {"days": days}),)
    return ()


def _level(row: dict) -> Level | None:
    if not row["asks_for"]:
        return None  # the content script asks the service nothing: no warning
    page = tuple(sorted((k, int(v)) for k, v in row["page"].items() if k in PageContext.PAGE_FIELDS))
    context = PageContext(asks_for=tuple(row["asks_for"]), page=page)
    # An account page is checked as its identity (issue 12), not as the platform's host.
    url = parse(f"https://{row['meta']['host']}{row['meta'].get('path', '/')}")
    facts = Facts(url=url, registrable_domain=registrable_domain(url.host), context=context, brands=BRANDS,
                  slow_reasons=() if row["meta"].get("path") else _slow(row["meta"].get("age_days", "")),
                  placement=place(url), offline=True)
    return score(facts).level


def _pr(pairs: list[tuple[bool, bool]]) -> tuple[str, str, int, int, int]:
    tp = sum(1 for got, want in pairs if got and want)
    fp = sum(1 for got, want in pairs if got and not want)
    fn = sum(1 for got, want in pairs if not got and want)
    precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
    recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
    return precision, recall, tp, fp, fn


def main() -> None:
    verbose = "--verbose" in sys.argv
    out = subprocess.run(["node", str(ROOT / "bench" / "pagecorpus.mjs")], check=True, capture_output=True,
                         text=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    for row in rows:
        row["level"] = _level(row)
    print(f"pages: {len(rows)} ({sum(r['split'] == 'train' for r in rows)} train, "
          f"{sum(r['split'] == 'eval' for r in rows)} eval); scam {sum(r['meta']['kind'] == 'scam' for r in rows)}, "
          f"honest {sum(r['meta']['kind'] == 'honest' for r in rows)}")
    print(f"reader time per page: mean {sum(r['ms'] for r in rows) / len(rows):.3f} ms, "
          f"max {max(r['ms'] for r in rows):.3f} ms (node)")
    print()
    print("| split | lang | pages | reader P | reader R | codes exact | warning P | warning R | warn FP | warn FN |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for split in ("train", "eval", "all"):
        for lang in ("kk", "ru", "en", "all"):
            sel = [r for r in rows
                   if split in ("all", r["split"]) and lang in ("all", r["meta"]["lang"])]
            if not sel:
                continue
            rp, rr, *_ = _pr([(bool(r["asks_for"]), bool(r["meta"]["expect"])) for r in sel])
            exact = sum(sorted(r["asks_for"]) == sorted(r["meta"]["expect"]) for r in sel)
            wp, wr, _, wfp, wfn = _pr([(r["level"] in WARN, r["meta"]["kind"] == "scam") for r in sel])
            print(f"| {split} | {lang} | {len(sel)} | {rp} | {rr} | {exact}/{len(sel)} | {wp} | {wr} | {wfp} | {wfn} |")
    if verbose:
        print()
        for r in rows:
            level = r["level"].value if r["level"] else "-"
            mark = "" if sorted(r["asks_for"]) == sorted(r["meta"]["expect"]) else "  (expected " + \
                " ".join(r["meta"]["expect"]) + ")"
            print(f"{r['split']:5} {r['file']:34} {r['meta']['kind']:6} {level:13} {' '.join(r['asks_for'])}{mark}")


if __name__ == "__main__":
    main()
