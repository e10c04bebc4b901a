"""Tests for service/lists.py and service/listformats.py: readers, detection, headers, problems, export.

Real-file tests read ../shared/data (skipped on a clone without it, required under CI); the expected
counts were checked by hand with the shell one-liners quoted next to them. Fixture tests use the small
samples in tests/fixtures/lists (see its README for where each comes from).
"""

from __future__ import annotations

import bz2
import csv
import json
import time
from pathlib import Path

import pytest

from service.errors import ListFormatError
from service.listformats import _fast_expression
from service.lists import (
    SKIP_KINDS,
    ListMeta,
    detect_format,
    export_list,
    list_paths,
    parse_list,
    read_list_file,
)
from service.platforms import on_platform
from service.urls import entry_to_expression
from tests._env import FIXTURES, ROOT, require_shared_data

LIST_FIXTURES = FIXTURES / "lists"
BLOCKLISTS = ROOT / "blocklists"


def _nonzero(skipped: dict[str, int]) -> dict[str, int]:
    return {kind: count for kind, count in skipped.items() if count}


# ---------------------------------------------------------------------------------------------------------
# Every reader on the real files in ../shared/data

# (path, format, category, expressions, non-zero skip counts, first problem line or None)
REAL_FILES = [
    pytest.param(
        # grep -c '^||[^/]*\^$' -> 8527; grep -c '^!' -> 12; one blank line
        "adblock/blocklistproject_scam-ags_2026-07-18.txt", "adblock", "scam", 8527,
        {"comment": 12, "blank": 1}, None, id="adblock-blocklistproject-scam"),
    pytest.param(
        # grep -c '^||' -> 469; grep -c '^!' -> 6
        "adblock/malware-filter_phishing-filter-agh_2024-08-09.txt", "adblock", "phishing", 469,
        {"comment": 6}, None, id="adblock-phishing-filter"),
    pytest.param(
        # grep -v '^!' | sed 's/\$.*//; s/^||//; s/\^$//' | sort -u | wc -l -> 31822 distinct rules
        # (25768 bare hosts/IPs + 6051 ||host/path^$all + 3 ||host^); 17 collapse when canonicalized:
        # `advertipros.com//?u=` == `advertipros.com/?u=` and 16 web.archive.org `http://` == `http:/`.
        "adblock/malware-filter_urlhaus-filter_2025-07-19.txt", "adblock", "malware", 31805,
        {"comment": 6, "duplicate": 17}, None, id="adblock-urlhaus-filter"),
    pytest.param(
        # 45095 lines, no raw duplicates (sed ... | sort | uniq -d | wc -l -> 0). 20 collapse when canonicalized
        # (`host:8989` == `host`; `at%26tya.html` == `at&tya.html`); 10 rules have a bare TLD as host
        # (`||com/isignesp.php^`, `||ir:8443/impact^`; sed ... | grep -c '^[a-z]*[/:]' -> 10): problems.
        "adblock/openphish-adblock_filters_init_2025-04-18.txt", "adblock", "phishing", 45065,
        {"duplicate": 20, "invalid": 10}, 45009, id="adblock-openphish"),
    pytest.param(
        # grep -c '^0.0.0.0' -> 8527, the same list as the AdGuard one above
        "hosts/blocklistproject_scam_hosts_2026-07-18.txt", "hosts", "scam", 8527,
        {"comment": 12, "blank": 1}, None, id="hosts-blocklistproject-scam"),
    pytest.param(
        # grep -vE '^\s*(#|$)' | sed 's/#.*//' | awk '{for(i=2;i<=NF;i++) print $i}' | wc -l -> 10421 names,
        # 12 of them the localhost preamble (localhost, broadcasthost, ip6-*); grep -cE '^\s*#' -> 248;
        # grep -cE '^\s*$' -> 61
        "hosts/someonewhocares_hosts_zero_2022-07-18.txt", "hosts", "unknown", 10409,
        {"comment": 248, "blank": 61, "localhost": 12}, None, id="hosts-someonewhocares"),
    pytest.param(
        # grep -c '^0\.0\.0\.0 ' -> 112292, minus `0.0.0.0 0.0.0.0` (localhost) and 4 single-label names
        # (`0.0.0.0 inf`, `0.0.0.0 fe #00::0 ip6-localnet`, ...) = 112287; 13 preamble names + 0.0.0.0 = 14
        # localhost; grep -cE '^\s*#' -> 4634; grep -cE '^\s*$' -> 2384
        "hosts/stevenblack_hosts_2022-07-19.txt", "hosts", "unknown", 112287,
        {"comment": 4634, "blank": 2384, "localhost": 14, "invalid": 4}, 55978, id="hosts-stevenblack"),
    pytest.param(
        # grep -c '^127.0.0.1' -> 1089, one is `127.0.0.1<TAB>http` (line 477); grep -c '^#' -> 9
        # (the last line, with no final newline, is a comment)
        "hosts/urlhaus_hostfile_2022-07-19.txt", "hosts", "malware", 1088,
        {"comment": 9, "invalid": 1}, 477, id="hosts-urlhaus"),
    pytest.param(
        # grep -vc '^#\|^$' -> 95101 (12 header lines, one blank)
        "phishing_domains/blocklistproject_phishing-nl_2026-07-06.part1.txt", "plain", "phishing", 95101,
        {"comment": 12, "blank": 1}, None, id="plain-blocklistproject-1"),
    pytest.param(
        # wc -l -> 95114, no header
        "phishing_domains/blocklistproject_phishing-nl_2026-07-06.part2.txt", "plain", "phishing", 95114,
        {}, None, id="plain-blocklistproject-2"),
    pytest.param(
        # wc -l -> 109228; sed 's/ #.*//; s/:[0-9]*$//; s/\.$//' | tr A-Z a-z | sort | uniq -d | wc -l -> 31
        # (44 with canonicalization: 0x-hex IPs, leading dots); 4 problems: `adp`, `cc` (single label, line
        # 12083 first), `cmp.cws.xfinity.com:507@lnkd.in`, one more
        "phishing_domains/phishing-database_ALL-phishing-domains_2020-09-30.part1.txt", "plain", "phishing",
        109180, {"duplicate": 44, "invalid": 4}, 12083, id="plain-phishing-database-1"),
    pytest.param(
        # wc -l -> 109229; 55 raw duplicates after the same sed (69 canonical); 4 problems (`phytoger:00`, ...)
        "phishing_domains/phishing-database_ALL-phishing-domains_2020-09-30.part2.txt", "plain", "phishing",
        109156, {"duplicate": 69, "invalid": 4}, None, id="plain-phishing-database-2"),
    pytest.param(
        # 300 URLs, sort -u -> 300, distinct without the scheme -> 300
        "urls/openphish_feed_2026-08-22.txt", "openphish", "phishing", 300, {}, None, id="openphish"),
    pytest.param(
        # 40124 URLs; sed 's#^https\?://##' | sort -u -> 39174 (http/https twins); 127 more collapse under
        # canonicalization (empty `?`, `//`, %-escapes like `%601d72f` == "`1d72f") -> 39047
        "urls/phishing-database_phishing-links-ACTIVE_2019-05-27.txt", "urls", "phishing", 39047,
        {"duplicate": 1077}, None, id="urls-phishing-database"),
    pytest.param(
        # python csv: 10124 rows, 10118 distinct urls, 9749 without the scheme; 9647 canonical (trailing `?`,
        # `//`, escapes); the header row counts as a comment
        "urls/phishtank_online-valid_2019-10-26.csv", "phishtank_csv", "phishing", 9647,
        {"comment": 1, "duplicate": 477}, None, id="phishtank-csv"),
    pytest.param(
        # json.load(bz2.open(...)): 16173 records, 16151 distinct urls, 16136 without the scheme -> 15995 canonical
        "urls/phishtank_online-valid_2014-10-28.json.bz2", "phishtank_json", "phishing", 15995,
        {"duplicate": 178}, None, id="phishtank-json-bz2"),
    pytest.param(
        # 13710 rows (grep -vc '^#'), all distinct; 13599 without the scheme -> 13262 canonical (ports dropped:
        # 6031 URLs have one); 9 `#` banner lines incl. the column header
        "urls/urlhaus_csv_online_2026-01-27.csv", "urlhaus_csv", "malware", 13262,
        {"comment": 9, "duplicate": 448}, None, id="urlhaus-csv"),
]


@pytest.mark.shared_data
@pytest.mark.parametrize(("relpath", "fmt", "category", "count", "skipped", "first_problem"), REAL_FILES)
def test_real_file(relpath: str, fmt: str, category: str, count: int, skipped: dict[str, int],
                   first_problem: int | None) -> None:
    path = require_shared_data() / relpath
    parsed = read_list_file(path)
    assert parsed.meta.format == fmt
    assert parsed.meta.category == category
    # `count` is the distinct entries counted by hand (the one-liners above). An entry on a platform is stored
    # as its identity (www.x.blogspot.com and x.blogspot.com/post are both x.blogspot.com/: docs/platforms.md),
    # so such entries merge (a duplicate), or are refused when the name is one the platform forbids (invalid);
    # no line is lost.
    merged = _merged(parsed.skipped, skipped)
    assert len(parsed.expressions) + merged == count
    assert len(set(parsed.expressions)) == len(parsed.expressions)
    assert _without_duplicates(_nonzero(parsed.skipped)) == _without_duplicates(skipped)
    assert set(parsed.skipped) == set(SKIP_KINDS)
    assert len(parsed.problems) == parsed.skipped["invalid"]
    if first_problem is not None:
        assert parsed.problems[0].line == first_problem
        assert parsed.problems[0].path == str(path)


def _merged(found: dict[str, int], counted: dict[str, int]) -> int:
    """Returns how many more duplicates and invalid entries the parser found than were counted by hand: the
    entries that became a platform identity already listed, or a name the platform forbids."""
    merged = sum(found[kind] - counted.get(kind, 0) for kind in ("duplicate", "invalid"))
    assert merged >= 0
    return merged


def _without_duplicates(skipped: dict[str, int]) -> dict[str, int]:
    return {kind: n for kind, n in skipped.items() if kind not in ("duplicate", "invalid")}


@pytest.mark.shared_data
@pytest.mark.parametrize("relpath", [p.values[0] for p in REAL_FILES], ids=[p.id for p in REAL_FILES])
def test_detect_format_on_real_file(relpath: str) -> None:
    path = require_shared_data() / relpath
    data = path.read_bytes()
    text = (bz2.decompress(data) if path.suffix == ".bz2" else data).decode()
    expected = next(p.values[1] for p in REAL_FILES if p.values[0] == relpath)
    assert detect_format(text) == ("urls" if expected == "openphish" else expected)


@pytest.mark.shared_data
def test_real_headers() -> None:
    data = require_shared_data()
    scam = read_list_file(data / "adblock/blocklistproject_scam-ags_2026-07-18.txt").meta
    assert (scam.name, scam.source, scam.licence, scam.description) == (
        "Scam Block List", "https://github.com/blocklistproject/Lists", "MIT", "Scam domains")
    filt = read_list_file(data / "adblock/malware-filter_urlhaus-filter_2025-07-19.txt").meta
    assert filt.name == "Malicious URL Blocklist"
    assert filt.source == "https://gitlab.com/malware-filter/urlhaus-filter"  # `! Homepage:` wins over `! Source:`
    assert filt.licence == "https://gitlab.com/malware-filter/urlhaus-filter#license"
    hosts = read_list_file(data / "hosts/stevenblack_hosts_2022-07-19.txt").meta
    assert hosts.name == "StevenBlack/hosts"
    feed = read_list_file(data / "urls/openphish_feed_2026-08-22.txt").meta
    assert feed.name == "openphish_feed_2026-08-22"  # no header: the file stem


@pytest.mark.shared_data
def test_same_list_in_two_formats_gives_the_same_expressions() -> None:
    data = require_shared_data()
    hosts = read_list_file(data / "hosts/blocklistproject_scam_hosts_2026-07-18.txt")
    adblock = read_list_file(data / "adblock/blocklistproject_scam-ags_2026-07-18.txt")
    assert hosts.expressions == adblock.expressions


@pytest.mark.shared_data
def test_url_level_rules_do_not_block_the_whole_host() -> None:
    parsed = read_list_file(require_shared_data() / "adblock/malware-filter_urlhaus-filter_2025-07-19.txt")
    expressions = set(parsed.expressions)
    assert "bitbucket.org/mikelimigel/migeliker/downloads/propertyfiles_2025-04-24.exe" in expressions
    assert "bitbucket.org/" not in expressions
    assert "1.0.209.238/" in expressions  # a bare IPv4 line is a host rule


@pytest.mark.shared_data
def test_fast_path_agrees_with_entry_to_expression_on_real_entries() -> None:
    # The string fast path must give exactly what service.urls gives; every 7th entry of every list.
    data = require_shared_data()
    entries: list[str] = []
    for path in sorted(data.glob("*/*.txt")):
        for number, line in enumerate(path.read_text().split("\n")):
            fields = line.split("$")[0].split(" #")[0].split()
            if number % 7 == 0 and fields and line[0] not in "#!":
                entries.append(fields[-1].lstrip("|").removesuffix("^"))
    with open(data / "urls/phishtank_online-valid_2019-10-26.csv", newline="") as handle:
        entries += [row[1] for row in csv.reader(handle)][1::7]
    checked = 0
    for entry in entries:
        fast = _fast_expression(entry)
        if fast is not None and not on_platform(fast.partition("/")[0]):  # platform entries skip the fast path
            checked += 1
            assert fast == entry_to_expression(entry), entry
    assert checked > 100_000


@pytest.mark.shared_data
def test_all_shared_data_parses_in_a_few_seconds() -> None:
    data = require_shared_data()
    paths = [data / p.values[0] for p in REAL_FILES]
    # CPU time, not wall time: other jobs on a shared test machine must not fail this test.
    started = time.process_time()
    parsed = [read_list_file(path) for path in paths]
    elapsed = time.process_time() - started
    total = sum(len(one.expressions) for one in parsed)
    print(f"\nparsed {len(paths)} files, {total} expressions in {elapsed:.2f} s of CPU")
    merged = sum(_merged(one.skipped, p.values[4]) for one, p in zip(parsed, REAL_FILES, strict=True))
    assert total + merged == sum(p.values[3] for p in REAL_FILES)
    assert elapsed < 15  # ~5 s on the dev machine (1.4 s of it is bzip2); generous for a slow CI box


# ---------------------------------------------------------------------------------------------------------
# Fixtures (run on every clone)

FIXTURE_FILES = [
    # file, format, category, expressions (in file order), non-zero skip counts
    ("blocklistproject_phishing-nl.txt", "plain", "phishing",
     ["0.01.2.13.3.sydneypropertyinvestors.com/", "0.01.2.23.3.sydneypropertyinvestors.com/",
      "000.9.009.09.ekurbani.com/"], {"comment": 12, "blank": 1}),
    ("blocklistproject_scam-ags.txt", "adblock", "scam",
     ["0-google.com/", "007-dvd.com/", "0xf.org/", "1-123hp.com/"], {"comment": 12, "blank": 1}),
    ("malware-filter_urlhaus-filter.txt", "adblock", "malware",
     ["0022a601.pphost.net/",
      "038d159d-b3bc-44dd-a0c4-bec68c0c4123.random.bb2023.duckdns.org/",  # a deep sub-site host is kept whole
      "05webinvite.com/", "0x0.st/8ics.py", "0x0.st/8lat.b64.txt",
      "2024.sci-hub.se/2294/7a43bb4cf6c57229b02a9604a1f4614e/skidmore1966.pdf"], {"comment": 6}),
    ("stevenblack_hosts.txt", "hosts", "unknown",
     ["eu1.clevertap-prod.com/", "wizhumpgyros.com/", "coccyxwickimp.com/"],
     {"comment": 19, "blank": 6, "localhost": 14}),
    ("urlhaus_hostfile.txt", "hosts", "malware",
     ["04193a37.bundles.trovatogroup.com/", "092210b3.bundles.trovatogroup.com/", "1008691.com/", "123hpcom.site/"],
     {"comment": 9}),
    ("urlhaus_online.csv", "urlhaus_csv", "malware",
     ["111.92.243.40/02.08.2022.exe", "8.133.18.61/02.08.2022.exe", "120.55.75.154/02.08.2022.exe"],
     {"comment": 9}),
    ("phishing-database_links.txt", "urls", "phishing",
     [f"120.24.39.159/uploaded/file/{d}" for d in (
         "20180509/20180509204013_61729.html", "20180516/20180516001023_58482.html",
         "20180529/20180529054012_77088.html", "20180530/20180530025719_42060.html",
         "20180714/20180714160913_47245.html")], {}),
    ("phishtank_online-valid.csv", "phishtank_csv", "phishing",
     ["kaspi-kz.example/login.php", "shop.example/pay?a=1,b=2"], {"comment": 1, "duplicate": 1}),
    ("phishtank_online-valid.json.bz2", "phishtank_json", "phishing",
     ["halyk-bonus.example/index.html", "egov-shtraf.example/"], {"duplicate": 1}),
    ("openphish_feed.txt", "openphish", "phishing",
     ["kaspi-kz.example/", "olx-kz.deal-safe.example/pay/card?id=42", "kazpost-dostavka.example/track"], {}),
]


@pytest.mark.parametrize(("name", "fmt", "category", "expressions", "skipped"), FIXTURE_FILES,
                         ids=[f[0] for f in FIXTURE_FILES])
def test_fixture_file(name: str, fmt: str, category: str, expressions: list[str], skipped: dict[str, int]) -> None:
    parsed = read_list_file(LIST_FIXTURES / name)
    assert parsed.meta.format == fmt
    assert parsed.meta.category == category
    assert parsed.expressions[: len(expressions)] == expressions
    assert _nonzero(parsed.skipped) == skipped
    assert parsed.problems == []


# ---------------------------------------------------------------------------------------------------------
# Readers, line by line

ADBLOCK = """[Adblock Plus 2.0]
! Title: Example
!#include other.txt
||kaspi-kz.top^$document
||shop.example/pay/card.php^
|http://exact.example/x?y=1|
@@||kaspi.kz^
example.org##.banner
example.org#@#.ad
example.org#?#div:has(a)
||*.evil.example^
/ban+ner[0-9]/
||bad host^
bare-host.example
||kaspi-kz.top^$third-party
"""


def test_adblock_reader() -> None:
    parsed = parse_list(ADBLOCK, path="a.txt")
    assert parsed.meta.format == "adblock"
    assert parsed.meta.name == "Example"
    assert parsed.expressions == ["kaspi-kz.top/", "shop.example/pay/card.php", "exact.example/x?y=1",
                                  "bare-host.example/"]
    assert _nonzero(parsed.skipped) == {"comment": 2, "include": 1, "exception": 1, "cosmetic": 3,
                                        "unsupported": 2, "duplicate": 1, "invalid": 1}
    assert [(p.path, p.line, p.text) for p in parsed.problems] == [("a.txt", 13, "||bad host^")]


HOSTS = """# comment
127.0.0.1 localhost
::1\tip6-localhost ip6-loopback
255.255.255.255 broadcasthost
0.0.0.0 0.0.0.0
0.0.0.0 a.example   # inline comment
127.0.0.1\tb.example c.example
  # indented comment
#0.0.0.0 commented-out.example
b.example
0.0.0.0
0.0.0.0 bad_host<>.example
"""


def test_hosts_reader() -> None:
    parsed = parse_list(HOSTS, path="h.txt", format="hosts")
    assert parsed.expressions == ["a.example/", "b.example/", "c.example/"]
    assert _nonzero(parsed.skipped) == {"comment": 3, "localhost": 5, "invalid": 3}
    assert [p.line for p in parsed.problems] == [10, 11, 12]
    assert "not a hosts line" in parsed.problems[0].message


PLAIN = """# name: Mine
Evil.Example.
evil.example
münchen-bank.example
sub.evil.example  # note
two words
localhost
xn--e1afmkfd.xn--p1ai
1.2.3.4
0x01020304
a.b:8080
evil\x7f.example
""" + "x" * 9000 + "\n"


def test_plain_reader_and_bad_lines() -> None:
    parsed = parse_list(PLAIN, path="p.txt")
    assert parsed.meta.format == "plain"
    assert parsed.expressions == ["evil.example/", "xn--mnchen-bank-thb.example/", "sub.evil.example/",
                                  "xn--e1afmkfd.xn--p1ai/", "1.2.3.4/", "a.b/"]
    assert parsed.skipped["duplicate"] == 2  # Evil.Example. and 0x01020304
    assert [(p.line, p.text[:9]) for p in parsed.problems] == [
        (6, "two words"), (7, "localhost"), (12, "evil\x7f.exa"), (13, "xxxxxxxxx")]
    assert "longer than 8192" in parsed.problems[-1].message


def test_long_label_and_long_host_are_problems() -> None:
    text = ("a" * 64) + ".example\n" + ".".join(["abcdefghi"] * 26) + ".example\nok.example\n"
    parsed = parse_list(text)
    assert parsed.expressions == ["ok.example/"]
    assert [p.line for p in parsed.problems] == [1, 2]


def test_urls_reader_with_inline_comment_and_fragment() -> None:
    text = "http://a.example/x#frag\nhttps://A.example/x  # dup of the first\nhttp://b.example/%7Euser/\n"
    parsed = parse_list(text, format="urls")
    assert parsed.expressions == ["a.example/x", "b.example/~user/"]
    assert parsed.skipped["duplicate"] == 1


def test_csv_with_no_url_column_is_one_problem() -> None:
    parsed = parse_list("id,name\n1,x\n", format="phishtank_csv")
    assert parsed.expressions == []
    assert [(p.line, p.message) for p in parsed.problems] == [(1, "CSV header has no `url` column")]


def test_json_with_bad_records() -> None:
    text = json.dumps([{"url": "http://a.example/"}, {"nourl": 1}, {"url": "http://b.example/p"}, 7])
    parsed = parse_list(text)
    assert parsed.meta.format == "phishtank_json"
    assert parsed.expressions == ["a.example/", "b.example/p"]
    assert [p.line for p in parsed.problems] == [2, 4]  # record indexes
    truncated = parse_list(text[:-30])
    assert truncated.expressions == ["a.example/"] and "bad JSON" in truncated.problems[-1].message


def test_binary_and_unreadable_files_are_one_problem(tmp_path: Path) -> None:
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "missing.txt"
    broken = tmp_path / "broken.txt.bz2"
    broken.write_bytes(b"not bzip2")
    for path in (binary, missing, broken):
        parsed = read_list_file(path)
        assert parsed.expressions == []
        assert len(parsed.problems) == 1 and parsed.problems[0].line == 0


def test_invalid_utf8_line_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"ok.example\nbad\xe9.example\nfine.example\n")
    parsed = read_list_file(path)
    assert parsed.expressions == ["ok.example/", "fine.example/"]
    assert [(p.line, p.message) for p in parsed.problems] == [(2, "not valid UTF-8")]


# ---------------------------------------------------------------------------------------------------------
# Detection and headers

DETECT = [
    ("evil.example\nother.example\n", "plain"),
    ("0.0.0.0 evil.example\n", "hosts"),
    ("127.0.0.1\tevil.example\n", "hosts"),
    ("||evil.example^\n", "adblock"),
    ("! comment\nevil.example\n", "adblock"),
    ("[Adblock Plus 2.0]\nevil.example\n", "adblock"),
    ("http://evil.example/x\n", "urls"),
    ("phish_id,url,phish_detail_url\n1,http://a.example/,x\n", "phishtank_csv"),
    ('# id,dateadded,url,url_status\n"1","2026","http://a.example/","online"\n', "urlhaus_csv"),
    ('"1","2026","http://a.example/","online"\n', "urlhaus_csv"),
    ('[{"url": "http://a.example/"}]', "phishtank_json"),
    ('{"expressions": []}', "json"),
    ("# format: urls\nevil.example\n", "urls"),
    ("# Format: domains\n0.0.0.0 evil.example\n", "plain"),
    ("! format: adblock\nevil.example\n", "adblock"),
    ("! Format: AdGuard\nevil.example\n", "adblock"),
    ("# format: nonsense\n0.0.0.0 evil.example\n", "hosts"),
    ("", "plain"),
]


@pytest.mark.parametrize(("text", "expected"), DETECT)
def test_detect_format(text: str, expected: str) -> None:
    assert detect_format(text) == expected


def test_unknown_header_format_is_a_problem_and_detection_decides() -> None:
    parsed = parse_list("# format: dnsmasq\n0.0.0.0 a.example\n")
    assert parsed.meta.format == "hosts" and parsed.expressions == ["a.example/"]
    assert [(p.line, p.message) for p in parsed.problems] == [
        (1, "unknown format 'dnsmasq' in header; read as hosts")]


def test_format_argument_wins_and_unknown_one_raises() -> None:
    assert parse_list("# format: hosts\nhttp://a.example/x\n", format="urls").expressions == ["a.example/x"]
    with pytest.raises(ListFormatError, match="unknown list format 'dnsmasq'"):
        parse_list("a.example\n", format="dnsmasq")


HEADERS = [
    ("# name: Mine\n# category: Scam\n# source: https://s.example\n# licence: CC0-1.0\n# description: d\nx.example\n",
     ListMeta("Mine", "scam", "https://s.example", "CC0-1.0", "d", "plain")),
    ("# Title: T\n# License: MIT\n# Homepage: https://h.example\nx.example\n",
     ListMeta("T", "unknown", "https://h.example", "MIT", "", "plain")),
    ("! Title: Phishing filter\n! Homepage: https://h.example\n! License: CC0\n||x.example^\n",
     ListMeta("Phishing filter", "phishing", "https://h.example", "CC0", "", "adblock")),
    ("# Terms Of Use: https://t.example          #\n# name: Boxed   #\nx.example\n",
     ListMeta("Boxed", "unknown", "", "", "", "plain")),
    ("x.example\n# name: too late\n", ListMeta("list", "unknown", "", "", "", "plain")),
    ("# category: allowlist\nkaspi.kz\n", ListMeta("list", "allowlist", "", "", "", "plain")),
    ("http://x.example/\n", ListMeta("list", "unknown", "", "", "", "urls")),
]


@pytest.mark.parametrize(("text", "meta"), HEADERS)
def test_header_parsing(text: str, meta: ListMeta) -> None:
    assert parse_list(text).meta == meta


def test_meta_defaults_from_arguments_and_file_name() -> None:
    parsed = parse_list("# licence: MIT\nx.example\n", path="/tmp/my-scam-list.txt", source="https://s.example",
                        licence="ignored: the header wins")
    assert parsed.meta == ListMeta("my-scam-list", "scam", "https://s.example", "MIT", "", "plain")
    assert parse_list("http://x.example/\n", format="openphish").meta.category == "phishing"
    assert parse_list('"1","2","http://x.example/","online"\n').meta.category == "malware"


# ---------------------------------------------------------------------------------------------------------
# Export

EXPRESSIONS = ["evil.example/", "sub.evil.example/", "1.2.3.4/", "shop.example/pay/", "shop.example/pay.php",
               "shop.example/pay.php?id=1", "odd.example/a*b"]

EXPORTS = [
    # format, expressions that come back, number dropped
    ("plain", ["evil.example/", "sub.evil.example/", "1.2.3.4/"], 4),
    ("hosts", ["evil.example/", "sub.evil.example/"], 5),
    ("adblock", EXPRESSIONS[:-1], 1),
    ("json", EXPRESSIONS, 0),
]


@pytest.mark.parametrize(("fmt", "kept", "dropped"), EXPORTS)
def test_export_round_trip(fmt: str, kept: list[str], dropped: int) -> None:
    meta = ListMeta("Mine", "scam", "https://s.example", "CC0-1.0", "d", "plain")
    text = export_list(EXPRESSIONS, fmt, meta=meta)
    parsed = parse_list(text)
    assert parsed.meta.format == fmt
    assert parsed.expressions == kept
    assert parsed.problems == []
    assert (parsed.meta.name, parsed.meta.category, parsed.meta.licence) == ("Mine", "scam", "CC0-1.0")
    if dropped:
        assert f"dropped: {dropped} " in text


def test_export_shapes() -> None:
    assert export_list(["a.example/"], "hosts").splitlines()[-1] == "0.0.0.0 a.example"
    adblock = export_list(["a.example/", "b.example/dir/", "b.example/f.html", "b.example/f?q=1"], "adblock")
    assert adblock.splitlines()[2:] == ["||a.example^", "||b.example/dir/", "||b.example/f.html^", "||b.example/f?q=1|"]
    document = json.loads(export_list(["a.example/", "b.example/x"], "json"))
    assert document["domains"] == ["a.example"] and document["expressions"] == ["a.example/", "b.example/x"]
    with pytest.raises(ListFormatError, match="unknown export format 'csv'"):
        export_list([], "csv")


@pytest.mark.shared_data
def test_export_round_trip_on_a_real_list() -> None:
    parsed = read_list_file(require_shared_data() / "adblock/malware-filter_urlhaus-filter_2025-07-19.txt")
    again = parse_list(export_list(parsed.expressions, "adblock"))
    assert again.expressions == parsed.expressions
    assert again.problems == []


# ---------------------------------------------------------------------------------------------------------
# blocklists/ and list_paths (the files the server loads)


def test_bundled_blocklists() -> None:
    lists = [read_list_file(p) for p in list_paths(BLOCKLISTS)]
    names = [Path(p.problems[0].path).name if p.problems else p.meta.name for p in lists]
    assert all(not p.problems for p in lists), names
    by_category = {p.meta.category: p for p in lists}
    assert set(by_category) == {"allowlist", "scam"}
    allow, scam = by_category["allowlist"], by_category["scam"]
    assert allow.is_allowlist and not scam.is_allowlist
    for parsed in lists:
        meta = parsed.meta
        assert meta.name and meta.source and meta.description and meta.format == "plain"
        assert meta.licence == "CC0-1.0"
    assert "EXAMPLES" in scam.meta.description
    assert 20 <= len(scam.expressions) <= 40
    assert {"kaspi.kz/", "halykbank.kz/", "olx.kz/", "egov.kz/"} <= set(allow.expressions)
    # No scam entry is allowlisted or sits under an allowlisted domain.
    allowed_hosts = {e[:-1] for e in allow.expressions}
    for expression in scam.expressions:
        host = expression.partition("/")[0]
        labels = host.split(".")
        assert not any(".".join(labels[i:]) in allowed_hosts for i in range(len(labels))), host


def test_allowlist_entries_each_name_their_brand() -> None:
    for number, line in enumerate((BLOCKLISTS / "allowlist.txt").read_text().splitlines(), 1):
        if line and not line.startswith("#"):
            assert "  # " in line, f"allowlist.txt:{number} has no brand comment"


@pytest.mark.shared_data
def test_kz_scam_examples_are_not_popular_domains() -> None:
    popular = set(read_list_file(require_shared_data() / "popular/tranco_top100k_domains.txt").expressions)
    scam = read_list_file(BLOCKLISTS / "kz-scam.txt")
    assert not popular & set(scam.expressions)


def test_list_paths_skips_readme_md_and_brands(tmp_path: Path) -> None:
    for name, text in [("b.txt", "b.example\n"), ("a.txt", "a.example\n"), ("README", "x"), ("notes.md", "x"),
                       ("brands.toml", "x"), (".hidden", "x")]:
        (tmp_path / name).write_text(text)
    (tmp_path / "sub").mkdir()
    assert [read_list_file(p).expressions for p in list_paths(tmp_path)] == [["a.example/"], ["b.example/"]]
    with pytest.raises(ListFormatError):
        list_paths(tmp_path / "absent")


def _bz2_bomb(path: Path, megabytes: int, byte: bytes = b"a") -> Path:
    compressor = bz2.BZ2Compressor(9)
    block = byte * (1 << 20)
    path.write_bytes(b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush())
    return path


@pytest.mark.parametrize("byte, message", [(b"a", "MiB once decompressed"), (b"\0", "binary file")])
def test_a_bz2_bomb_is_one_problem_without_decompressing_it(tmp_path: Path, byte: bytes, message: str) -> None:
    # Issue 10: a 434-byte .json.bz2 (512 MB decompressed) peaked at 1.65 GB. Streamed with a cap now.
    bomb = _bz2_bomb(tmp_path / "bomb.json.bz2", 160, byte)
    assert bomb.stat().st_size < 2000
    parsed = read_list_file(bomb)
    assert parsed.expressions == [] and len(parsed.problems) == 1
    assert message in parsed.problems[0].message


def test_gzip_and_bz2_lists_still_read_as_a_stream(tmp_path: Path) -> None:
    import gzip

    text = "# format: plain\n" + "\n".join(f"shop{i}.kz" for i in range(50_000)) + "\n"
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "b.txt.bz2").write_bytes(bz2.compress(text.encode()))
    (tmp_path / "cut.txt.bz2").write_bytes(bz2.compress(text.encode())[:-40])
    assert len(read_list_file(tmp_path / "a.txt.gz").expressions) == 50_000
    assert len(read_list_file(tmp_path / "b.txt.bz2").expressions) == 50_000
    cut = read_list_file(tmp_path / "cut.txt.bz2")
    assert cut.expressions == [] and "cannot read file" in cut.problems[0].message


@pytest.mark.parametrize("text", ["[" * 10_000, '{"expressions": ' + "[" * 10_000, '["a.kz", ' + "[" * 10_000])
def test_deeply_nested_json_list_is_one_problem(tmp_path: Path, text: str) -> None:
    # Issue 10: 10 KB of nested "[" made `serve` exit 3 with a RecursionError.
    path = tmp_path / "nested.json"
    path.write_text(text, encoding="utf-8")
    parsed = read_list_file(path)
    assert any("nests too deeply" in p.message for p in parsed.problems)


def test_serve_starts_with_hostile_files_in_the_lists_dir(tmp_path: Path) -> None:
    import httpx

    from tests._serve import environ, serve
    from tests.conftest import write_lists

    lists = write_lists(tmp_path / "lists")
    _bz2_bomb(lists / "bomb.json.bz2", 160)
    (lists / "nested.json").write_text("[" * 10_000, encoding="utf-8")
    with serve(environ(tmp_path, lists)) as base:
        ready = httpx.get(base + "/readyz").json()
        verdict = httpx.get(base + "/v1/check", params={"url": "http://kaspi-kz.top/"}).json()
    assert ready["checks"]["lists"]["problems"] == 2 and verdict["verdict"] == "blocked"


def test_cli_imports_a_compressed_json_feed(tmp_path: Path) -> None:
    from tests._serve import abaila, environ
    from tests.conftest import write_lists

    feed = tmp_path / "feed.json.bz2"
    feed.write_bytes(bz2.compress(json.dumps([{"url": "http://phish-one.example/"}]).encode()))
    out = abaila(environ(tmp_path, write_lists(tmp_path / "lists")), "lists", "import", str(feed),
                 "--reason", "feed", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["added"] == 1
