"""A throw-away redis-server on a free 127.0.0.1 port, for tests that need Redis to go away mid-test.

    server = RedisProcess.start()      # skips (fails under CI) without the redis-server binary
    url = server.url                   # redis://127.0.0.1:<port>/0
    server.kill()                      # gone: connections reset, new ones refused
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

from tests._env import missing
from tests._serve import free_port

__all__ = ["RedisProcess"]


class RedisProcess:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    @classmethod
    def start(cls) -> RedisProcess:
        binary = shutil.which("redis-server")
        if binary is None:
            missing("redis-server is not installed")
        port = free_port()
        process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return cls(process, port)
            except OSError:
                time.sleep(0.05)
        process.kill()
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
