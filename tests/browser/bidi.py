"""A minimal WebDriver BiDi client: Firefox's built-in Remote Agent over one WebSocket, no geckodriver.

    firefox --headless --remote-debugging-port=P  ──ws://127.0.0.1:P/session──  BiDi(...)
    await bidi.send("session.new", {"capabilities": {}})
    await bidi.send("webExtension.install", {"extensionData": {"type": "path", "path": "/…/extension"}})

Commands are matched to replies by id; events are kept in `events` (nothing here subscribes to any).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any


class BiDiError(RuntimeError):
    """The browser answered a command with an error."""


class BiDi:
    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, url: str, timeout_s: float = 30) -> BiDi:
        """Connects to the Remote Agent, waiting for the browser to start listening."""
        import websockets

        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            try:
                return cls(await websockets.connect(url, max_size=None))
            except (OSError, websockets.InvalidHandshake):
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)

    async def _read(self) -> None:
        async for raw in self._ws:
            message = json.loads(raw)
            future = self._waiting.pop(message.get("id"), None) if "id" in message else None
            if future is not None and not future.done():
                future.set_result(message)
            else:
                self.events.append(message)

    async def send(self, method: str, params: dict[str, Any] | None = None, timeout_s: float = 30) -> dict[str, Any]:
        command_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[command_id] = future
        await self._ws.send(json.dumps({"id": command_id, "method": method, "params": params or {}}))
        message = await asyncio.wait_for(future, timeout_s)
        if message.get("type") == "error":
            raise BiDiError(f"{method}: {message.get('error')}: {message.get('message')}")
        return message["result"]

    async def evaluate(self, context: str, expression: str) -> Any:
        """Evaluates expression in a browsing context's page; returns the value (primitives only)."""
        result = await self.send("script.evaluate", {"expression": expression, "target": {"context": context},
                                                     "awaitPromise": True})
        if result.get("type") == "exception":
            raise BiDiError(f"script.evaluate: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    async def close(self) -> None:
        self._reader.cancel()
        await self._ws.close()
