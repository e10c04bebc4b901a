"""The index of list entries: millions of expressions, answered in microseconds, in ~15 bytes each.

An entry is a Safe Browsing expression (`evil.example/`, `host.example/path/`, `a.b/x.html?y=1`) on one
list. The index keeps, per entry, a 64-bit key (XXH3-64 of the expression: five times cheaper to compute
than SHA-256, and the hot path hashes up to 30 expressions per URL), sorted, plus a 2-byte list id; an
array of bucket starts (one per value of the key's top B bits) makes a lookup one or two array reads
instead of a binary search. For the extension's private path, a second sorted array holds each entry's
4-byte SHA-256 prefix with its position. The expression text (needed to answer prefix queries with full
hashes, and for export) sits in a snapshot file that is memory-mapped, so it costs RAM only for the pages
those rare reads touch.

Query steps (`match`):
  1. hash each of the URL's expressions (at most 30) to its 64-bit key;
  2. read the key's bucket range, compare the keys in it (about one);
  3. an equal key is a hit: two expressions share a 64-bit key with probability n / 2**64 (about 5e-14
     per expression for a million entries), far below any list's own error rate, so the hot path never
     reads the text (prefix queries, which must return full hashes, do);
  4. check the overlay (moderators' additions and removals since the snapshot was built).

Update steps: moderators' changes go to the overlay (`add` / `remove`), a small dict applied on top of
the base arrays, so one change never rebuilds millions of entries. A rebuild (`IndexBuilder.write`, in a
child process: `service.rebuild`) makes a new snapshot off to the side; the server loads it, lays the
overlay over it again and swaps it in with one assignment.

Example::

    builder = IndexBuilder()
    lid = builder.add_list(ListInfo("kz-scam", "phishing", "blocklists/kz-scam.txt"))
    builder.add("kaspi-kz.top/", lid)
    index = builder.build(Path("var/index.snap"))
    index.match(expressions("https://pay.kaspi-kz.top/card"))   # -> [Hit("kaspi-kz.top/", ListInfo(...))]
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NewType

import numpy as np
import xxhash

from service.platforms import identify
from service.urls import CanonicalURL, expressions_of

__all__ = [
    "FullHash", "Hit", "Index", "IndexBuilder", "ListInfo", "Prefix", "PrefixMatch", "expression_key", "full_hash",
]

_MAGIC = b"ABAILAIX"
_VERSION = 4  # 4: arrays aligned in the file, so they are mapped rather than read
_ALIGN = 64  # bytes: each array of a snapshot starts on such a boundary
_HEADER = struct.Struct("<8sII")  # magic, version, JSON header length
_unpack_prefix = struct.Struct(">I").unpack_from
_xxh3 = xxhash.xxh3_64_intdigest
try:  # CPython's built-in SHA-256 has a much cheaper constructor than OpenSSL 3's EVP (about 2x per call)
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found]  # CPython-private, no stubs
except ImportError:  # pragma: no cover - other interpreters
    _sha256 = hashlib.sha256


# Hashes get their own types, like safebrowsing's hashPrefix: a 32-byte SHA-256 of an expression and the
# 4-byte prefix of one that a client sends (POST /v1/lookup/prefixes).
FullHash = NewType("FullHash", bytes)
Prefix = NewType("Prefix", bytes)


def full_hash(expression: str) -> FullHash:
    """Returns SHA-256 of the expression's UTF-8 bytes (the Safe Browsing full hash)."""
    return FullHash(hashlib.sha256(expression.encode("utf-8")).digest())


def expression_key(expression: str) -> int:
    """Returns the 64-bit index key of an expression: XXH3-64 of its UTF-8 bytes."""
    return _xxh3(expression.encode("utf-8"))


def _sha_prefix(data: bytes) -> int:
    return int(_unpack_prefix(_sha256(data).digest())[0])


@dataclass(frozen=True, slots=True)
class ListInfo:
    name: str
    category: str  # "phishing", "scam_shop", "malware", ..., or "allowlist"
    source: str = ""
    licence: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "category": self.category, "source": self.source, "licence": self.licence}


@dataclass(frozen=True, slots=True)
class Hit:
    expression: str
    list: ListInfo


@dataclass(frozen=True, slots=True)
class PrefixMatch:
    full_hash: FullHash
    list: str
    category: str


class Index:
    """The lookup form of the entries: sorted keys, bucket starts, list ids, and a memory-mapped text."""

    def __init__(self, *, lists: Sequence[ListInfo], keys: np.ndarray, list_ids: np.ndarray, bits: int,
                 starts: np.ndarray, sha_prefixes: np.ndarray, sha_positions: np.ndarray, offsets: Sequence[int],
                 text: bytes | mmap.mmap, path: Path | None = None) -> None:
        assert keys.dtype == np.uint64 and list_ids.dtype == np.uint16
        self.lists = list(lists)
        self.path = path
        self._keys_array, self._ids_array, self._starts_array = keys, list_ids, starts
        # memoryview indexing returns plain ints about 3x faster than numpy scalar indexing.
        self._keys = memoryview(keys.data).cast("B").cast("Q") if len(keys) else memoryview(b"").cast("Q")
        self._ids = memoryview(list_ids.data).cast("B").cast("H") if len(list_ids) else memoryview(b"").cast("H")
        self._starts = memoryview(starts.data).cast("B").cast("I")
        self._shift = 64 - bits
        self._bits = bits
        self._sha_prefixes, self._sha_positions = sha_prefixes, sha_positions  # sorted uint32, uint32
        self._offsets = offsets
        self._text = text
        # Overlay: moderators' changes since this snapshot. Both map key -> {(expression, list_id)}.
        self._added: dict[int, set[tuple[str, int]]] = {}
        self._removed: set[tuple[int, int]] = set()
        self._list_ids = {info.name: i for i, info in enumerate(self.lists)}
        self.generation = 0  # bumped by every overlay change: caches of answers compare it
        # Popular sites (feeds of category "popular"), kept apart: they never match as list entries, only
        # damp scoring (service.scoring). Attached here so one assignment swaps both (service.rebuild).
        self.popular: Index | None = None

    # -- sizes ------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._keys) + sum(len(v) for v in self._added.values()) - len(self._removed)

    def resident_bytes(self) -> int:
        """Returns the bytes of the lookup path's arrays (keys, list ids, bucket starts, SHA-256 prefixes).

        In a loaded snapshot they are mapped, so they are resident as page cache once touched, not heap.
        """
        return (self._keys_array.nbytes + self._ids_array.nbytes + self._starts_array.nbytes
                + self._sha_prefixes.nbytes + self._sha_positions.nbytes)

    def is_mapped(self) -> bool:
        """Reports whether every lookup array is a view of a memory-mapped snapshot (no copy on the heap)."""
        arrays = (self._keys_array, self._ids_array, self._starts_array, self._sha_prefixes, self._sha_positions)
        return all(isinstance(a.base, memoryview) and isinstance(a.base.obj, mmap.mmap) for a in arrays)

    # -- queries ----------------------------------------------------------------------------------------

    def _text_at(self, position: int) -> str:
        return bytes(self._text[self._offsets[position]:self._offsets[position + 1]]).decode("utf-8")

    def match_url(self, url: CanonicalURL) -> list[Hit]:
        """Returns the entries matching any of a parsed URL's expressions, or its platform identity's key.

        An account, listing or page is listed by its identity key (`instagram.com/kaspi_shop`,
        `phone:+77010001122`), so every URL form of it (case, `www.`/`m.`, mirrors, sub-pages, queries)
        matches the one entry (service.platforms).
        """
        expressions = expressions_of(url)
        identity = identify(url)
        if identity is not None and identity.key not in expressions:
            expressions.append(identity.key)
        return self.match(expressions)

    def match(self, expressions: Iterable[str]) -> list[Hit]:
        """Returns the entries that any of the expressions equals, in expression order."""
        # The hot path: locals instead of attributes, one loop, no call per expression.
        keys, ids, starts, shift, removed, added = \
            self._keys, self._ids, self._starts, self._shift, self._removed, self._added
        xxh3 = _xxh3
        hits: list[Hit] = []
        for expression in expressions:
            key = xxh3(expression.encode("utf-8"))
            bucket = key >> shift
            position, end = starts[bucket], starts[bucket + 1]
            while position < end:
                # Equal 64-bit keys are taken as equal expressions: with n entries a chance match has
                # probability n / 2**64 (~5e-14 for a million), so the hot path never reads the text.
                if keys[position] == key and (not removed or (key, ids[position]) not in removed):
                    hits.append(Hit(expression, self.lists[ids[position]]))
                position += 1
            if added:
                for text, list_id in added.get(key, ()):
                    if text == expression:
                        hits.append(Hit(expression, self.lists[list_id]))
        return hits

    def contains(self, expression: str, list_name: str | None = None) -> bool:
        """Reports whether the expression is on the named list (or on any list)."""
        return any(list_name is None or hit.list.name == list_name for hit in self.match([expression]))

    def lookup_prefixes(self, prefixes: Iterable[Prefix]) -> list[PrefixMatch]:
        """Returns every entry whose full SHA-256 hash starts with one of the 4-byte prefixes."""
        out: list[PrefixMatch] = []
        wanted = []
        for prefix in prefixes:
            assert len(prefix) == 4, "prefixes are 4 bytes"
            wanted.append(_unpack_prefix(prefix)[0])
        if not wanted:
            return out
        targets = np.array(wanted, dtype=np.uint32)
        lows = np.searchsorted(self._sha_prefixes, targets, side="left")
        highs = np.searchsorted(self._sha_prefixes, targets, side="right")
        for low, high in zip(lows.tolist(), highs.tolist(), strict=True):
            for position in self._sha_positions[low:high].tolist():
                list_id = self._ids[position]
                if (self._keys[position], list_id) in self._removed:
                    continue
                info = self.lists[list_id]
                out.append(PrefixMatch(full_hash(self._text_at(position)), info.name, info.category))
        if self._added:
            wanted_set = set(wanted)
            for entries in self._added.values():
                for text, list_id in entries:
                    digest = full_hash(text)
                    if _unpack_prefix(digest)[0] in wanted_set:
                        info = self.lists[list_id]
                        out.append(PrefixMatch(digest, info.name, info.category))
        return out

    def iter_entries(self) -> Iterable[tuple[str, ListInfo]]:
        """Yields every (expression, list) entry; for export and tests, not the hot path."""
        for position in range(len(self._keys)):
            if (self._keys[position], self._ids[position]) not in self._removed:
                yield self._text_at(position), self.lists[self._ids[position]]
        for entries in self._added.values():
            for text, list_id in entries:
                yield text, self.lists[list_id]

    def list_sizes(self) -> dict[str, int]:
        counts = np.bincount(self._ids_array, minlength=len(self.lists)) if len(self._ids_array) else \
            np.zeros(len(self.lists), dtype=np.int64)
        sizes = {info.name: int(counts[i]) for i, info in enumerate(self.lists)}
        for entries in self._added.values():
            for _, list_id in entries:
                sizes[self.lists[list_id].name] += 1
        for _, list_id in self._removed:
            sizes[self.lists[list_id].name] -= 1
        return sizes

    # -- overlay updates ----------------------------------------------------------------------------------

    def list_id(self, info: ListInfo) -> int:
        """Returns the id of a list, registering it in this index if it is new."""
        existing = self._list_ids.get(info.name)
        if existing is not None:
            return existing
        assert len(self.lists) < 65535, "at most 65535 lists"
        self.lists.append(info)
        self._list_ids[info.name] = len(self.lists) - 1
        return len(self.lists) - 1

    def add(self, expression: str, info: ListInfo) -> None:
        """Adds one entry to the overlay (idempotent)."""
        self.generation += 1
        list_id = self.list_id(info)
        key = expression_key(expression)
        self._removed.discard((key, list_id))
        if not self._in_base(key, expression, list_id):
            self._added.setdefault(key, set()).add((expression, list_id))

    def remove(self, expression: str, list_name: str) -> None:
        """Removes one entry (idempotent; a no-op for an entry that is not there)."""
        self.generation += 1
        list_id = self._list_ids.get(list_name)
        if list_id is None:
            return
        key = expression_key(expression)
        entries = self._added.get(key)
        if entries:
            entries.discard((expression, list_id))
            if not entries:
                del self._added[key]
        if self._in_base(key, expression, list_id):
            self._removed.add((key, list_id))

    def _in_base(self, key: int, expression: str, list_id: int) -> bool:
        bucket = key >> self._shift
        for position in range(self._starts[bucket], self._starts[bucket + 1]):
            if self._keys[position] == key and self._ids[position] == list_id and self._text_at(position) == expression:
                return True
        return False

    # -- snapshots --------------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> Index:
        """Returns the index stored in a snapshot file (written by IndexBuilder.build).

        Every array is a view of the memory-mapped file, none a copy: the pages are the kernel's page cache
        (file-backed, shared by every process that maps the snapshot, reclaimable under pressure), so an
        index costs the serving process no heap and loading it reads nothing up front (issue 17: arrays read
        with `np.fromfile` were heap copies, which glibc kept fragmented after each swap).
        """
        with open(path, "rb") as handle:
            magic, version, header_len = _HEADER.unpack(handle.read(_HEADER.size))
            if magic != _MAGIC or version != _VERSION:
                raise ValueError(f"{path} is not an Abaila index snapshot (version {_VERSION})")
            header = json.loads(handle.read(header_len))
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        n, bits = header["entries"], header["bits"]
        layout = _layout(n, bits, _HEADER.size + header_len)
        if len(mapped) < layout["text"][0]:
            raise ValueError(f"{path} is truncated")
        arrays = {name: np.frombuffer(mapped, dtype=dtype, count=count, offset=offset)
                  for name, (offset, dtype, count) in layout.items() if name != "text"}
        text_at = layout["text"][0]
        offsets = memoryview(arrays["offsets"].data).cast("B").cast("I")
        if len(mapped) < text_at + offsets[n]:
            raise ValueError(f"{path} is truncated")
        text = memoryview(mapped)[text_at:]
        lists = [ListInfo(**item) for item in header["lists"]]
        return cls(lists=lists, keys=arrays["keys"], list_ids=arrays["list_ids"], bits=bits, starts=arrays["starts"],
                   sha_prefixes=arrays["sha_prefixes"], sha_positions=arrays["sha_positions"], offsets=offsets,
                   text=text, path=path)  # type: ignore[arg-type]


def _align(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def _layout(n: int, bits: int, header_end: int) -> dict[str, tuple[int, type[np.unsignedinteger], int]]:
    """Returns where each array of a snapshot starts: name -> (byte offset, dtype, count); "text" last.

    Each array starts on a 64-byte boundary (the first on a page), so the mapped views are aligned for
    numpy and for memoryview casts whatever the lengths before them.
    """
    sections = (("keys", np.uint64, n), ("list_ids", np.uint16, n), ("starts", np.uint32, (1 << bits) + 1),
                ("sha_prefixes", np.uint32, n), ("sha_positions", np.uint32, n), ("offsets", np.uint32, n + 1))
    out: dict[str, tuple[int, type[np.unsignedinteger], int]] = {}
    offset = -(-header_end // mmap.PAGESIZE) * mmap.PAGESIZE
    for name, dtype, count in sections:
        out[name] = (offset, dtype, count)
        offset = _align(offset + count * np.dtype(dtype).itemsize)
    out["text"] = (offset, np.uint8, 0)
    return out


class IndexBuilder:
    """The build form: collects (expression, list) entries, then writes and loads a snapshot."""

    def __init__(self) -> None:
        self.lists: list[ListInfo] = []
        self._by_name: dict[str, int] = {}
        self._entries: list[tuple[str, int]] = []

    def add_list(self, info: ListInfo) -> int:
        """Returns the list id for info, adding the list on first use."""
        existing = self._by_name.get(info.name)
        if existing is not None:
            return existing
        self.lists.append(info)
        self._by_name[info.name] = len(self.lists) - 1
        return len(self.lists) - 1

    def add(self, expression: str, list_id: int) -> None:
        self._entries.append((expression, list_id))

    def extend(self, expressions: Iterable[str], list_id: int) -> None:
        self._entries.extend((expression, list_id) for expression in expressions)

    def build(self, path: Path) -> Index:
        """Writes the snapshot to path (atomically, via a temporary file) and returns it loaded."""
        self.write(path)
        return Index.load(path)

    def write(self, path: Path) -> int:
        """Writes the snapshot to path (atomically, via a temporary file); returns the number of entries.

        The build needs ~150 bytes per entry of Python objects, which a process keeps after they are freed;
        the server therefore runs this in a child process (service.rebuild) and only loads the result.
        """
        unique = list(dict.fromkeys(self._entries))
        n = len(unique)
        encoded = [expression.encode("utf-8") for expression, _ in unique]
        keys = np.fromiter((_xxh3(data) for data in encoded), dtype=np.uint64, count=n)
        list_ids = np.fromiter((list_id for _, list_id in unique), dtype=np.uint16, count=n)
        order = np.argsort(keys, kind="stable")
        keys, list_ids = keys[order], list_ids[order]
        bits = max(8, min(24, int(n).bit_length()))
        buckets = (keys >> np.uint64(64 - bits)).astype(np.int64)
        starts = np.searchsorted(buckets, np.arange((1 << bits) + 1), side="left").astype(np.uint32)
        lengths = np.fromiter((len(encoded[i]) for i in order), dtype=np.int64, count=n)
        offsets = np.zeros(n + 1, dtype=np.uint32)
        np.cumsum(lengths, out=offsets[1:])
        text = b"".join(encoded[i] for i in order)
        prefixes = np.fromiter((_sha_prefix(encoded[i]) for i in order), dtype=np.uint32, count=n)
        sha_positions = np.argsort(prefixes, kind="stable").astype(np.uint32)
        sha_prefixes = prefixes[sha_positions]
        header = json.dumps({"entries": n, "bits": bits,
                             "lists": [info.to_json() for info in self.lists]}).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        layout = _layout(n, bits, _HEADER.size + len(header))
        arrays: dict[str, np.ndarray] = {"keys": keys, "list_ids": list_ids, "starts": starts,
                                         "sha_prefixes": sha_prefixes, "sha_positions": sha_positions,
                                         "offsets": offsets}
        with open(tmp, "wb") as out:
            out.write(_HEADER.pack(_MAGIC, _VERSION, len(header)))
            out.write(header)
            for name, (offset, dtype, count) in layout.items():
                out.write(b"\0" * (offset - out.tell()))  # padding up to the aligned start
                if name == "text":
                    out.write(text)
                else:
                    assert arrays[name].dtype == dtype and len(arrays[name]) == count
                    out.write(arrays[name].tobytes())
        os.replace(tmp, path)
        return n
