"""Account-name look-alikes on real handles: how many ordinary names would be called brand look-alikes.

Reads bench/data/handles_*.txt (real public handles, provenance in each file's header) and prints, per
file, how many names `lookalike.account_name` fires on (the false-positive rate: none of these handles is
a scam account, though a few are brands' own official channels, which moderators allowlist), with every
hit listed so a person can judge it. Also prints the hits on the issue's scam-style examples.

    .venv/bin/python bench/bench_handles.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.brands import default_brands  # noqa: E402
from service.signals.lookalike import account_name_findings  # noqa: E402

_HOST = {"handles_telegram.txt": "t.me", "handles_instagram.txt": "instagram.com"}
SCAM_STYLE = ["kaspi.sale.bonus", "halyk_help_desk", "egov.tolemder", "homebank_support", "kaspi_shop_sale_kz",
              "olx_dostavka_kz", "kaspi_gold_bonus", "halyk_bonus_2026", "egov_shtraf_kz", "kaspii_shop",
              "homebank.help", "kaspi_official_kz", "halykbank_support", "kolesa_oplata", "kazpost_tracking"]


def main() -> None:
    brands = default_brands()
    print(f"{'file':<32} {'names':>6} {'hits':>5} {'rate':>7}")
    hits_all = []
    for path in sorted((ROOT / "bench" / "data").glob("handles_*.txt")):
        names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
        hits = [(n, f[0].evidence) for n in names if (f := account_name_findings(n, brands, _HOST[path.name]))]
        hits_all += hits
        print(f"{path.name:<32} {len(names):>6} {len(hits):>5} {len(hits) / max(1, len(names)):>7.2%}")
    print()
    for name, evidence in hits_all:
        print(f"  hit  {name:<32} {evidence['brand']:<24} {evidence['via']} {evidence.get('keyword', '')}")
    caught = [n for n in SCAM_STYLE if account_name_findings(n, brands)]
    print(f"\nscam-style examples caught: {len(caught)}/{len(SCAM_STYLE)}"
          f"{'; missed: ' + ', '.join(sorted(set(SCAM_STYLE) - set(caught))) if len(caught) < len(SCAM_STYLE) else ''}")


if __name__ == "__main__":
    main()
