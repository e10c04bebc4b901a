"""The abaila command, run as a user would: a subprocess with ABAILA_* in its environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._env import offline_upstreams
from tests._serve import Serve

ROOT = Path(__file__).resolve().parent.parent


def run(tmp_path: Path, lists_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "ABAILA_LISTS_DIR": str(lists_dir), "ABAILA_VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, cwd=ROOT,
                          env=environ, timeout=120, check=False)


def test_check_offline_json(tmp_path: Path, lists_dir: Path) -> None:
    out = run(tmp_path, lists_dir, "check", "--offline", "--json", "https://pay.kaspi-kz.top/x", "kaspi.kz")
    assert out.returncode == 0, out.stderr
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["verdict"] == "blocked" and first["reasons"][0]["code"] == "list.phishing"
    assert second["verdict"] == "trusted" and second["canonical_url"] == "http://kaspi.kz/"


def test_check_text_in_kazakh(tmp_path: Path, lists_dir: Path) -> None:
    out = run(tmp_path, lists_dir, "check", "--offline", "--lang", "kk", "kaspi-kz.top")
    assert out.returncode == 0, out.stderr
    assert "blocked" in out.stdout and "тізімінде" in out.stdout


def test_check_bad_url_is_an_error_but_others_still_checked(tmp_path: Path, lists_dir: Path) -> None:
    out = run(tmp_path, lists_dir, "check", "--offline", "--json", "javascript:alert(1)", "kaspi-kz.top")
    assert out.returncode == 2
    assert "abaila: 'javascript:alert(1)'" in out.stderr and "hierarchical" in out.stderr
    assert json.loads(out.stdout)["verdict"] == "blocked"


def test_fail_on(tmp_path: Path, lists_dir: Path) -> None:
    assert run(tmp_path, lists_dir, "check", "--offline", "--fail-on", "blocked", "kaspi-kz.top").returncode == 1
    assert run(tmp_path, lists_dir, "check", "--offline", "--fail-on", "blocked", "kaspi.kz").returncode == 0


def test_lists_stats_reports_bad_lines(tmp_path: Path, lists_dir: Path) -> None:
    (lists_dir / "broken.txt").write_text("# name: broken\n# format: plain\ngood-one.top\nbad host!.top\n\n"
                                          "also good.kz\nfine.kz\n", encoding="utf-8")
    out = run(tmp_path, lists_dir, "lists", "stats", "--json")
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    broken = next(item for item in stats["files"] if item["name"] == "broken")
    assert broken["entries"] == 2
    assert {"name": "broken", "category": "unknown", "entries": 2} in stats["lists"]
    assert sorted(p["line"] for p in stats["problems"] if p["path"].endswith("broken.txt")) == [4, 6]


def test_lists_add_then_export_and_stats_include_the_store(tmp_path: Path, lists_dir: Path) -> None:
    added = run(tmp_path, lists_dir, "lists", "add", "fresh-scam.top", "--reason", "seen in a report")
    assert added.returncode == 0, added.stderr
    exported = run(tmp_path, lists_dir, "lists", "export")
    assert "fresh-scam.top" in exported.stdout and "kaspi-kz.top" in exported.stdout
    stats = json.loads(run(tmp_path, lists_dir, "lists", "stats", "--json").stdout)
    assert any(item["entries"] == 1 and item["category"] == "phishing" for item in stats["lists"]
               if item["name"] == "abaila-moderators")
    checked = json.loads(run(tmp_path, lists_dir, "check", "--offline", "--json", "https://fresh-scam.top/x").stdout)
    assert checked["verdict"] == "blocked"
    removed = run(tmp_path, lists_dir, "lists", "remove", "fresh-scam.top", "--reason", "false positive")
    assert removed.returncode == 0, removed.stderr
    again = json.loads(run(tmp_path, lists_dir, "check", "--offline", "--json", "https://fresh-scam.top/x").stdout)
    assert again["verdict"] != "blocked"


def test_lists_export_formats(tmp_path: Path, lists_dir: Path) -> None:
    hosts = run(tmp_path, lists_dir, "lists", "export", "--format", "hosts", "--list", "test-scam")
    assert hosts.returncode == 0, hosts.stderr
    assert "0.0.0.0 kaspi-kz.top" in hosts.stdout and "kaspi.kz\n" not in hosts.stdout
    adblock = run(tmp_path, lists_dir, "lists", "export", "--format", "adblock")
    assert "||kaspi-kz.top^" in adblock.stdout and "||kaspi.kz^" not in adblock.stdout
    missing = run(tmp_path, lists_dir, "lists", "export", "--list", "nope")
    assert missing.returncode == 2 and "no list named 'nope'" in missing.stderr


@pytest.mark.parametrize(("args", "env", "needle"), [
    (["check"], {}, "the following arguments are required"),
    (["frobnicate"], {}, "invalid choice"),
    (["check", "--lang", "de", "a.kz"], {}, "invalid choice"),
    (["check", "a.kz"], {"ABAILA_CHECK_DEADLINE_MS": "soon"}, "ABAILA_CHECK_DEADLINE_MS must be an integer"),
    (["check", "a.kz"], {"ABAILA_LISTS_DIR": "/nonexistent"}, "ABAILA_LISTS_DIR='/nonexistent' is not a directory"),
    (["serve", "--port", "70000"], {}, "--port must be 1-65535"),
])
def test_bad_input_exits_2_with_a_message(tmp_path: Path, lists_dir: Path, args: list[str], env: dict[str, str],
                                          needle: str) -> None:
    out = run(tmp_path, lists_dir, *args, **env)
    assert out.returncode == 2
    assert needle in out.stderr


@pytest.mark.parametrize("command", [[], ["serve"], ["check"], ["lists"], ["lists", "stats"], ["lists", "export"]])
def test_help(tmp_path: Path, lists_dir: Path, command: list[str]) -> None:
    out = run(tmp_path, lists_dir, *command, "--help")
    assert out.returncode == 0 and "usage: abaila" in out.stdout


def test_serve_answers_over_http(tmp_path: Path, lists_dir: Path) -> None:
    import httpx

    environ = {**os.environ, "ABAILA_LISTS_DIR": str(lists_dir), "ABAILA_VAR_DIR": str(tmp_path / "var"),
               "ABAILA_CHECK_DEADLINE_MS": "200", **offline_upstreams(tmp_path)}
    server = Serve(environ)
    try:
        body = httpx.get(f"{server.base}/v1/check", params={"url": "kaspi-kz.top/secret?q=1"}).json()
        assert body["verdict"] == "blocked"
    finally:
        returncode = server.stop()
    stderr = server.log()
    logs = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    # Graceful shutdown on SIGTERM (uvicorn re-raises the signal after shutting down, hence -15).
    assert returncode in (0, -15)
    assert any(entry["msg"].startswith("Application shutdown complete") for entry in logs)
    checks = [entry for entry in logs if entry.get("http", {}).get("path") == "/v1/check"]
    assert checks and checks[0]["status"] == 200 and checks[0]["verdict"] == "blocked" and checks[0]["request_id"]
    assert "secret" not in stderr, "a URL from a query string reached the logs"


def test_lists_dir_without_brands_file_still_protects_bundled_brands(tmp_path: Path, lists_dir: Path) -> None:
    assert not (lists_dir / "brands.toml").exists()
    out = run(tmp_path, lists_dir, "check", "--offline", "--json", "https://hоmebank.kz/login")  # Cyrillic о
    verdict = json.loads(out.stdout)
    assert verdict["verdict"] in ("suspicious", "dangerous")
    assert any(reason["code"].startswith("lookalike.") for reason in verdict["reasons"])
    (lists_dir / "brands.toml").write_text("", encoding="utf-8")  # an empty file protects no brand
    quiet = json.loads(run(tmp_path, lists_dir, "check", "--offline", "--json", "https://hоmebank.kz/login").stdout)
    assert not any(reason["code"].startswith("lookalike.brand") for reason in quiet["reasons"])


def test_serve_with_a_corrupt_sqlite_file_says_so_in_one_line(tmp_path: Path) -> None:
    # Issue 10: a corrupt SQLite file stopped `serve` with a 12 KB traceback (exit 3).
    from tests._serve import abaila, environ
    from tests.conftest import write_lists

    db = tmp_path / "broken.db"
    db.write_bytes(b"this is not a database" * 500)
    env = environ(tmp_path, write_lists(tmp_path / "lists"), ABAILA_DATABASE_URL=f"sqlite+aiosqlite:///{db}")
    out = abaila(env, "serve", "--port", "9")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "ABAILA_DATABASE_URL" in out.stderr and "not a database" in out.stderr
