"""Local servers on 127.0.0.1 that the test peers and the browser tests' sites are built on.

Two kinds, because tests need both:

    ThreadedServer(Handler)            http.server in a daemon thread: reachable while the test's own code
      PageServer(page, certificate=)   blocks (Playwright's sync API, a child process); a page per path
    StreamPeer                         asyncio streams in the test's event loop (DNS-free protocol peers)
      HttpPeer                         one HTTP/1.1 request at a time per connection, answered by respond()
    PeerLoop                           an event loop on a thread, for asyncio peers of a synchronous test

    class Echo(HttpPeer):
        async def respond(self, request: Request) -> Response:
            return Response(200, request.body, {"Content-Type": "text/plain"})

    peer = Echo()
    port = await peer.start()          # an ephemeral port, also peer.port
    await peer.close()

    with PageServer(lambda path: (200, "<p>hi</p>")) as site:   # site.port; stopped on leaving the block
        ...

    loop = PeerLoop()                  # asyncio peers answering another process while the test blocks
    loop.run(peer.start())

Every server listens on an ephemeral port: tests never race each other for a fixed one.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import http.server
import ssl
import subprocess
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

__all__ = ["HttpPeer", "PageServer", "PeerLoop", "QuietHandler", "Request", "Response", "StreamPeer",
           "ThreadedServer", "self_signed_certificate"]


# ---------------------------------------------------------------------------------------------------------
# Threads: http.server


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that logs nothing (the test's output is the test's) and sends whole bodies."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_body(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    quiet_errors = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not self.quiet_errors:
            super().handle_error(request, client_address)


class ThreadedServer:
    """Serves handler on 127.0.0.1:<ephemeral> from a daemon thread until stop(); over TLS with certificate
    ((cert.pem, key.pem)). quiet_errors: a client hanging up mid-answer (a timeout test) prints nothing."""

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler], *,
                 certificate: tuple[Path, Path] | None = None, quiet_errors: bool = False, name: str = "") -> None:
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.quiet_errors = quiet_errors
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(certificate[0]), str(certificate[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port: int = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True, name=name or type(self).__name__).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


class PageServer(ThreadedServer):
    """Answers GET (and POST, whose body it ignores) with page(path without the query) -> (status, html)."""

    def __init__(self, page: Callable[[str], tuple[int, str]], *, certificate: tuple[Path, Path] | None = None) -> None:
        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                status, text = page(self.path.split("?")[0])
                self.send_body(status, text.encode("utf-8"))

            do_POST = do_GET

        super().__init__(Handler, certificate=certificate)


def self_signed_certificate(directory: Path, host: str, *alt_names: str) -> tuple[Path, Path]:
    """Returns (cert.pem, key.pem) written into directory by openssl: valid two days for host and alt_names
    (`*.example.com` allowed); the browser is told to accept it (--ignore-certificate-errors)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    names = ",".join(f"DNS:{name}" for name in (host, *alt_names))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName={names}"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


# ---------------------------------------------------------------------------------------------------------
# asyncio streams


class StreamPeer:
    """A TCP server on 127.0.0.1:<ephemeral> in the running event loop; a subclass implements handle().

    close() also closes the connections still open (a peer that drips its answer, a long poll), so a test
    never waits on a client it has given up on."""

    close_timeout_s = 2.0

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), self.close_timeout_s)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self.handle(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass  # the client hung up, or the peer is closing
        finally:
            self._writers.discard(writer)
            writer.close()


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str  # as sent, with its query
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class HttpPeer(StreamPeer):
    """HTTP/1.1 over StreamPeer: reads each request (headers, then a Content-Length body) and writes
    respond()'s answer with its Content-Length. keep_alive = False closes after one answer and says so
    (`Connection: close`); a HEAD answer carries the headers of the GET one and no body."""

    keep_alive = True

    async def respond(self, request: Request) -> Response:
        raise NotImplementedError

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await _read_request(reader)
            if request is None:
                return
            response = await self.respond(request)
            writer.write(_response_bytes(response, head=request.method == "HEAD", close=not self.keep_alive))
            await writer.drain()
            if not self.keep_alive:
                return


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    """Returns the next request on the connection, or None once the client hangs up or sends no HTTP."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _version = lines[0].split(" ", 2)
        headers = {name.strip().lower(): value.strip()
                   for name, _, value in (line.partition(":") for line in lines[1:] if line)}
        body = await reader.readexactly(int(headers.get("content-length") or 0))
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        return None
    return Request(method, path, headers, body)


def _response_bytes(response: Response, *, head: bool, close: bool) -> bytes:
    try:
        reason = http.HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Status"
    lines = [f"HTTP/1.1 {response.status} {reason}", *(f"{k}: {v}" for k, v in response.headers.items()),
             f"Content-Length: {len(response.body)}"]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else response.body)


class PeerLoop:
    """An event loop on a daemon thread, so asyncio peers answer a server or bot subprocess while a
    synchronous test waits on it. run() and call() give up after timeout_s."""

    def __init__(self, timeout_s: float = 10) -> None:
        self.loop = asyncio.new_event_loop()
        self.timeout_s = timeout_s
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="peer-loop")
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Returns what coro returns, run on the loop."""
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout=self.timeout_s)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Returns fn(*args, **kwargs), called on the loop's thread (peers' state is not locked)."""
        async def call() -> Any:
            return fn(*args, **kwargs)

        return self.run(call())

    def close(self) -> None:
        """Cancels what still runs on the loop (a long poll), then stops and closes it."""
        async def cancel_all() -> None:
            current = asyncio.current_task()
            tasks = [task for task in asyncio.all_tasks() if task is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()
