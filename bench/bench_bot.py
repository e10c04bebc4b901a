"""The bot's messages per second under a burst, and the check page's time to answer.

    .venv/bin/python bench/bench_bot.py [--burst 300] [--page 60]

Starts a real `abaila serve` (the test lists; a local DNS server answers NXDOMAIN at once, WHOIS/RDAP are
closed local ports, so the numbers are the service's and the bot's own work, not a registry's; the default
1.5 s slow-signal deadline), a local Bot API server
(tests/peers/telegram_server.py, real HTTP) and `abaila bot` as a process. Then:

- **bot burst**: `--burst` private messages from as many users land in getUpdates at once (each with a
  link, half of them listed); the figure is answers sent ÷ seconds from the burst to the last answer.
  Run twice: with the default ABAILA_BOT_RATE (25/s, the bot's self-limit under Telegram's ~30/s) and with
  the limit lifted (what the bot and the API could do).
- **page**: POST / with an SMS of three links, `--page` times sequentially: links already checked (the
  verdict cache answers) and links never seen before (every link checked afresh).

Everything shares this machine's cores: read the numbers as a floor, not a promise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests._serve import Serve, environ, wait_until  # noqa: E402
from tests.conftest import write_lists  # noqa: E402
from tests.peers.dns_server import DnsPeer  # noqa: E402
from tests.peers.servers import PeerLoop  # noqa: E402
from tests.peers.telegram_server import BotApiPeer  # noqa: E402

TOKEN = "123456:BENCH-token"


def _burst(service: Serve, tmp: Path, n: int, rate: str, start_id: int) -> tuple[float, float, float]:
    """Returns (messages/s, p50 s, max s) of answering n private messages sent at once."""
    loop = PeerLoop(timeout_s=30)
    peer = BotApiPeer(TOKEN)
    loop.run(peer.start())
    env = {**service.env, "ABAILA_TELEGRAM_TOKEN": TOKEN, "ABAILA_TELEGRAM_API_URL": f"http://127.0.0.1:{peer.port}",
           "ABAILA_SERVICE_URL": service.base, "ABAILA_BOT_STATE": str(tmp / f"bot-{rate}.json"),
           "ABAILA_BOT_RATE": rate, "ABAILA_LOG_LEVEL": "warning"}
    bot = subprocess.Popen([sys.executable, "-m", "service", "bot"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: "getUpdates" in peer.calls, "the bot polls", 60)
        pushed: dict[int, float] = {}

        def push_all() -> None:
            for i in range(n):
                user = start_id + i
                link = "kaspi-kz.top/unblock" if i % 2 else f"shop-{user}.example.kz/pay"
                peer.push_message(chat={"id": user, "type": "private"}, user={"id": user, "language_code": "ru"},
                                  text=f"Проверьте, пожалуйста: {link}")
                pushed[user] = time.monotonic()

        started = time.monotonic()
        loop.call(push_all)
        wait_until(lambda: len(peer.accepted_at) >= n, f"{n} answers", 600)
        finished = max(at for _, at in peer.accepted_at)
        waits = sorted(at - pushed[chat] for chat, at in peer.accepted_at)
        return n / (finished - started), statistics.median(waits), waits[-1]
    finally:
        bot.terminate()
        bot.wait(timeout=20)
        loop.run(peer.close())
        loop.close()


def _page(service: Serve, n: int, fresh: bool) -> tuple[float, float, float]:
    """Returns (p50 ms, p95 ms, max ms) of POST / with a three-link SMS."""
    times: list[float] = []
    with httpx.Client(base_url=service.base, timeout=30) as client:
        for i in range(n + 1):
            tag = f"{i}-{os.getpid()}" if fresh else "same"
            text = (f"Ваша карта заблокирована: kaspi-kz.top/unblock, подробнее на new-{tag}.example.kz "
                    f"и bit.ly/{tag} (short link: followed). Звоните +7 747 000 11 22")
            started = time.perf_counter()
            response = client.post("/", data={"text": text, "lang": "ru"})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            if i or fresh:  # the first request of the cached run warms the cache
                times.append(elapsed)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], times[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=300, help="messages in the burst")
    parser.add_argument("--page", type=int, default=60, help="page requests per row")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        dns_loop = PeerLoop(timeout_s=30)
        dns = DnsPeer([])  # every name: NXDOMAIN, answered at once
        dns_port = dns_loop.run(dns.start())
        env = environ(tmp, write_lists(tmp / "lists"), ABAILA_ANON_RATE="none", ABAILA_PAGE_RATE="none",
                      ABAILA_LOG_LEVEL="warning", ABAILA_DNS_SERVERS=f"127.0.0.1:{dns_port}",
                      ABAILA_CHECK_DEADLINE_MS="1500")
        service = Serve(env, log=tmp / "serve.log")
        try:
            rows = []
            for label, rate, start in (("bot burst, self-limit 25/s (default)", "25", 10_000),
                                       ("bot burst, self-limit lifted", "100000", 20_000)):
                per_s, p50, worst = _burst(service, tmp, args.burst, rate, start)
                rows.append((label, f"{per_s:7.1f} msg/s", f"p50 {p50 * 1000:7.0f} ms", f"max {worst * 1000:7.0f} ms"))
            for label, fresh in (("page POST /, 3 links already checked", False),
                                 ("page POST /, 3 links never seen", True)):
                p50, p95, worst = _page(service, args.page, fresh)
                rows.append((label, f"p50 {p50:7.1f} ms", f"p95 {p95:7.1f} ms", f"max {worst:7.1f} ms"))
        finally:
            service.stop()
    print(f"{'measure':<40} {'':>14} {'':>14} {'':>14}")
    for row in rows:
        print(f"{row[0]:<40} {row[1]:>14} {row[2]:>14} {row[3]:>14}")
    load = os.getloadavg()[0]
    print(f"(burst of {args.burst} private messages, one link each; page: {args.page} requests per row; "
          f"{os.cpu_count()} CPUs, load average {load:.1f} while measuring)")


if __name__ == "__main__":
    main()
