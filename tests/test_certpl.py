"""CERT Polska's warning list in and out (service/certpl.py): deleted records dropped, bad ones reported."""

from __future__ import annotations

from service import certpl
from service.lists import parse_list

REGISTER = ('[{"RegisterPositionId": 1, "DomainAddress": "kaspi-bonus.top", "InsertDate": "2026-03-09T15:09:44",'
            ' "DeleteDate": null},\n {"RegisterPositionId": 2, "DomainAddress": "gone.example",'
            ' "InsertDate": "2025-01-01T00:00:00", "DeleteDate": "2025-06-01T00:00:00"},\n {"Lp": 3}]')


def test_json_register_drops_deleted_and_reports_bad_records() -> None:
    parsed = parse_list(REGISTER, format="cert_json")
    assert parsed.expressions == ["kaspi-bonus.top/"]
    assert parsed.skipped["deleted"] == 1 and [p.line for p in parsed.problems] == [3]


def test_csv_register_drops_deleted() -> None:
    text = ("PozycjaRejestru\tAdresDomeny\tDataWpisu\tDataWykreslenia\n1\thalyk-help.xyz\t2026-01-02\t\n"
            "2\told.example\t2025-01-01\t2025-02-01\n")
    parsed = parse_list(text, format="cert_csv")
    assert parsed.expressions == ["halyk-help.xyz/"] and parsed.skipped["deleted"] == 1


def test_export_reads_back_and_leaves_out_non_domains() -> None:
    for write, fmt in ((certpl.write_json, "cert_json"), (certpl.write_csv, "cert_csv")):
        text, dropped = write(["kaspi-bonus.top/", "halyk-help.xyz/", "evil.example/pay.html"])
        assert dropped == 1
        assert parse_list(text, format=fmt).expressions == ["kaspi-bonus.top/", "halyk-help.xyz/"]


def test_nesting_too_deep_is_one_problem() -> None:
    parsed = parse_list("[" + "[" * 20000, format="cert_json")
    assert parsed.expressions == [] and len(parsed.problems) == 1
