"""What the fetch tests share: a policy for the local server, a recording MockTransport, a sleep that
only counts, and a raw HTTP server on 127.0.0.1 that sends exactly the bytes it is given, as slowly as
it is told (pytest-httpserver, werkzeug, writes headers itself and cannot trickle them; these tests
need a status line sent a byte a second, or header bytes outside ASCII, exactly as a hostile server would).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
from pytest_httpserver import HTTPServer

from pipeline.fetch import FetchPolicy

STAMP = "2026-11-27T05:30:00Z"
HTML = b"<html><body><h1>Containers support matrix</h1></body></html>"


def local(**overrides: object) -> FetchPolicy:
    """A policy for the local server: both loopback names allowed unless overridden, plain http, quick backoff."""
    settings: dict[str, object] = {
        "allowed_hosts": ("127.0.0.1", "localhost"),
        "require_https": False,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "retries": 2,
        "backoff_base": 0.5,
        "backoff_max": 30.0,
    }
    settings.update(overrides)
    return FetchPolicy(**settings)  # type: ignore[arg-type]


def url_on(server: HTTPServer, host: str, path: str) -> str:
    return f"http://{host}:{server.port}{path}"


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return httpx.MockTransport(record), seen


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@dataclass
class RawServer:
    """Answers every connection with ``head`` (sent at once unless ``trickle_head``), then ``body``,
    one byte every ``interval`` seconds when ``trickle_body``; stops trickling when closed."""

    head: bytes = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
    body: bytes = b"<html><body><h1>Containers support matrix</h1></body></html>"
    trickle_head: bool = False
    trickle_body: bool = False
    interval: float = 1.0
    requests: list[bytes] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _sock: socket.socket | None = None

    @property
    def url(self) -> str:
        assert self._sock is not None
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/page"

    def start(self) -> RawServer:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:  # the accept timeout, or the socket closed
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            self.requests.append(request)
            try:
                self._send(conn, self.head, self.trickle_head)
                self._send(conn, self.body, self.trickle_body)
            except OSError:  # the client gave up: that is what the tests want to see
                return

    def _send(self, conn: socket.socket, data: bytes, trickle: bool) -> None:
        if not trickle:
            conn.sendall(data)
            return
        for i in range(len(data)):
            if self._stop.wait(self.interval if i else 0):
                return
            conn.sendall(data[i : i + 1])


def serving(server: RawServer) -> Iterator[RawServer]:
    """For a fixture: the server started, and closed afterwards whatever the test did."""
    server.start()
    try:
        yield server
    finally:
        server.close()
