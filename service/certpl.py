"""CERT Polska's warning list (Lista Ostrzeżeń, hole.cert.pl), in and out.

    domains.json   [{"RegisterPositionId": 1, "DomainAddress": "evil.example", "InsertDate": "2020-03-09T15:09:44",
                     "DeleteDate": null}, ...]
    domains.csv    PozycjaRejestru<TAB>AdresDomeny<TAB>DataWpisu<TAB>DataWykreslenia  (header row, one row a domain)

A record with a DeleteDate (DataWykreslenia) was taken off the list: it is dropped (counted as
skipped["deleted"]), never indexed. Field names as CERT Polska publishes them (and as the pycerthole
client reads them); the position key is also read as `Lp`. `write_json` / `write_csv` give the same shapes
back for `abaila lists export --format cert-json|cert-csv`, with no DeleteDate (only live entries leave).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from service.jsonstream import array_items

__all__ = ["CSV_HEADER", "read_csv", "read_json", "write_csv", "write_json"]

CSV_HEADER = ("PozycjaRejestru", "AdresDomeny", "DataWpisu", "DataWykreslenia")


class _Out(Protocol):
    skipped: dict[str, int]

    def problem(self, line: int, text: str, message: str) -> None: ...
    def entry(self, line: int, text: str, entry: str) -> None: ...


def _records(text: str, out: _Out) -> Iterator[tuple[int, Any]]:
    position = len(text) - len(text.lstrip())
    if not text.startswith("[", position):
        out.problem(1, text[:200], "CERT Polska JSON must be an array of records")
        return
    yield from array_items(text, position, out)


def read_json(text: str, out: _Out) -> None:
    """Reads a domains.json register into out; records with a DeleteDate are dropped."""
    for index, item in _records(text, out):
        if not isinstance(item, dict) or not isinstance(item.get("DomainAddress"), str):
            out.problem(index, str(item)[:200], "record has no DomainAddress")
            continue
        if item.get("DeleteDate"):
            out.skipped["deleted"] += 1
            continue
        out.entry(index, item["DomainAddress"], item["DomainAddress"].strip())


def read_csv(lines: Iterable[tuple[int, str]], out: _Out) -> None:
    """Reads a domains.csv register (tab- or comma-separated) into out; deleted domains are dropped."""
    columns: dict[str, int] | None = None
    for number, line in lines:
        cells = [cell.strip().strip('"') for cell in (line.split("\t") if "\t" in line else next(csv.reader([line])))]
        if columns is None:
            if "AdresDomeny" in cells:
                columns = {name: cells.index(name) for name in CSV_HEADER if name in cells}
                out.skipped["comment"] += 1
                continue
            columns = {"AdresDomeny": 1, "DataWykreslenia": 3}  # no header row: the published column order
        domain_at, deleted_at = columns.get("AdresDomeny", 1), columns.get("DataWykreslenia", 3)
        if len(cells) <= domain_at or not cells[domain_at]:
            out.problem(number, line, f"row has no domain (column {domain_at + 1})")
            continue
        if len(cells) > deleted_at and cells[deleted_at]:
            out.skipped["deleted"] += 1
            continue
        out.entry(number, line, cells[domain_at])


def _domains(expressions: Iterable[str]) -> list[str]:
    # The register holds domains only: host expressions ("evil.example/") without a path.
    return [e[:-1] for e in dict.fromkeys(expressions) if e.endswith("/") and e.index("/") == len(e) - 1]


def write_json(expressions: Iterable[str], *, inserted: str = "") -> tuple[str, int]:
    """Returns (domains.json text, expressions dropped because they are not bare domains)."""
    items = list(dict.fromkeys(expressions))
    domains = _domains(items)
    records = [{"RegisterPositionId": i, "DomainAddress": d, "InsertDate": inserted or None, "DeleteDate": None}
               for i, d in enumerate(domains, 1)]
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n", len(items) - len(domains)


def write_csv(expressions: Iterable[str], *, inserted: str = "") -> tuple[str, int]:
    """Returns (domains.csv text, tab-separated with its header row, and the count dropped)."""
    items = list(dict.fromkeys(expressions))
    domains = _domains(items)
    buffer = io.StringIO()
    buffer.write("\t".join(CSV_HEADER) + "\n")
    for i, domain in enumerate(domains, 1):
        buffer.write(f"{i}\t{domain}\t{inserted}\t\n")
    return buffer.getvalue(), len(items) - len(domains)
