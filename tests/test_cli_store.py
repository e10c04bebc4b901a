"""The store commands of `abaila` (service/cli_store.py): keys, lists import and the indicator export, run as a
user would (a subprocess with ABAILA_* in its environment), and who the CLI says made a change."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import warnings
from pathlib import Path

from service.cli_store import _actor
from tests._env import missing
from tests.test_cli import run


def test_keys_create_list_revoke(tmp_path: Path, lists_dir: Path) -> None:
    made = run(tmp_path, lists_dir, "keys", "create", "--role", "moderator", "--name", "aigerim")
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[0] == "created key 1 (moderator) for aigerim"
    assert made.stdout.splitlines()[1].startswith("token: abk_") and "only time" in made.stderr
    bank = run(tmp_path, lists_dir, "keys", "create", "--role", "bank", "--name", "halyk", "--rate", "50/second",
               "--json")
    assert bank.returncode == 0, bank.stderr
    made_json = json.loads(bank.stdout)
    assert (made_json["id"], made_json["role"], made_json["rate"]) == (2, "bank", "50/second")
    assert made_json["token"].startswith("abk_")

    revoked = run(tmp_path, lists_dir, "keys", "revoke", "1", "--reason", "left the team")
    assert revoked.returncode == 0 and revoked.stdout.strip() == "revoked key 1 (moderator, aigerim)"
    table = run(tmp_path, lists_dir, "keys", "list").stdout.splitlines()
    assert table[0].split() == ["id", "role", "rate", "created", "revoked", "name"]
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert rows["1"][1] == "moderator" and rows["1"][2] == "-" and rows["1"][4] != "-" and rows["1"][-1] == "aigerim"
    assert rows["2"][1:3] == ["bank", "50/second"] and rows["2"][4] == "-"
    listed = json.loads(run(tmp_path, lists_dir, "keys", "list", "--json").stdout)
    assert [(k["id"], k["revoked_at"] is not None) for k in listed] == [(1, True), (2, False)]

    unknown = run(tmp_path, lists_dir, "keys", "revoke", "99")
    assert unknown.returncode == 2 and "no API key with id 99" in unknown.stderr
    bad_rate = run(tmp_path, lists_dir, "keys", "create", "--role", "bank", "--name", "x", "--rate", "often")
    assert bad_rate.returncode == 2 and "--rate" in bad_rate.stderr


def test_lists_import_prints_bad_lines_refusals_and_indicators(tmp_path: Path, lists_dir: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_text("fresh-scam.kz\nnot a domain !!\ninstagram.com\ncard:4400 4302 1234 5679\n", encoding="utf-8")
    text = run(tmp_path, lists_dir, "lists", "import", str(feed), "--reason", "police bulletin")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("abaila-moderators (phishing, read as ") and ": added 1, unchanged 0, bad lines 1" \
        ", refused 1" in lines[0]
    assert lines[1] == "abaila-indicators (indicators): added 1, unchanged 0"
    assert "refused instagram.com/" in text.stderr and f"{feed}:2:" in text.stderr

    again = run(tmp_path, lists_dir, "lists", "import", str(feed), "--reason", "again", "--dry-run", "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["added"], summary["unchanged"], summary["dry_run"]) == (0, 1, True)
    assert "skipped" not in summary and [r["entry"] for r in summary["refused"]] == ["instagram.com/"]


def test_lists_import_of_an_unreadable_file_is_an_error(tmp_path: Path, lists_dir: Path) -> None:
    absent = run(tmp_path, lists_dir, "lists", "import", str(tmp_path / "absent.txt"), "--reason", "r")
    assert absent.returncode == 2 and f"cannot read {tmp_path / 'absent.txt'}" in absent.stderr
    broken = tmp_path / "feed.txt.gz"
    broken.write_bytes(gzip.compress(b"fresh-scam.kz\n" * 100)[:40])  # cut short
    cut = run(tmp_path, lists_dir, "lists", "import", str(broken), "--reason", "r")
    assert cut.returncode == 2 and f"cannot read {broken}" in cut.stderr


def test_indicator_export_to_a_file(tmp_path: Path, lists_dir: Path) -> None:
    added = run(tmp_path, lists_dir, "lists", "add", "phone:8 747 000 11 22", "--reason", "dropper")
    assert added.returncode == 0, added.stderr
    out = tmp_path / "indicators.json"
    exported = run(tmp_path, lists_dir, "lists", "export", "--kind", "indicators", "--format", "json", "-o", str(out))
    assert exported.returncode == 0 and exported.stdout == "", exported.stderr
    assert [i["entry"] for i in json.loads(out.read_text(encoding="utf-8"))["indicators"]] == ["phone:+77470001122"]
    hosts = run(tmp_path, lists_dir, "lists", "export", "--kind", "indicators", "--format", "hosts")
    assert hosts.returncode == 2 and "indicators export as plain or json, not 'hosts'" in hosts.stderr


def test_the_actor_is_the_login_name_or_cli_without_one() -> None:
    assert _actor(argparse.Namespace(actor="aigerim")) == "aigerim"
    assert _actor(argparse.Namespace(actor=None)).startswith("cli:")
    # A container may run the CLI under a uid with no passwd entry and no USER/LOGNAME: getpass fails there.
    if os.geteuid() != 0:
        missing("changing to a uid without a passwd entry needs root")
    read, write = os.pipe()
    with warnings.catch_warnings():  # the child only calls _actor and exits: no lock of another thread is needed
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # the child
        try:
            for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
                os.environ.pop(name, None)
            os.setuid(2_000_000_000)  # no passwd entry has this uid
            os.write(write, _actor(argparse.Namespace(actor=None)).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as answer:
        assert answer.read() == "cli"
