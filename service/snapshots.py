"""List files to a loaded index, through a snapshot cached by the files' identity.

    blocklists/*.txt ─┐
    var/feeds/*.list ─┴─parse (service.lists)──> IndexBuilder ──write──> var/index-<key>.snap ──mmap──> Index
                        (a child process: service.rebuild)              (the serving process)

A `Source` is one list file, with the metadata a feed's configuration imposes (a feed's name, category,
source URL and licence win over whatever the downloaded file says). The key is a hash of every source's
path, size, modification time and imposed metadata plus the snapshot format version, so an unchanged set
of sources starts in milliseconds (the snapshot is loaded, not rebuilt) and any edit rebuilds it.

`write_snapshot` does the parsing and writing (seconds for a million lines, ~150 bytes of Python objects
per entry); `open_snapshot` only maps the result (~18 bytes per entry). The server runs the first in a
child process and the second in itself (service.rebuild), so the serving process never holds the build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from service import lists as list_files
from service.index import Index, IndexBuilder, ListInfo

__all__ = ["POPULAR", "LoadedIndex", "Source", "build_index", "list_sources", "load_index", "open_snapshot",
           "popular_path", "remove_old_snapshots", "snapshot_key", "snapshot_path", "write_snapshot"]

log = logging.getLogger("abaila.lists")

POPULAR = "popular"  # the category of ranked lists of popular sites


@dataclass(frozen=True, slots=True)
class Source:
    """One list file to index; a field that is not None overrides what the file's header says."""

    path: Path
    name: str | None = None
    category: str | None = None
    source: str | None = None
    licence: str | None = None
    format: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"path": str(self.path), "name": self.name, "category": self.category, "source": self.source,
                "licence": self.licence, "format": self.format}


@dataclass(frozen=True, slots=True)
class LoadedIndex:
    index: Index
    problems: tuple[list_files.ListProblem, ...]
    stats: tuple[dict[str, object], ...]  # per source: name, category, path, entries, problems, skipped
    from_snapshot: bool
    seconds: float
    snapshot: Path
    version: str = field(default="")  # the snapshot key: changes whenever a source changes


def list_sources(lists_dir: Path) -> list[Source]:
    """Returns the list files of a lists directory (service.lists.list_paths) as sources, sorted."""
    return [Source(p) for p in list_files.list_paths(lists_dir)]


def snapshot_key(sources: Sequence[Source]) -> str:
    """Returns the key of the snapshot of these sources: it changes when any file or imposed field does."""
    digest = hashlib.sha256(b"abaila-index-v2\n")
    for source in sources:
        try:
            stat = source.path.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:  # vanished between listing and hashing: the next look sees the new set
            size, mtime = -1, -1
        imposed = json.dumps([source.name, source.category, source.source, source.licence, source.format])
        digest.update(f"{source.path.resolve()}\0{size}\0{mtime}\0{imposed}\n".encode())
    return digest.hexdigest()[:16]


def snapshot_path(var_dir: Path, key: str) -> Path:
    return var_dir / f"index-{key}.snap"


def read_source(source: Source) -> list_files.ParsedList:
    """Returns the parsed list of one source, with its imposed metadata applied."""
    if source.format is not None:
        try:
            text = source.path.read_bytes().decode("utf-8", "surrogateescape")
        except OSError as exc:
            text = ""
            log.warning("cannot read %s: %s", source.path, exc)
        parsed = list_files.parse_list(text, path=str(source.path), format=source.format)
    else:
        parsed = list_files.read_list_file(source.path)
    imposed = {key: value for key, value in (("name", source.name), ("category", source.category),
                                             ("source", source.source), ("licence", source.licence))
               if value is not None}
    if imposed:
        parsed = dataclasses.replace(parsed, meta=dataclasses.replace(parsed.meta, **imposed))
    return parsed


def build_index(parsed: list[list_files.ParsedList], snapshot: Path) -> Index:
    """Returns an index of the parsed lists, written to the snapshot path."""
    return _builder(parsed).build(snapshot)


def _builder(parsed: list[list_files.ParsedList]) -> IndexBuilder:
    builder = IndexBuilder()
    for item in parsed:
        meta = item.meta
        list_id = builder.add_list(ListInfo(meta.name, meta.category, meta.source, meta.licence))
        builder.extend(item.expressions, list_id)
    return builder


def popular_path(snapshot: Path) -> Path:
    """Returns where the popular sites of a snapshot go (their own index: they never match as entries)."""
    return snapshot.with_name(snapshot.name.replace("index-", "popular-", 1))


def write_snapshot(sources: Sequence[Source], var_dir: Path, key: str | None = None) -> Path:
    """Parses the sources and writes their snapshot (and its stats file) under var_dir; returns its path.

    This is the memory-hungry half: the server calls it in a child process (service.rebuild).
    """
    key = key or snapshot_key(sources)
    snapshot = snapshot_path(var_dir, key)
    parsed = [read_source(source) for source in sources]
    var_dir.mkdir(parents=True, exist_ok=True)
    _builder([item for item in parsed if item.meta.category != POPULAR]).write(snapshot)
    popular = [item for item in parsed if item.meta.category == POPULAR]
    if popular:
        _builder(popular).write(popular_path(snapshot))
    else:
        popular_path(snapshot).unlink(missing_ok=True)
    problems = [p for item in parsed for p in item.problems]
    stats = [{
        "name": item.meta.name, "category": item.meta.category, "source": item.meta.source,
        "licence": item.meta.licence, "format": item.meta.format, "path": str(source.path),
        "entries": len(item.expressions), "problems": len(item.problems), "skipped": dict(item.skipped),
    } for source, item in zip(sources, parsed, strict=True)]
    tmp = snapshot.with_name(f".{snapshot.stem}.stats.tmp")
    tmp.write_text(json.dumps({"stats": stats, "problems": [
        {"path": p.path, "line": p.line, "text": p.text, "message": p.message} for p in problems]}), encoding="utf-8")
    tmp.replace(snapshot.with_suffix(".stats.json"))
    for problem in problems[:50]:
        log.warning("%s:%s: %s", problem.path, problem.line, problem.message)
    return snapshot


def open_snapshot(snapshot: Path, key: str, *, built: bool = False, started: float | None = None) -> LoadedIndex:
    """Returns the index in a written snapshot with its stats (raises OSError/ValueError if unusable)."""
    started = time.perf_counter() if started is None else started
    index = Index.load(snapshot)
    if popular_path(snapshot).exists():
        index.popular = Index.load(popular_path(snapshot))
    try:
        saved = json.loads(snapshot.with_suffix(".stats.json").read_text(encoding="utf-8"))
        problems = tuple(list_files.ListProblem(**p) for p in saved["problems"])
        stats = tuple(saved["stats"])
    except (KeyError, TypeError) as exc:
        raise ValueError(f"stats of {snapshot} unusable: {exc}") from exc
    return LoadedIndex(index, problems, stats, not built, time.perf_counter() - started, snapshot, key)


def remove_old_snapshots(var_dir: Path, keep: Path) -> None:
    """Deletes the snapshots other than keep (a process that still maps one keeps its pages until it swaps)."""
    for old in var_dir.glob("index-*.snap"):
        if old != keep:
            old.unlink(missing_ok=True)
            old.with_suffix(".stats.json").unlink(missing_ok=True)
            popular_path(old).unlink(missing_ok=True)


def load_index(lists_dir: Path | Sequence[Source], var_dir: Path) -> LoadedIndex:
    """Returns the index of the sources (or of every list file in a directory), building it here if needed.

    For the CLI and tests; the server builds in a child process instead (service.rebuild.Rebuilder).
    """
    started = time.perf_counter()
    sources = list_sources(lists_dir) if isinstance(lists_dir, Path) else list(lists_dir)
    key = snapshot_key(sources)
    snapshot = snapshot_path(var_dir, key)
    if snapshot.exists():
        try:
            return open_snapshot(snapshot, key, started=started)
        except (OSError, ValueError) as exc:
            log.warning("snapshot %s unusable (%s); rebuilding", snapshot, exc)
    write_snapshot(sources, var_dir, key)
    loaded = open_snapshot(snapshot, key, built=True, started=started)
    remove_old_snapshots(var_dir, snapshot)
    return loaded
