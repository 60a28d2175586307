"""Websocket routes: refused with a plain HTTP 401/403 before the upgrade, accepted with a token.

These run a real Sanic server (sanic-testing's SanicTestClient) and a real websocket client.
"""

from __future__ import annotations

import base64
import functools
import os
from collections.abc import Callable
from typing import Any

import pytest
from sanic import Request, Sanic

from sanic_jwt_extended import JWT, Token, jwt_optional, jwt_required
from tests.support.apps import bearer, real_server

UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
}


def _upgrade_headers(**extra: str) -> dict[str, str]:
    key = base64.b64encode(os.urandom(16)).decode()
    return {**UPGRADE, "Sec-WebSocket-Key": key, **extra}


@pytest.fixture
def app(make_app: Callable[..., Sanic[Any, Any]]) -> Sanic[Any, Any]:
    app = make_app(use_acl=True, token_location=("headers", "query_string"))
    handled: list[str] = []
    app.ctx.handled = handled

    @app.websocket("/feed")
    @jwt_required
    async def feed(request: Request, ws: Any, token: Token) -> None:
        handled.append(token.identity)
        await ws.send(f"hello {token.identity}")
        await ws.recv()

    async def talk(ws: Any, message: str) -> None:
        await ws.send(message)
        await ws.recv()

    @app.websocket("/admin-feed")
    @jwt_required(allow=["ADMIN"])
    def admin_feed(request: Request, ws: Any, token: Token) -> Any:  # a sync def returning a coro
        handled.append("admin")
        return talk(ws, f"admin {token.identity}")

    @app.websocket("/lobby")
    @jwt_optional
    async def lobby(request: Request, ws: Any, token: Token | None) -> None:
        await ws.send(f"lobby {token.identity if token else 'anonymous'}")
        await ws.recv()

    return app


def test_no_token_is_refused_before_the_handshake(app: Sanic[Any, Any]) -> None:
    _, response = real_server(app).get("/feed", headers=_upgrade_headers())
    assert response.status == 401  # not 101: the connection was never upgraded
    assert response.json == {
        "msg": "missing access token: none found in the Authorization header ('Bearer <token>') "
        "or the 'jwt' query parameter"
    }
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert app.ctx.handled == []


def test_wrong_role_is_refused_with_403_before_the_handshake(app: Sanic[Any, Any]) -> None:
    user = JWT.for_app(app).create_access_token("bob", "USER")
    _, response = real_server(app).get("/admin-feed", headers=_upgrade_headers(**bearer(user)))
    assert response.status == 403
    assert response.json == {"msg": "this role is not allowed here"}
    assert app.ctx.handled == []


def test_a_real_websocket_client_sees_the_refusal_as_an_http_status(app: Sanic[Any, Any]) -> None:
    with pytest.raises(ValueError, match=r"InvalidStatusCode\(401"):
        real_server(app).websocket("/feed")
    bad = "Bearer not.a.token"
    with pytest.raises(ValueError, match=r"InvalidStatusCode\(422"):
        real_server(app).websocket("/feed", extra_headers={"Authorization": bad})
    assert app.ctx.handled == []


def test_a_valid_token_opens_the_socket_and_the_handler_gets_it(app: Sanic[Any, Any]) -> None:
    received: list[str] = []

    async def client(ws: Any) -> None:
        received.append(await ws.recv())

    token = JWT.for_app(app).create_access_token("alice")
    real_server(app).websocket("/feed", extra_headers=bearer(token), mimic=client)
    assert received == ["hello alice"]
    assert app.ctx.handled == ["alice"]  # verified once, before the upgrade

    received.clear()
    real_server(app).websocket(f"/feed?jwt={token}", mimic=client)
    assert received == ["hello alice"]


def test_sync_handler_with_the_right_role(app: Sanic[Any, Any]) -> None:
    received: list[str] = []

    async def client(ws: Any) -> None:
        received.append(await ws.recv())

    admin = JWT.for_app(app).create_access_token("alice", "ADMIN")
    real_server(app).websocket("/admin-feed", extra_headers=bearer(admin), mimic=client)
    assert received == ["admin alice"]


def test_optional_websocket(app: Sanic[Any, Any]) -> None:
    received: list[str] = []

    async def client(ws: Any) -> None:
        received.append(await ws.recv())

    real_server(app).websocket("/lobby", mimic=client)
    real_server(app).websocket(
        "/lobby", extra_headers=bearer(JWT.for_app(app).create_access_token("carol")), mimic=client
    )
    assert received == ["lobby anonymous", "lobby carol"]
    _, response = real_server(app).get("/lobby", headers=_upgrade_headers(**bearer("x.y.z")))
    assert response.status == 422


def test_a_guard_under_another_decorator_still_refuses_before_the_handshake(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app()
    handled: list[str] = []

    def logged(fn: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            handled.append("entered")
            return await fn(*args, **kwargs)

        # Names and `__wrapped__` only, not the wrapped function's attributes (updated=()).
        return functools.update_wrapper(wrapper, fn, updated=())

    @app.websocket("/feed")
    @logged
    @jwt_required
    async def feed(request: Request, ws: Any, token: Token) -> None:
        await ws.send(f"hello {token.identity}")
        await ws.recv()

    _, response = real_server(app).get("/feed", headers=_upgrade_headers())
    assert response.status == 401  # found through __wrapped__: refused before the upgrade
    assert handled == []

    received: list[str] = []

    async def client(ws: Any) -> None:
        received.append(await ws.recv())

    token = JWT.for_app(app).create_access_token("alice")
    real_server(app).websocket("/feed", extra_headers=bearer(token), mimic=client)
    assert received == ["hello alice"]
