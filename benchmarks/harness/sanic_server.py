"""A Sanic app served by Sanic's own HTTP/1.1 server on a loopback port, from a background
thread, and raw HTTP/1.1 read off a socket: for benchmarks and the tests' wire-level checks."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sanic import Sanic

from .redis_server import free_port

__all__ = ["RawResponse", "RunningServer", "read_response"]


@dataclass
class RawResponse:
    """An HTTP/1.1 response read off a socket, shaped like httpx's for `assert_refused`."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)


class RunningServer:
    """`app` served by Sanic's own HTTP/1.1 server on a loopback port, from a background thread.

    Started once and reused, so raw bytes (not UTF-8, oversized, stalled) reach Sanic's real
    protocol code rather than the ASGI shortcut of the test client.
    """

    def __init__(self, app: Sanic[Any, Any]) -> None:
        self.app = app
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Any = None

    def __enter__(self) -> RunningServer:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._loop.close()

    async def _start(self) -> Any:
        server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        assert server is not None
        await server.startup()
        await server.before_start()
        await server.after_start()
        await server.start_serving()
        return server

    async def _stop(self) -> None:
        server = self._server
        await server.before_stop()
        closing = server.close()
        for connection in list(server.connections):
            connection.close_if_idle()
        if closing is not None:
            await asyncio.wait_for(closing, 10)
        await server.after_stop()

    def run(self, coroutine: Any, timeout: float = 10.0) -> Any:
        """Run `coroutine` in the server's event loop (where its stores live); its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def connect(self, timeout: float = 10.0) -> socket.socket:
        """A client socket to the server whose reads give up after `timeout` seconds."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def send(self, request: bytes, timeout: float = 10.0) -> RawResponse:
        """Send raw bytes and read one response (socket.timeout if none comes in `timeout`)."""
        with self.connect(timeout) as client:
            client.sendall(request)
            return read_response(client)

    def request(
        self, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
    ) -> RawResponse:
        """One request with header values sent byte for byte (no client-side encoding)."""
        lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
        lines += [name + b": " + value for name, value in headers]
        if body:
            lines.append(b"Content-Length: " + str(len(body)).encode())
        return self.send(b"\r\n".join(lines) + b"\r\n\r\n" + body)


def read_response(client: socket.socket) -> RawResponse:
    """Read one response: status line and headers, then exactly Content-Length body bytes."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError(f"the server closed the connection after {buffer[:200]!r}")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = client.recv(65536)
        if not chunk:
            break
        rest += chunk
    return RawResponse(int(status_line.split(" ")[1]), headers, rest[:length])
