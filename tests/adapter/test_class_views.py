"""HTTPMethodView: decorate a method, or every method through `decorators = [...]`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from sanic import HTTPResponse, Request, Sanic
from sanic.response import json
from sanic.views import HTTPMethodView

from sanic_jwt_extended import JWT, Token, jwt_optional, jwt_required, refresh_jwt_required
from tests.support.apps import bearer


async def test_method_decorators(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True)

    class Items(HTTPMethodView):
        async def get(self, request: Request) -> HTTPResponse:
            return json({"public": True})

        @jwt_required(allow=["ADMIN"])
        async def post(self, request: Request, token: Token) -> HTTPResponse:
            return json({"created_by": token.identity})

        @jwt_required
        def delete(self, request: Request, name: str = "", token: Token | None = None) -> Any:
            assert token is not None
            return json({"deleted_by": token.identity})  # a sync method

    app.add_route(Items.as_view(), "/items")
    admin = JWT.for_app(app).create_access_token("alice", "ADMIN")

    _, response = await app.asgi_client.get("/items")
    assert response.json == {"public": True}
    _, response = await app.asgi_client.post("/items")
    assert response.status == 401
    _, response = await app.asgi_client.post(
        "/items", headers=bearer(JWT.for_app(app).create_access_token("bob", "USER"))
    )
    assert response.status == 403
    _, response = await app.asgi_client.post("/items", headers=bearer(admin))
    assert response.json == {"created_by": "alice"}
    _, response = await app.asgi_client.delete("/items", headers=bearer(admin))
    assert response.json == {"deleted_by": "alice"}


async def test_decorators_list_guards_every_method(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app()

    class Account(HTTPMethodView):
        decorators: ClassVar[list[Any]] = [jwt_required]

        async def get(self, request: Request, token: Token) -> HTTPResponse:
            return json({"identity": token.identity})

        def put(self, request: Request, user_id: int, token: Token) -> HTTPResponse:
            return json({"identity": token.identity, "user_id": user_id})

    class Renew(HTTPMethodView):
        decorators: ClassVar[list[Any]] = [refresh_jwt_required]

        async def post(self, request: Request, token: Token) -> HTTPResponse:
            return json({"access_token": JWT.create_access_token(token.identity)})

    class Greeting(HTTPMethodView):
        decorators: ClassVar[list[Any]] = [jwt_optional()]

        async def get(self, request: Request, token: Token | None) -> HTTPResponse:
            return json({"hello": token.identity if token else None})

    app.add_route(Account.as_view(), "/account")
    app.add_route(Account.as_view(), "/account/<user_id:int>", name="account_item")
    app.add_route(Renew.as_view(), "/renew")
    app.add_route(Greeting.as_view(), "/greeting")
    token = JWT.for_app(app).create_access_token("alice")

    _, response = await app.asgi_client.get("/account")
    assert response.status == 401
    _, response = await app.asgi_client.put("/account/7")
    assert response.status == 401
    _, response = await app.asgi_client.get("/account", headers=bearer(token))
    assert response.json == {"identity": "alice"}
    _, response = await app.asgi_client.put("/account/7", headers=bearer(token))
    assert response.json == {"identity": "alice", "user_id": 7}

    _, response = await app.asgi_client.post("/renew", headers=bearer(token))
    assert response.status == 401  # the refresh token travels in X-Refresh-Token
    refresh = JWT.for_app(app).create_refresh_token("alice")
    _, response = await app.asgi_client.post(
        "/renew", headers={"X-Refresh-Token": f"Bearer {refresh}"}
    )
    assert response.status == 200
    assert app.ctx.jwt.manager.decode(response.json["access_token"]).identity == "alice"

    _, response = await app.asgi_client.get("/greeting")
    assert response.json == {"hello": None}
    _, response = await app.asgi_client.get("/greeting", headers=bearer(token))
    assert response.json == {"hello": "alice"}
