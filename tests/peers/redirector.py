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
from typing import Any

from tests.peers.servers import HttpPeer, Request, Response

__all__ = ["Redirector"]

_BODY = b"<html>" + b"x" * 65536 + b"</html>"  # a body nobody needs: only headers are read


class Redirector(HttpPeer):
    keep_alive = False

    def __init__(self, routes: dict[str, tuple[Any, ...]], *, no_head: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        super().__init__()
        self.routes = routes
        self.no_head = no_head
        self.requests: list[tuple[str, str, str]] = []

    async def respond(self, request: Request) -> Response:
        self.requests.append((request.method, request.headers.get("host", ""), request.path))
        route = self.routes.get(request.path)
        if route is None:
            status, location, delay = 404, None, 0.0
        else:
            status, location, delay = (*route, 0.0)[:3]
        if request.method == "HEAD" and request.path in self.no_head:
            status, location = 405, None
        if delay:
            await asyncio.sleep(delay)
        headers = {"Content-Type": "text/html"}
        if location:
            headers["Location"] = location.replace("{port}", str(self.port))
        return Response(status, _BODY, headers)
