"""List files to a loaded index, through a snapshot cached by the files' identity.

    blocklists/*.txt ──parse (service.lists)──> IndexBuilder ──write──> var/index-<key>.snap ──mmap──> Index

The key is a hash of every list file's name, size and modification time plus the snapshot format
version, so an unchanged directory starts in milliseconds (the snapshot is loaded, not rebuilt) and any
edit to a list rebuilds it. Parsing a million lines takes a few seconds; it runs in a worker thread when
called from the server (`asyncio.to_thread`) so start-up never blocks the event loop.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from service import lists as list_files
from service.index import Index, IndexBuilder, ListInfo

__all__ = ["LoadedIndex", "build_index", "load_index"]

log = logging.getLogger("abaila.lists")



@dataclass(frozen=True, slots=True)
class LoadedIndex:
    index: Index
    problems: tuple[list_files.ListProblem, ...]
    stats: tuple[dict[str, object], ...]  # per list file: name, category, path, entries, problems, skipped
    from_snapshot: bool
    seconds: float
    snapshot: Path
    version: str = field(default="")  # the snapshot key: changes whenever the list files change


_list_paths = list_files.list_paths


def _snapshot_key(paths: list[Path]) -> str:
    digest = hashlib.sha256(b"abaila-index-v1\n")
    for path in paths:
        stat = path.stat()
        digest.update(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def build_index(parsed: list[list_files.ParsedList], snapshot: Path) -> Index:
    """Returns an index of the parsed lists, written to the snapshot path."""
    builder = IndexBuilder()
    for item in parsed:
        meta = item.meta
        list_id = builder.add_list(ListInfo(meta.name, meta.category, meta.source, meta.licence))
        builder.extend(item.expressions, list_id)
    return builder.build(snapshot)


def load_index(lists_dir: Path, var_dir: Path) -> LoadedIndex:
    """Returns the index of every list file in lists_dir, from a cached snapshot when the files are unchanged."""
    started = time.perf_counter()
    paths = _list_paths(lists_dir)
    key = _snapshot_key(paths)
    snapshot = var_dir / f"index-{key}.snap"
    stats_path = snapshot.with_suffix(".stats.json")
    if snapshot.exists() and stats_path.exists():
        try:
            index = Index.load(snapshot)
            saved = json.loads(stats_path.read_text(encoding="utf-8"))
            problems = tuple(list_files.ListProblem(**p) for p in saved["problems"])
            return LoadedIndex(index, problems, tuple(saved["stats"]), True, time.perf_counter() - started,
                               snapshot, key)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("snapshot %s unusable (%s); rebuilding", snapshot, exc)
    parsed = [list_files.read_list_file(path) for path in paths]
    index = build_index(parsed, snapshot)
    problems = tuple(p for item in parsed for p in item.problems)
    stats = tuple({
        "name": item.meta.name, "category": item.meta.category, "source": item.meta.source,
        "licence": item.meta.licence, "format": item.meta.format, "path": str(path),
        "entries": len(item.expressions), "problems": len(item.problems), "skipped": dict(item.skipped),
    } for path, item in zip(paths, parsed, strict=True))
    stats_path.write_text(json.dumps({"stats": stats, "problems": [
        {"path": p.path, "line": p.line, "text": p.text, "message": p.message} for p in problems]}), encoding="utf-8")
    for old in var_dir.glob("index-*.snap"):
        if old != snapshot:
            old.unlink(missing_ok=True)
            old.with_suffix(".stats.json").unlink(missing_ok=True)
    for problem in problems[:50]:
        log.warning("%s:%s: %s", problem.path, problem.line, problem.message)
    return LoadedIndex(index, problems, stats, False, time.perf_counter() - started, snapshot, key)
