"""`protect`: every route of a blueprint, a group or an app guarded in one line, with exemptions."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from sanic import Blueprint, HTTPResponse, Request, Sanic
from sanic.response import json
from sanic.views import HTTPMethodView

from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    Token,
    get_jwt_identity,
    jwt_exempt,
    jwt_optional,
    protect,
)
from tests.support.apps import SECRET, bearer, new_app, real_server


def _initialized(app: Sanic[Any, Any], **options: Any) -> Sanic[Any, Any]:
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        for name, value in options.items():
            setattr(jwt.config, name, value)
    return app


async def _identity(request: Request) -> HTTPResponse:
    return json({"identity": get_jwt_identity()})


def _blueprint(name: str) -> Blueprint:
    bp = Blueprint(name, url_prefix=f"/{name}")
    bp.add_route(_identity, "/me", name="me")
    bp.add_route(_identity, "/health", name="health")

    @bp.get("/status")
    @jwt_exempt
    async def status(request: Request) -> HTTPResponse:
        return json({"ok": True})

    @bp.get("/maybe")
    @jwt_optional
    async def maybe(request: Request, token: Token | None) -> HTTPResponse:
        return json({"identity": token and token.identity})

    return bp


async def _status(app: Sanic[Any, Any], path: str, token: str | None = None) -> int:
    _, response = await app.asgi_client.get(path, headers=bearer(token) if token else {})
    if response.status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["cache-control"] == "no-store"
        assert response.json["msg"].startswith("missing access token")
    return int(response.status)


async def test_a_blueprint_is_guarded_with_its_exemptions() -> None:
    app = new_app()
    api, public = _blueprint("api"), _blueprint("public")
    protect(api, exempt=["health"])
    app.blueprint(api)
    app.blueprint(public)
    _initialized(app)
    token = JWT.for_app(app).create_access_token("alice")
    assert await _status(app, "/api/me") == 401
    assert await _status(app, "/api/me", token) == 200
    assert await _status(app, "/api/health") == 200  # exempt by name
    assert await _status(app, "/api/status") == 200  # @jwt_exempt
    assert await _status(app, "/api/maybe") == 200  # its own decorator decides
    assert await _status(app, "/public/me") == 200  # another blueprint: not guarded
    _, response = await app.asgi_client.get("/api/me", headers=bearer(token))
    assert response.json == {"identity": "alice"}


async def test_a_blueprint_group_and_exemption_by_full_name_or_view() -> None:
    app = new_app()
    one, two = _blueprint("one"), _blueprint("two")
    group = Blueprint.group(one, two, url_prefix="/v1")
    protect(group, exempt=[f"{app.name}.two.health", _identity])  # the view: every route of it
    app.blueprint(group)
    _initialized(app)
    assert await _status(app, "/v1/one/me") == 200  # _identity is exempt everywhere
    app2 = new_app()
    one, two = _blueprint("one"), _blueprint("two")
    group = Blueprint.group(one, two, url_prefix="/v1")
    protect(group, exempt=[f"{app2.name}.two.health"])
    app2.blueprint(group)
    _initialized(app2)
    assert await _status(app2, "/v1/one/me") == 401
    assert await _status(app2, "/v1/two/me") == 401
    assert await _status(app2, "/v1/one/health") == 401
    assert await _status(app2, "/v1/two/health") == 200


async def test_the_whole_app_with_options_and_class_views() -> None:
    app = new_app()

    class Items(HTTPMethodView):
        async def get(self, request: Request) -> HTTPResponse:
            return json({"identity": get_jwt_identity()})

        @jwt_exempt
        async def options(self, request: Request) -> HTTPResponse:
            return json({})

    app.add_route(Items.as_view(), "/items")
    app.add_route(_identity, "/login", name="login")
    protect(app, exempt=["login"], allow=["ADMIN"])
    _initialized(app, use_acl=True)
    named = JWT.for_app(app)
    assert await _status(app, "/items") == 401
    assert await _status(app, "/items", named.create_access_token("u", "USER")) == 403
    assert await _status(app, "/items", named.create_access_token("a", "ADMIN")) == 200
    _, response = await app.asgi_client.options("/items")
    assert response.status == 200  # only the exempt method
    assert await _status(app, "/login") == 200


def _upgrade(**extra: str) -> dict[str, str]:
    key = base64.b64encode(os.urandom(16)).decode()
    return {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
        **extra,
    }


def test_websockets_are_refused_before_the_upgrade_and_exemptions_hold() -> None:
    app = new_app()
    bp = Blueprint("live", url_prefix="/live")
    opened: list[Any] = []

    @bp.websocket("/feed")
    async def feed(request: Request, ws: Any) -> None:
        opened.append(get_jwt_identity())
        await ws.send(f"hello {get_jwt_identity()}")
        await ws.recv()

    @bp.websocket("/lobby")
    @jwt_exempt
    async def lobby(request: Request, ws: Any) -> None:
        opened.append("lobby")
        await ws.send("lobby")
        await ws.recv()

    protect(bp)
    app.blueprint(bp)
    _initialized(app)
    _, response = real_server(app).get("/live/feed", headers=_upgrade())
    assert response.status == 401  # a plain HTTP refusal: the socket never opened
    assert response.headers["cache-control"] == "no-store"
    assert opened == []

    received: list[str] = []

    async def client(ws: Any) -> None:
        received.append(await ws.recv())
        await ws.send("bye")

    token = JWT.for_app(app).create_access_token("alice")
    real_server(app).websocket("/live/feed", extra_headers=bearer(token), mimic=client)
    real_server(app).websocket("/live/lobby", mimic=client)
    assert received == ["hello alice", "lobby"]
    assert opened == ["alice", "lobby"]


def test_options_the_app_cannot_honour_stop_the_start() -> None:
    app = new_app()
    bp = _blueprint("api")
    protect(bp, allow=["ADMIN"])  # without use_acl
    app.blueprint(bp)
    _initialized(app)
    with pytest.raises(ConfigurationConflictError, match="use_acl"):
        app.test_client.get("/api/me")


@pytest.mark.parametrize("target", ["app", 42])
def test_a_target_that_is_not_an_app_or_blueprint_is_refused(target: Any) -> None:
    with pytest.raises(ConfigurationConflictError):
        protect(target)
