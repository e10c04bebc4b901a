"""Dockerfile and docker-compose.yml: no Docker engine runs here, so check what can be checked: the files
parse and say what docs/deploy.md promises, and the commands they run work when run directly."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests._serve import ROOT, environ, serve


def _dockerfile() -> list[tuple[str, str]]:
    """Returns (instruction, arguments) pairs, with continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_is_slim_non_root_with_a_healthcheck():
    instructions = _dockerfile()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [args for word, args in instructions if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    for word, args in instructions:
        if word == "COPY":
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: no such file"
    health = next(args for word, args in instructions if word == "HEALTHCHECK")
    assert "/healthz" in health
    cmd = json.loads(next(args for word, args in instructions if word == "CMD"))
    assert cmd[:2] == ["abaila", "serve"]
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "tests", "var"} <= set(ignored)


def test_compose_two_instances_on_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    apis = [name for name, svc in services.items() if svc.get("build") == "."]
    assert len(apis) >= 2
    assert {"postgres", "redis"} <= set(services)
    for name in apis:
        env = services[name]["environment"]
        assert env["ABAILA_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["ABAILA_REDIS_URL"].startswith("redis://redis:")
        assert env["ABAILA_TRUSTED_PROXIES"] == "${ABAILA_TRUSTED_PROXIES:-}"  # empty unless the operator names one
        assert "ABAILA_PUBLIC_URL" in env
        assert {"postgres", "redis"} <= set(services[name]["depends_on"])
    ports = [services[name]["ports"][0].split(":")[0] for name in apis]
    assert len(set(ports)) == len(ports)


def test_the_commands_they_run_work_when_run_directly(tmp_path: Path, lists_dir: Path):
    instructions = _dockerfile()
    env_line = next(args for word, args in instructions if word == "ENV")
    docker_env = dict(re.findall(r"(\w+)=(\S+)", env_line))
    env = environ(tmp_path, lists_dir, ABAILA_LISTS_DIR=str(ROOT / "blocklists"),
                  ABAILA_VAR_DIR=str(tmp_path / "var-docker"))
    assert docker_env["ABAILA_LISTS_DIR"] == "/app/blocklists"  # the same lists as ROOT / "blocklists"
    cmd = json.loads(next(args for word, args in instructions if word == "CMD"))
    health = next(args for word, args in instructions if word == "HEALTHCHECK")
    health_cmd = json.loads(health[health.index("CMD") + 3:].strip())
    assert cmd[cmd.index("--port") + 1] == "8080" and "127.0.0.1:8080" in health_cmd[-1]
    extra = [a for a in cmd[2:] if a not in ("--host", "0.0.0.0", "--port", "8080")]
    with serve(env, *extra) as base:  # `abaila serve` with the image's arguments but a free port
        port = base.rsplit(":", 1)[1]
        probe = [sys.executable if health_cmd[0] == "python" else health_cmd[0], *health_cmd[1:]]
        probe[-1] = probe[-1].replace("127.0.0.1:8080", f"127.0.0.1:{port}")
        result = subprocess.run(probe, capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 0, (shlex.join(probe), result.stderr)
