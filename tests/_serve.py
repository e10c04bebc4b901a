"""Real processes, run as a user would: `abaila serve` on a free port, `abaila keys create`, store tokens.

    port = free_port()                                  # the one free-port helper of the test suite
    env = environ(tmp_path, lists_dir, ABAILA_ANON_RATE="10/minute")
    with serve(env) as base:                            # spawns `abaila serve`, waits for /readyz
        httpx.get(f"{base}/v1/check", params={"url": "kaspi-kz.top"})

`Serve` is the process object behind `serve()`, for tests that need its log, a signal (kill -9) or more than
one instance at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx

from tests._env import ROOT, offline_upstreams

__all__ = ["ROOT", "Serve", "abaila", "auth", "create_key", "create_token", "environ", "free_port", "serve",
           "wait_until"]

READY_SECONDS = 60  # a cold start builds the index snapshot; on a busy 2-core machine that can take a while


def free_port() -> int:
    """Returns a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environ(tmp_path: Path, lists_dir: Path, **env: str) -> dict[str, str]:
    """Returns the environment of a served instance: test lists, a SQLite store in tmp_path, offline upstreams."""
    return {**os.environ, "ABAILA_LISTS_DIR": str(lists_dir), "ABAILA_VAR_DIR": str(tmp_path / "var"),
            "ABAILA_DATABASE_URL": f"sqlite+aiosqlite:///{(tmp_path / 'abaila.db').as_posix()}",
            **offline_upstreams(tmp_path), "ABAILA_CHECK_DEADLINE_MS": "200", **env}


def abaila(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Runs the `abaila` CLI with env and returns its result (never raises on a non-zero exit)."""
    return subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120, check=False)


def create_key(env: dict[str, str], *, name: str = "test bank", rate: str | None = None, role: str = "bank") -> str:
    """Returns the token `abaila keys create --json` printed."""
    args = ["keys", "create", "--role", role, "--name", name, "--json"] + (["--rate", rate] if rate else [])
    out = abaila(env, *args)
    assert out.returncode == 0, out.stderr
    return str(json.loads(out.stdout)["token"])


def create_token(url: str, role: str, name: str, rate: str | None = None) -> str:
    """Returns a new token made directly in the store at url (as `abaila keys create` does)."""
    from service.store import Store

    async def run() -> str:
        store = await Store.open(url)
        try:
            return (await store.create_key(name=name, role=role, actor="tests", rate=rate))[1]
        finally:
            await store.close()

    return asyncio.run(run())


def auth(token: str) -> dict[str, str]:
    """Returns the Authorization header for token."""
    return {"Authorization": f"Bearer {token}"}


def wait_until(predicate: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Returns once predicate() is true; fails naming what after seconds (a guard against a hang, not a
    timing claim: how fast a change spreads is measured in bench/, never asserted in a test)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: still not true after {seconds} s"
        time.sleep(0.05)


class Serve:
    """One `abaila serve` subprocess on a free port, started and ready (GET /readyz answered 200).

    Its stdout and stderr go to log (a file), so a test can read what it logged; without a log, to a temporary
    file (never a pipe nobody reads, which would stall a server that logs a lot), shown if it fails to start.
    """

    def __init__(self, env: dict[str, str], *args: str, log: Path | None = None) -> None:
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._final_log = ""
        command = [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(self.port), *args]
        self._log: IO[bytes] | None = log.open("ab") if log is not None else tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def log(self) -> str:
        """Returns what the process wrote to stdout and stderr so far."""
        if self.log_path is not None:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        if self._log is None:
            return self._final_log
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", errors="replace")

    def _failure(self) -> str:
        return self.log()[-3000:]

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            if self.process.poll() is not None:
                raise AssertionError(f"abaila serve exited {self.process.returncode}: {self._failure()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"abaila serve did not become ready: {self._failure()}")
            time.sleep(0.1)

    def verdict(self, url: str) -> str:
        """Returns the verdict GET /v1/check answers for url."""
        return str(httpx.get(f"{self.base}/v1/check", params={"url": url}, timeout=5).json()["verdict"])

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Sends sig (SIGTERM: a graceful shutdown), waits for the exit and returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._final_log = self.log()  # a temporary file is gone once closed
            self._log.close()
            self._log = None
        return self.process.returncode


@contextlib.contextmanager
def serve(env: dict[str, str], *args: str, log: Path | None = None) -> Iterator[str]:
    """Runs `abaila serve` on a free port until ready; yields its base URL; stops it with SIGTERM."""
    server = Serve(env, *args, log=log)
    try:
        yield server.base
    finally:
        server.stop()
