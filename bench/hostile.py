"""Hostile-input figures for issue 10: how long one bad request, reply or file stalls or grows an instance.

Each case starts a real `abaila serve` (code from --root, default this checkout) on a free port with offline
upstreams, does one attack, and prints a table row: the longest /healthz wait while the attack ran
(seconds unresponsive), the server's RSS growth (MB, VmHWM - start), and requests that escaped a limit.

    .venv/bin/python bench/hostile.py                      # every case, this checkout
    .venv/bin/python bench/hostile.py --root /tmp/old unescape prefixes   # the same against another tree

Cases: unescape, prefixes, xff, redis-down, redis-hang, methods, whois, listbomb, nested, import, flood.
"""

from __future__ import annotations

import argparse
import bz2
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent.parent
LIST = "# name: bench\n# category: phishing\n# format: plain\nkaspi-kz.top\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(root: Path, tmp: Path, **extra: str) -> dict[str, str]:
    lists = tmp / "lists"
    lists.mkdir(exist_ok=True)
    (lists / "bench.txt").write_text(LIST, encoding="utf-8")
    boot = tmp / "rdap.json"
    boot.write_text('{"version": "1.0", "services": []}', encoding="utf-8")
    closed = "127.0.0.1:9"
    whois = ",".join(f"{k}={closed}" for k in ("kz", "com", "top", "xyz", "whois.iana.org"))
    return {**os.environ, "PYTHONPATH": str(root), "ABAILA_LISTS_DIR": str(lists), "ABAILA_VAR_DIR": str(tmp / "var"),
            "ABAILA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'a.db'}", "ABAILA_DNS_SERVERS": closed,
            "ABAILA_WHOIS_SERVERS": whois, "ABAILA_RDAP_BOOTSTRAP": str(boot), "ABAILA_LOG_LEVEL": "warning",
            **extra}


def _cli(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _key(root: Path, env: dict[str, str], role: str = "bank") -> str:
    out = _cli(root, env, "keys", "create", "--role", role, "--name", "bench", "--json", "--rate", "none")
    return str(json.loads(out.stdout)["token"])


@contextlib.contextmanager
def _serve(root: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited {proc.returncode}")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class _Watch:
    """Polls /healthz every 50 ms in a thread; `worst` is the longest wait for an answer, in seconds."""

    def __init__(self, base: str) -> None:
        self.base, self.worst, self._stop = base, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=120) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                with contextlib.suppress(httpx.HTTPError):
                    client.get(self.base + "/healthz")
                self.worst = max(self.worst, time.perf_counter() - started)
                time.sleep(0.05)

    def __enter__(self) -> _Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


Row = dict[str, object]


def case_unescape(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp)
    key = _key(root, env)
    url = "https://a.kz/%" + "25" * (256 * 1024) + "41"  # 512 KB
    body = {"threatInfo": {"threatEntries": [{"url": url}]}}
    with _serve(root, env) as (base, _), _Watch(base) as watch:
        started = time.perf_counter()
        r = httpx.post(base + "/v4/threatMatches:find", json=body, headers={"Authorization": f"Bearer {key}"},
                       timeout=300)
        took = time.perf_counter() - started
    return {"case": "unescape 512 KB on /v4", "status": r.status_code, "request_s": round(took, 2),
            "unresponsive_s": round(watch.worst, 2)}


def case_prefixes(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp)
    with _serve(root, env) as (base, pid):
        before = _rss_mb(pid)
        chunk = b"x" * (1 << 20)

        def body() -> Iterator[bytes]:
            for _ in range(256):
                yield chunk

        with contextlib.suppress(httpx.HTTPError):
            r = httpx.post(base + "/v1/lookup/prefixes", content=body(), timeout=120)
        status = r.status_code if "r" in locals() else "reset"
        growth = _rss_mb(pid, "VmHWM") - before
        limited = sum(httpx.post(base + "/v1/lookup/prefixes", json={"prefixes": []}).status_code == 429
                      for _ in range(130))
    return {"case": "prefixes 256 MB streamed", "status": status, "growth_mb": round(growth, 1),
            "limited_of_130": limited}


def case_xff(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp)
    with _serve(root, env) as (base, _), httpx.Client() as client:
        passed = sum(client.get(base + "/v1/check", params={"url": "http://kaspi-kz.top/"},
                                headers={"X-Forwarded-For": f"10.0.{i // 250}.{i % 250}"}).status_code == 200
                     for i in range(130))
        reports = sum(client.post(base + "/v1/reports", json={"url": f"http://scam{i}.kz/", "kind": "scam"},
                                  headers={"X-Forwarded-For": f"10.1.{i // 250}.{i % 250}"}).status_code == 201
                      for i in range(60))
    return {"case": "rotating X-Forwarded-For", "checks_passed_of_130": passed, "reports_passed_of_60": reports,
            "escaped": (passed - 120) + (reports - 10)}


def case_redis_down(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp, ABAILA_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0", ABAILA_ANON_RATE="100/minute")
    with _serve(root, env) as (base, _), httpx.Client() as client:
        passed = sum(client.get(base + "/v1/check", params={"url": "http://kaspi-kz.top/"}).status_code == 200
                     for _ in range(200))
        reports = sum(client.post(base + "/v1/reports", json={"url": f"http://scam{i}.kz/", "kind": "scam"}
                                  ).status_code in (200, 201, 202) for i in range(20))
        ready = client.get(base + "/readyz").text[:200]
    return {"case": "Redis refused", "checks_passed_of_200": passed, "reports_passed_of_20": reports,
            "escaped": (passed - 100) + (reports - 10), "readyz": ready}


def _silent_server() -> tuple[socket.socket, list[socket.socket]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(100)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            held.append(conn)  # never read, never answered

    threading.Thread(target=accept, daemon=True).start()
    return sock, held


def case_redis_hang(root: Path, tmp: Path) -> Row:
    sock, _ = _silent_server()
    env = _env(root, tmp, ABAILA_REDIS_URL=f"redis://127.0.0.1:{sock.getsockname()[1]}/0")
    with _serve(root, env) as (base, _), httpx.Client(timeout=60) as client:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            client.get(base + "/v1/check", params={"url": "http://kaspi-kz.top/"})
            times.append(time.perf_counter() - started)
    sock.close()
    return {"case": "Redis accepts, never answers", "first_s": round(times[0], 2),
            "median_s": round(sorted(times)[2], 3)}


def case_methods(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp)
    with _serve(root, env) as (base, _), httpx.Client() as client:
        for i in range(2000):
            client.request(f"X{i}", base + f"/nothing/{i}")
        text = client.get(base + "/metrics").text
    series = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
    return {"case": "2000 made-up methods", "metrics_kb": round(len(text) / 1024), "series": series}


class _WhoisFlood:
    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with contextlib.suppress(OSError):
                conn.recv(1024)
                conn.sendall(self.reply)
            conn.close()


def case_whois(root: Path, tmp: Path) -> Row:
    peer = _WhoisFlood(b"Domain Name: x" + b"a" * (32 * 1024))  # 32 KB, no newline
    env = _env(root, tmp, ABAILA_WHOIS_SERVERS=f"kz=127.0.0.1:{peer.port},whois.iana.org=127.0.0.1:9",
               ABAILA_CHECK_DEADLINE_MS="1500")
    with _serve(root, env) as (base, _), _Watch(base) as watch:
        started = time.perf_counter()
        r = httpx.get(base + "/v1/check", params={"url": "http://whois-bomb.kz/"}, timeout=300)
        took = time.perf_counter() - started
        time.sleep(2)  # the background lookup may go on after the answer
    peer.sock.close()
    return {"case": "WHOIS 32 KB, no newline", "status": r.status_code, "check_s": round(took, 2),
            "unresponsive_s": round(watch.worst, 2)}


def _start_peak(root: Path, env: dict[str, str]) -> tuple[int | None, float, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    try:
        for _ in range(600):
            with contextlib.suppress(OSError, ValueError):
                peak = max(peak, _rss_mb(proc.pid, "VmHWM"))
            if proc.poll() is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    peak = max(peak, _rss_mb(proc.pid, "VmHWM"))
                    return None, peak, ""
            time.sleep(0.1)
        return proc.returncode, peak, (proc.stderr.read().decode() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


def case_listbomb(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp)
    lists = Path(env["ABAILA_LISTS_DIR"])
    compressor = bz2.BZ2Compressor(9)
    data = b"".join(compressor.compress(b"\0" * (1 << 20)) for _ in range(512)) + compressor.flush()
    (lists / "bomb.json.bz2").write_bytes(data)
    code, peak, err = _start_peak(root, env)
    return {"case": f"bz2 bomb {len(data)} B -> 512 MB", "exit": code if code is not None else "ready",
            "peak_mb": round(peak), "stderr_bytes": len(err)}


def case_nested(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp)
    lists = Path(env["ABAILA_LISTS_DIR"])
    (lists / "nested.json").write_text("[" * 10_000, encoding="utf-8")
    code, peak, err = _start_peak(root, env)
    row: Row = {"case": "10 KB of nested [ in lists", "exit": code if code is not None else "ready",
                "stderr_bytes": len(err)}
    env2 = _env(root, tmp)
    with _serve(root, env2) as (base, _):
        body = "[" * 100_000 + "]" * 100_000
        row["POST /v1/check nested"] = httpx.post(base + "/v1/check", content=body).status_code
        row["POST prefixes nested"] = httpx.post(base + "/v1/lookup/prefixes", content=body[:60000]).status_code
    return row


def case_import(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp)
    key = _key(root, env, "moderator")
    text = "\n".join(f"imported-{i}.example.kz" for i in range(50_000))
    auth = {"Authorization": f"Bearer {key}"}
    with _serve(root, env) as (base, _), httpx.Client(timeout=300) as client:
        r = client.post(base + "/v1/admin/import", json={"text": text, "format": "plain", "list": "bench-import",
                                                         "category": "phishing", "reason": "bench"}, headers=auth)
        started = time.perf_counter()
        while client.get(base + "/v1/check", params={"url": "http://imported-49999.example.kz/"}
                         ).json().get("verdict") != "blocked":
            if time.perf_counter() - started > 60:
                break
            time.sleep(0.05)
        lag = time.perf_counter() - started
    return {"case": "import 50,000 then check the last", "status": r.status_code, "unlisted_after_2xx_s": round(lag, 2)}


def case_flood(root: Path, tmp: Path) -> Row:
    env = _env(root, tmp, ABAILA_TRUSTED_PROXIES="127.0.0.1")  # before issue 10 uvicorn trusted loopback anyway
    key = _key(root, env, "moderator")
    auth = {"Authorization": f"Bearer {key}"}
    with _serve(root, env) as (base, _), httpx.Client(timeout=60) as client:
        for i in range(200):
            client.post(base + "/v1/reports", json={"url": f"http://flood{i}.kz/", "kind": "scam"},
                        headers={"X-Forwarded-For": f"10.2.{i // 250}.{i % 250}"})
        client.post(base + "/v1/reports", json={"url": "http://genuine-scam.kz/", "kind": "scam"},
                    headers={"X-Forwarded-For": "192.0.2.1"})
        first = client.get(base + "/v1/admin/reports", headers=auth)
        seen, page = json.dumps(first.json()), first.json().get("next_page")
        while page:
            body = client.get(base + "/v1/admin/reports", params={"page": page}, headers=auth).json()
            seen += json.dumps(body)
            page = body.get("next_page")
        newest = client.get(base + "/v1/admin/reports", params={"sort": "newest"}, headers=auth).json()
    return {"case": "200 flood reports, then a genuine one", "groups_first_answer": len(first.json()["groups"]),
            "genuine_reachable": "genuine-scam.kz" in seen,
            "genuine_first_by_newest": "genuine-scam.kz" in json.dumps((newest.get("groups") or [{}])[0])}


CASES: dict[str, Callable[[Path, Path], Row]] = {
    "unescape": case_unescape, "prefixes": case_prefixes, "xff": case_xff, "redis-down": case_redis_down,
    "redis-hang": case_redis_hang, "methods": case_methods, "whois": case_whois, "listbomb": case_listbomb,
    "nested": case_nested, "import": case_import, "flood": case_flood,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=HERE, help="source tree to run (default: this checkout)")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    for name in args.cases:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                row = CASES[name](args.root.resolve(), Path(tmp))
            except Exception as exc:  # one broken case must not hide the others' figures
                row = {"case": name, "error": f"{type(exc).__name__}: {exc}"[:200]}
        print(" | ".join(f"{k}={v}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main()
