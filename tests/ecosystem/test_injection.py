"""sanic-ext injection: `app.ext.add_dependency(Token, token_dependency)` on a real server.

A view with a `token: Token` parameter and no decorator gets the verified access token, and is
refused exactly as a `jwt_required` view is. Decorated views keep their decorator's semantics
(optional, refresh, roles) even though their `token: Token` annotation matches the dependency.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sanic import Request, Sanic, Websocket
from sanic.response import json
from sanic.views import HTTPMethodView

from sanic_jwt_extended import (
    JWT,
    Token,
    jwt_optional,
    jwt_required,
    refresh_jwt_required,
    token_dependency,
)
from tests.ecosystem.apps import new_app
from tests.support.apps import bearer, initialized, real_server


@pytest.fixture(scope="module")
def app() -> Sanic[Any, Any]:
    app = initialized(new_app(), use_acl=True, use_blacklist=True)
    # Touchup rewrites Sanic.handle_request for the whole process, dropping the dispatch of
    # signals the started app does not use; injection runs on one (http.routing.after). With
    # touchup off here, an app started earlier without sanic-ext would leave it dropped.
    app.config.TOUCHUP = True
    app.ext.add_dependency(Token, token_dependency)

    @app.get("/injected")
    async def injected(request: Request, token: Token) -> Any:
        return json({"identity": token.identity, "type": token.type})

    @app.get("/decorated")
    @jwt_required
    async def decorated(request: Request, token: Token) -> Any:
        return json({"identity": token.identity})

    @app.get("/optional")
    @jwt_optional
    async def optional(request: Request, token: Token) -> Any:
        return json({"identity": token.identity if token else None})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> Any:
        return json({"identity": token.identity, "type": token.type})

    @app.get("/refresh-state")
    @refresh_jwt_required
    async def refresh_state(request: Request, token: Token) -> Any:
        return json({"type": token.type})

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> Any:
        return json({"role": token.role})

    class Refresh(HTTPMethodView):
        decorators = [refresh_jwt_required]  # noqa: RUF012 - Sanic's own class attribute

        async def post(self, request: Request, token: Token) -> Any:
            return json({"type": token.type})

    class Mixed(HTTPMethodView):
        async def get(self, request: Request, token: Token) -> Any:
            return json({"type": token.type, "how": "injected"})

        @refresh_jwt_required
        async def post(self, request: Request, token: Token) -> Any:
            return json({"type": token.type, "how": "decorated"})

    app.add_route(Refresh.as_view(), "/refresh-view")
    app.add_route(Mixed.as_view(), "/mixed")

    @app.websocket("/socket")
    @jwt_optional
    async def socket(request: Request, ws: Websocket, token: Token) -> None:
        await ws.send(token.identity if token else "anonymous")
        await ws.recv()  # until the client closes

    return app


def refused(app: Sanic[Any, Any], headers: dict[str, str]) -> tuple[Any, Any]:
    """The responses of the injected and the decorated route to the same request."""
    _, injected = real_server(app).get("/injected", headers=headers)
    _, decorated = real_server(app).get("/decorated", headers=headers)
    return injected, decorated


def test_an_undecorated_view_gets_the_verified_token(app: Sanic[Any, Any]) -> None:
    token = JWT.for_app(app).create_access_token("alice")
    _, response = real_server(app).get("/injected", headers=bearer(token))
    assert response.status == 200
    assert response.json == {"identity": "alice", "type": "access"}


@pytest.mark.parametrize(
    ("case", "status"),
    [("missing", 401), ("expired", 401), ("tampered", 422), ("refresh", 422), ("revoked", 401)],
)
def test_refusals_are_those_of_jwt_required(app: Sanic[Any, Any], case: str, status: int) -> None:
    if case == "missing":
        headers: dict[str, str] = {}
    elif case == "expired":
        headers = bearer(
            JWT.for_app(app).create_access_token("a", expires_delta=timedelta(seconds=-60))
        )
    elif case == "tampered":
        headers = bearer(JWT.for_app(app).create_access_token("a")[:-3] + "AAA")
    elif case == "refresh":
        headers = bearer(JWT.for_app(app).create_refresh_token("a"))
    else:
        raw = JWT.for_app(app).create_access_token("a")
        manager = app.ctx.jwt.manager
        asyncio.run(manager.revoke(manager.decode(raw)))
        headers = bearer(raw)
    injected, decorated = refused(app, headers)
    assert injected.status == decorated.status == status
    assert injected.json == decorated.json
    assert "msg" in injected.json
    assert injected.headers.get("www-authenticate") == decorated.headers.get("www-authenticate")


def test_decorators_keep_their_own_semantics(app: Sanic[Any, Any]) -> None:
    access = JWT.for_app(app).create_access_token("alice", "ADMIN")
    refresh = JWT.for_app(app).create_refresh_token("bob")
    _, response = real_server(app).get("/decorated", headers=bearer(access))
    assert response.json == {"identity": "alice"}
    _, response = real_server(app).get("/optional")  # no token: the injection must not refuse it
    assert (response.status, response.json) == (200, {"identity": None})
    _, response = real_server(app).get("/optional", headers=bearer(access))
    assert response.json == {"identity": "alice"}
    _, response = real_server(app).post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {refresh}"}
    )
    assert (response.status, response.json) == (200, {"identity": "bob", "type": "refresh"})
    _, response = real_server(app).get("/admin", headers=bearer(access))
    assert response.json == {"role": "ADMIN"}
    _, response = real_server(app).get(
        "/admin", headers=bearer(JWT.for_app(app).create_access_token("eve", "USER"))
    )
    assert response.status == 403


def test_class_views_decorated_whole_or_per_method(app: Sanic[Any, Any]) -> None:
    refresh = {"X-Refresh-Token": f"Bearer {JWT.for_app(app).create_refresh_token('bob')}"}
    _, response = real_server(app).post("/refresh-view", headers=refresh)
    assert (response.status, response.json) == (200, {"type": "refresh"})
    _, response = real_server(app).post("/mixed", headers=refresh)
    assert response.json == {"type": "refresh", "how": "decorated"}
    _, response = real_server(app).get(
        "/mixed", headers=bearer(JWT.for_app(app).create_access_token("alice"))
    )
    assert response.json == {"type": "access", "how": "injected"}
    _, response = real_server(app).get("/mixed", headers=refresh)
    assert response.status == 401  # no access token in the Authorization header


def test_a_decorated_websocket_route(app: Sanic[Any, Any]) -> None:
    token = JWT.for_app(app).create_access_token("carol")

    received: list[str] = []

    async def talk(ws: Any) -> None:
        received.append(await ws.recv())

    real_server(app).websocket("/socket", mimic=talk, extra_headers=bearer(token))
    real_server(app).websocket("/socket", mimic=talk)
    assert received == ["carol", "anonymous"]


def test_automatic_head_routes_follow_the_get_routes_decorator(app: Sanic[Any, Any]) -> None:
    """sanic-ext adds a HEAD route per GET route; it must be guarded as the GET route is."""
    response = real_server(app).head("/optional")[1]
    assert response.status == 200  # jwt_optional: no token is fine, injection or not
    refresh = {"X-Refresh-Token": f"Bearer {JWT.for_app(app).create_refresh_token('bob')}"}
    assert real_server(app).head("/refresh-state", headers=refresh)[1].status == 200
    assert real_server(app).head("/refresh-state")[1].status == 401
    assert real_server(app).head("/decorated")[1].status == 401
    assert real_server(app).head("/injected")[1].status == 401


def test_automatic_options_preflight_needs_no_token(app: Sanic[Any, Any]) -> None:
    """A CORS preflight carries no credentials: sanic-ext's OPTIONS answer is not refused."""
    _, response = real_server(app).options("/decorated")
    assert response.status == 204
    assert "GET" in response.headers["allow"]
