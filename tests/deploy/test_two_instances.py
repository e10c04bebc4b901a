"""Two real `abaila serve` instances on this machine's PostgreSQL and Redis share rate limits and list
changes (a moderator's change through one becomes visible through the other)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from tests._env import require_redis
from tests._serve import create_key, environ, serve, wait_until


def test_two_instances_share_limits_and_changes(tmp_path: Path, lists_dir: Path, postgres_url: str) -> None:
    database_url, redis_url = postgres_url, require_redis()
    env = environ(tmp_path, lists_dir, ABAILA_DATABASE_URL=database_url, ABAILA_REDIS_URL=redis_url,
                  ABAILA_ANON_RATE="1000/minute", ABAILA_REDIS_TIMEOUT_MS="2000")  # sharing, not timing
    moderator = create_key(env, name="scale moderator", role="moderator")
    limited = create_key(env, name="scale bank", rate="3/minute")
    host = f"scale-{uuid.uuid4().hex[:10]}.kz"
    with serve(env) as first, serve(env) as second:
        bank = {"Authorization": f"Bearer {limited}"}
        url = {"url": "https://kaspi-kz.top/"}
        assert httpx.get(f"{first}/v1/check", params=url, headers=bank).status_code == 200
        assert httpx.get(f"{second}/v1/check", params=url, headers=bank).status_code == 200
        assert httpx.get(f"{first}/v1/check", params=url, headers=bank).status_code == 200
        refused = httpx.get(f"{second}/v1/check", params=url, headers=bank)
        assert refused.status_code == 429 and refused.headers["retry-after"]  # one budget across instances

        before = httpx.get(f"{second}/v1/check", params={"url": f"https://{host}/pay"}).json()
        assert before["verdict"] != "blocked"
        added = httpx.post(f"{first}/v1/admin/entries", json={"entry": host, "reason": "scale test"},
                           headers={"Authorization": f"Bearer {moderator}"})
        assert added.status_code in (200, 201), added.text
        wait_until(lambda: httpx.get(f"{second}/v1/check", params={"url": f"https://{host}/pay"}).json()["verdict"]
                   == "blocked", "the change on the second instance")
        for base in (first, second):
            ready = httpx.get(f"{base}/readyz").json()["checks"]
            assert ready["store"]["backend"] == "postgresql" and ready["signals"]["cache"] == "redis"
