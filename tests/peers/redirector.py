"""A redirecting HTTP/1.1 server on 127.0.0.1 for tests: real sockets, real status lines and headers.

    peer = Redirector({"/one": (302, "http://clck.ru:{port}/two"), "/two": (301, "/three"), "/three": (200, None)})
    port = await peer.start()
    peer.requests          # [(method, host header, path), ...] in arrival order

A route is (status, Location or None); `{port}` in a Location becomes the peer's port. A route may add a
delay in seconds as a third item (the answer is held back that long), or `head=False` routes (status 405 to
HEAD, the redirect only to GET). Unknown paths get 404. Every answer carries a body the follower must not
need to read, and the connection closes after it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

__all__ = ["Redirector"]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
            308: "Permanent Redirect", 404: "Not Found", 405: "Method Not Allowed"}


class Redirector:
    def __init__(self, routes: dict[str, tuple[Any, ...]], *, no_head: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.routes = routes
        self.no_head = no_head
        self.requests: list[tuple[str, str, str]] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {name.strip().lower(): value.strip() for name, _, value in
                   (line.partition(":") for line in lines[1:] if line)}
        self.requests.append((method, headers.get("host", ""), path))
        route = self.routes.get(path)
        body = b"<html>" + b"x" * 65536 + b"</html>"  # a body nobody needs: only headers are read
        if route is None:
            status, location, delay = 404, None, 0.0
        else:
            status, location, delay = (*route, 0.0)[:3]
        if method == "HEAD" and path in self.no_head:
            status, location = 405, None
        if delay:
            await asyncio.sleep(delay)
        out = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", "Content-Type: text/html",
               f"Content-Length: {len(body)}", "Connection: close"]
        if location:
            out.append(f"Location: {location.replace('{port}', str(self.port))}")
        try:
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else body))
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
