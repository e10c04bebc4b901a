"""The status of the response an app sends, for the middleware that report on it (metrics, usage).

    recorder = ResponseStatus(send)
    await app(scope, receive, recorder)
    recorder.status                      # 200, 429 ...; 500 if the app raised before starting a response
"""

from __future__ import annotations

from starlette.types import Message, Send

__all__ = ["ResponseStatus"]


class ResponseStatus:
    """An ASGI send that passes every message on and keeps the status of the response it starts."""

    def __init__(self, send: Send) -> None:
        # 500 until a response starts: an app that raised is answered 500 by ServerErrorMiddleware outside.
        self.status = 500
        self._send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self._send(message)
