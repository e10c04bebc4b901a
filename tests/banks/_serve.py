"""Real `abaila serve` processes and `abaila keys create`, run as a user would."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests._env import offline_upstreams

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environ(tmp_path: Path, lists_dir: Path, **env: str) -> dict[str, str]:
    return {**os.environ, "ABAILA_LISTS_DIR": str(lists_dir), "ABAILA_VAR_DIR": str(tmp_path / "var"),
            "ABAILA_DATABASE_URL": f"sqlite+aiosqlite:///{(tmp_path / 'abaila.db').as_posix()}",
            **offline_upstreams(tmp_path), "ABAILA_CHECK_DEADLINE_MS": "200", **env}


def abaila(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120, check=False)


def create_key(env: dict[str, str], *, name: str = "test bank", rate: str | None = None, role: str = "bank") -> str:
    """Returns the token `abaila keys create --json` printed."""
    args = ["keys", "create", "--role", role, "--name", name, "--json"] + (["--rate", rate] if rate else [])
    out = abaila(env, *args)
    assert out.returncode == 0, out.stderr
    return str(json.loads(out.stdout)["token"])


@contextlib.contextmanager
def serve(env: dict[str, str], *args: str) -> Iterator[str]:
    """Runs `abaila serve` on a free port until ready; yields its base URL; stops it with SIGTERM."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port), *args], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "serve exited")
            assert time.monotonic() < deadline, "abaila serve did not become ready"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
            process.kill()
            process.communicate()
