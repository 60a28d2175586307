"""The Sanic app the HTTP half of the hostile-input suite attacks, a real server running it,
and what every refusal must look like (API.md sections 5 and 6)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from forge import SECRET, claims
from sanic import Request, Sanic
from sanic.response import json as json_response

from sanic_jwt_extended import (
    JWT,
    Token,
    TokenManager,
    jwt_optional,
    jwt_required,
    refresh_jwt_required,
)

Sanic.test_mode = True

LOCATIONS = ("headers", "cookies", "query_string", "json")
CSRF = "0b7f1c52-8f1e-4c7e-9a8e-5b4c1d2e3f40"  # the csrf claim of forged cookie tokens
_names = itertools.count()


def build_app(
    *token_location: str, hooks: dict[str, Any] | None = None, **options: Any
) -> Sanic[Any, Any]:
    """An app reading tokens from `token_location` (HS256 with forge's SECRET unless keyed).

    `hooks`: the app's hooks by registration name (`{"user_loader": find_user}`).

    Routes, each for GET and POST: /access (jwt_required), /refresh (refresh_jwt_required),
    /optional (jwt_optional); each answers 200 with the token's identity.
    """
    app = Sanic(f"security-http-{os.getpid()}-{next(_names)}")
    app.config.TOUCHUP = False  # it costs 0.1 s a request
    app.config.AUTO_EXTEND = False  # sanic-ext, when installed, would double each request's cost
    with JWT.initialize(app) as manager:
        if not any(k in options for k in ("secret_key", "private_key", "public_key")):
            manager.config.secret_key = SECRET
        manager.config.token_location = token_location or ("headers",)
        for name, value in options.items():
            setattr(manager.config, name, value)
        for name, hook in (hooks or {}).items():
            getattr(manager, name)(hook)

    @app.route("/access", methods=["GET", "POST"])
    @jwt_required
    async def access(request: Request, token: Token) -> Any:
        return json_response({"identity": token.identity})

    @app.route("/refresh", methods=["GET", "POST"])
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> Any:
        return json_response({"identity": token.identity})

    @app.route("/optional", methods=["GET", "POST"])
    @jwt_optional
    async def optional(request: Request, token: Token | None) -> Any:
        return json_response({"identity": None if token is None else token.identity})

    return app


@dataclass(frozen=True)
class Site:
    """A started app and an httpx client that calls it in process through ASGI."""

    app: Sanic[Any, Any]
    client: httpx.AsyncClient

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request("POST", path, **kwargs)


@asynccontextmanager
async def started(*apps: Sanic[Any, Any]) -> AsyncIterator[list[Site]]:
    """Start each app once (as Sanic's ASGI lifespan does) and serve it to an httpx client.

    sanic-testing's `app.asgi_client` restarts the app for every request, and with Sanic 25
    also adds one more request middleware and signal each time (its `not in` check misses
    Sanic's Middleware wrappers), so a reused app slows down request by request.
    """
    async with AsyncExitStack() as stack:
        sites = []
        for app in apps:
            app.asgi = True
            await app._startup()
            await app._server_event("init", "before")
            await app._server_event("init", "after")
            stack.push_async_callback(app._server_event, "shutdown", "after")
            stack.push_async_callback(app._server_event, "shutdown", "before")
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            )
            await stack.enter_async_context(client)
            sites.append(Site(app, client))
        yield sites


def manager_of(app: Sanic[Any, Any] | Site) -> TokenManager:
    """The app's own TokenManager (so tokens are minted for this app, whatever ran last)."""
    if isinstance(app, Site):
        app = app.app
    manager = app.ctx.jwt.manager
    assert isinstance(manager, TokenManager)
    return manager


def live_claims(**overrides: Any) -> dict[str, Any]:
    """forge's valid access claims, dated by the wall clock the app's manager reads."""
    now = time.time()
    base: dict[str, Any] = {"iat": now, "nbf": int(now), "exp": int(now) + 900, "csrf": CSRF}
    base.update(overrides)
    return claims(**base)


def carry(
    location: str, token: str | bytes, *, refresh: bool = False, csrf: str | bytes | None = CSRF
) -> dict[str, Any]:
    """Keyword arguments for a POST that carries `token` where `location` reads it.

    Cookie requests send `csrf` in the CSRF header (double submit), as a browser app would.
    """
    text = token.decode("latin-1") if isinstance(token, bytes) else token
    if location == "headers":
        name = "X-Refresh-Token" if refresh else "Authorization"
        return {"headers": [(name.encode(), b"Bearer " + _raw(token))]}
    if location == "cookies":
        name = "refresh_token_cookie" if refresh else "access_token_cookie"
        headers = [(b"Cookie", name.encode() + b"=" + _raw(token))]
        if csrf is not None:
            headers.append((b"X-CSRF-Token", _raw(csrf)))
        return {"headers": headers}
    if location == "query_string":
        return {"params": {"jwt": text}}
    if location == "json":
        return {"json": {"refresh_token" if refresh else "access_token": text}}
    raise ValueError(location)


def _raw(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def assert_refused(response: Any, status: int, *secrets: str | bytes) -> dict[str, Any]:
    """`response` is exactly `status` with a JSON `{"msg": str}` body, a Bearer challenge when
    401, `Cache-Control: no-store`, and none of `secrets` (the signing secret, the token)
    anywhere in it; returns the body.
    """
    body = response.content
    assert response.status_code == status, (response.status_code, body[:300])
    assert response.headers.get("content-type", "").startswith("application/json"), body[:300]
    payload = json.loads(body)
    assert isinstance(payload, dict), payload
    assert isinstance(payload.get("msg"), str), payload
    assert payload["msg"], payload
    if status == 401:
        assert response.headers.get("www-authenticate", "").startswith("Bearer"), response.headers
    # RFC 9111 section 5.2.2.5: no cache keeps a refusal or replays it
    assert response.headers.get("cache-control") == "no-store", response.headers
    assert b"Traceback" not in body
    everything = (
        body
        + b"\n"
        + b"\n".join(
            f"{k}: {v}".encode("utf-8", "surrogateescape") for k, v in response.headers.items()
        )
    )
    for secret in (SECRET, *secrets):
        raw = _raw(secret)
        if len(raw) >= 12:  # shorter text could be in a message by chance
            assert raw not in everything, f"the response echoes {raw[:40]!r}"
    return payload


# -- a real server ---------------------------------------------------------------------------
@dataclass
class RawResponse:
    """An HTTP/1.1 response read off a socket, shaped like httpx's for `assert_refused`."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
