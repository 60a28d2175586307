"""Refusals Sanic's HTTP server makes before any route (and so the library) runs, and how an
app-level exception handler gives them the library's JSON shape (docs/error-handling.md).

A real Sanic server in the test's own event loop, spoken to over a raw socket: an oversized
header or body (413), an unfinished request head (408) and a stalled body (503 "Response
Timeout").
Short timeouts (1 s) so the stalls end quickly; the client gives up only after 15 s.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.exceptions import PayloadTooLarge, RequestTimeout, ServiceUnavailable
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_required
from tests.support.apps import SECRET, new_app

OVERSIZED = b"GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"A" * 100_000 + b"\r\n\r\n"
OVERSIZED_BODY = b"POST /me HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + b"A" * 5000
UNFINISHED_HEAD = b"GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bear"
STALLED_BODY = b"POST /me HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"


def guarded_app(*, shaped: bool) -> Sanic[Any, Any]:
    app = new_app("sanic-refusals")
    app.config.REQUEST_TIMEOUT = 1
    app.config.RESPONSE_TIMEOUT = 1
    app.config.REQUEST_MAX_SIZE = 1000  # bytes of body
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET

    @app.route("/me", methods=["GET", "POST"])
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    if shaped:
        # What the page suggests: the same {"msg": ...} body as the library's refusals.
        @app.exception(PayloadTooLarge, RequestTimeout, ServiceUnavailable)
        async def refused_by_sanic(request: Request, exception: Any) -> HTTPResponse:
            return json({"msg": str(exception)}, status=exception.status_code)

    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(app: Sanic[Any, Any]) -> AsyncIterator[int]:
    port = free_port()  # (Sanic takes port=0 for its default, 8000)
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    await server.start_serving()
    try:
        yield port
    finally:
        await server.before_stop()
        server.close()
        await server.after_stop()


async def exchange(port: int, data: bytes) -> tuple[int, str, bytes]:
    """Send `data`, read one response: (status, content type, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 15)
    finally:
        writer.close()
    return int(lines[0].split()[1]), headers.get("content-type", ""), body


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        (OVERSIZED, 413, "Request header exceeds the size limit"),
        (OVERSIZED_BODY, 413, "Request body exceeds the size limit"),
        (UNFINISHED_HEAD, 408, "Request Timeout"),
        (STALLED_BODY, 503, "Response Timeout"),
    ],
    ids=["oversized-header", "oversized-body", "unfinished-head", "stalled-body"],
)
async def test_sanic_answers_before_any_route_and_an_app_handler_shapes_it(
    request_bytes: bytes, status: int, message: str
) -> None:
    plain, shaped = guarded_app(shaped=False), guarded_app(shaped=True)
    async with serving(plain) as plain_port, serving(shaped) as shaped_port:
        (got, content_type, body), shaped_answer = await asyncio.gather(
            exchange(plain_port, request_bytes), exchange(shaped_port, request_bytes)
        )
    # Sanic's own answer: its error format, not the library's {"msg": ...}.
    assert got == status
    assert message.encode() in body
    assert b"AAAA" not in body
    if request_bytes in (OVERSIZED, UNFINISHED_HEAD):  # no route yet: a plain-text page
        assert content_type.startswith("text/plain")
    else:  # the route is known and answers JSON, so Sanic's JSON error format
        assert jsonlib.loads(body)["message"] == message
    # With the app-level handler: same status, the library's body shape.
    got, content_type, body = shaped_answer
    assert got == status
    assert content_type == "application/json"
    assert jsonlib.loads(body) == {"msg": message}
