"""service.index: exact matches, prefix queries, the overlay, and snapshots."""

from __future__ import annotations

import hashlib
import random
import string
from pathlib import Path

import pytest

from service.index import Index, IndexBuilder, ListInfo, expression_key
from service.urls import expressions

SCAM = ListInfo("scam", "phishing", "tests")
ALLOW = ListInfo("allow", "allowlist", "tests")


def _build(tmp_path: Path, entries: dict[str, ListInfo]) -> Index:
    builder = IndexBuilder()
    for expression, info in entries.items():
        builder.add(expression, builder.add_list(info))
    return builder.build(tmp_path / "index.snap")


def test_host_entry_matches_subdomains_and_paths(tmp_path: Path) -> None:
    index = _build(tmp_path, {"kaspi-kz.top/": SCAM})
    hits = index.match(expressions("https://pay.kaspi-kz.top/card?x=1"))
    assert [(h.expression, h.list.name) for h in hits] == [("kaspi-kz.top/", "scam")]
    assert index.match(expressions("https://kaspi-kz.top.example/")) == []
    assert index.match(expressions("https://notkaspi-kz.top/")) == []


def test_path_entry_matches_only_under_its_path(tmp_path: Path) -> None:
    index = _build(tmp_path, {"sites.example.com/evil-page/": SCAM})
    assert index.match(expressions("https://sites.example.com/evil-page/login"))
    assert not index.match(expressions("https://sites.example.com/honest-page/"))


def test_entry_on_two_lists_reports_both(tmp_path: Path) -> None:
    builder = IndexBuilder()
    a, b = builder.add_list(SCAM), builder.add_list(ListInfo("other", "malware"))
    builder.add("x.kz/", a)
    builder.add("x.kz/", b)
    builder.add("x.kz/", a)  # duplicate
    index = builder.build(tmp_path / "i.snap")
    assert len(index) == 2
    assert sorted(h.list.name for h in index.match(["x.kz/"])) == ["other", "scam"]


def test_prefix_lookup_returns_full_hashes(tmp_path: Path) -> None:
    index = _build(tmp_path, {"kaspi-kz.top/": SCAM, "kaspi.kz/": ALLOW})
    digest = hashlib.sha256(b"kaspi-kz.top/").digest()
    matches = index.lookup_prefixes([digest[:4]])
    assert [(m.full_hash, m.list, m.category) for m in matches] == [(digest, "scam", "phishing")]
    assert index.lookup_prefixes([b"\x00\x00\x00\x00"]) == [] or all(
        m.full_hash[:4] == b"\x00\x00\x00\x00" for m in index.lookup_prefixes([b"\x00\x00\x00\x00"]))


def test_overlay_add_remove_and_snapshot_reload(tmp_path: Path) -> None:
    index = _build(tmp_path, {"kaspi-kz.top/": SCAM})
    index.add("new-scam.top/", SCAM)
    assert index.contains("new-scam.top/", "scam")
    index.remove("kaspi-kz.top/", "scam")
    assert not index.contains("kaspi-kz.top/")
    assert len(index) == 1
    assert [e for e, _ in index.iter_entries()] == ["new-scam.top/"]
    digest = hashlib.sha256(b"new-scam.top/").digest()
    assert [m.full_hash for m in index.lookup_prefixes([digest[:4]])] == [digest]
    index.add("kaspi-kz.top/", SCAM)  # re-adding a removed base entry undoes the removal
    assert index.contains("kaspi-kz.top/") and len(index) == 2
    reloaded = Index.load(tmp_path / "index.snap")
    assert reloaded.contains("kaspi-kz.top/") and not reloaded.contains("new-scam.top/")


def test_random_entries_all_found_and_absent_ones_not(tmp_path: Path) -> None:
    rng = random.Random(7)
    names = {"".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 20))) + ".top/" for _ in range(20000)}
    index = _build(tmp_path, dict.fromkeys(names, SCAM))
    assert len(index) == len(names)
    assert all(index.contains(name) for name in list(names)[:2000])
    absent = ["absent-" + name for name in list(names)[:2000]]
    assert not any(index.contains(name) for name in absent)
    assert index.resident_bytes() < 32 * len(names)  # the budget: 32 MB per million entries
    assert index.is_mapped()  # ...and those bytes are the snapshot's mapped pages, not heap copies


def test_a_truncated_snapshot_is_refused(tmp_path: Path) -> None:
    _build(tmp_path, {f"site{i}.top/": SCAM for i in range(1000)})
    path = tmp_path / "index.snap"
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 1):  # in the arrays, in the text
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="truncated"):
            Index.load(path)


def test_empty_index(tmp_path: Path) -> None:
    index = IndexBuilder().build(tmp_path / "empty.snap")
    assert len(index) == 0 and index.match(["a.kz/"]) == [] and index.lookup_prefixes([b"abcd"]) == []


def test_key_is_xxh3_64_of_the_utf8_expression() -> None:
    import xxhash

    assert expression_key("a/") == xxhash.xxh3_64_intdigest(b"a/")
    assert expression_key("xn--hmebank-9ig.kz/") != expression_key("hmebank.kz/")


def test_prefix_lookup_finds_every_entry_by_its_sha256_prefix(tmp_path: Path) -> None:
    rng = random.Random(3)
    names = sorted({"".join(rng.choices(string.ascii_lowercase, k=8)) + ".kz/" for _ in range(3000)})
    index = _build(tmp_path, dict.fromkeys(names, SCAM))
    for name in names[:300]:
        digest = hashlib.sha256(name.encode()).digest()
        assert digest in [m.full_hash for m in index.lookup_prefixes([digest[:4]])]
    index.remove(names[0], "scam")
    digest = hashlib.sha256(names[0].encode()).digest()
    assert digest not in [m.full_hash for m in index.lookup_prefixes([digest[:4]])]


def test_match_url_equals_match_over_all_expressions(tmp_path: Path) -> None:
    from service.urls import expressions_of, parse

    entries = {"kaspi-kz.top/": SCAM, "sites.example.com/evil-page/": SCAM, "a.b.c/1/2.html?param=1": SCAM,
               "b.c/1/": ALLOW, "x.kz/pay.html": SCAM, "1.2.3.4/x/": SCAM}
    index = _build(tmp_path, entries)
    index.add("late.kz/path/", SCAM)
    urls = ["http://a.b.c/1/2.html?param=1", "https://pay.kaspi-kz.top/card", "https://sites.example.com/evil-page/a",
            "http://x.kz/pay.html?y=1", "http://x.kz/other", "http://1.2.3.4/x/y", "https://late.kz/path/z",
            "https://late.kz/", "https://nothing.kz/a/b"]
    for url in urls:
        parsed = parse(url)
        assert index.match_url(parsed) == index.match(expressions_of(parsed)), url
