"""Two apps in one process, with different secrets: each accepts only its own tokens."""

from __future__ import annotations

from typing import Any

from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_required
from tests.support.apps import bearer, manager_of, new_app


def _app(secret: str, name: str) -> Sanic[Any, Any]:
    app = new_app(name)
    with JWT.initialize(app) as manager:
        manager.config.secret_key = secret
        manager.config.default_iss = name

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        # inside a request the class-level API acts for the request's app
        return json(
            {"access_token": JWT.create_access_token("alice"), "iss": JWT.config.default_iss}
        )

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({"iss": token.iss})

    return app


async def test_each_app_accepts_only_its_own_tokens() -> None:
    shop = _app("the-shop-secret-is-long-enough-32-bytes", "shop")
    blog = _app("the-blog-secret-is-long-enough-32-bytes", "blog")

    _, response = await shop.asgi_client.post("/login")
    assert response.json["iss"] == "shop"
    shop_token = response.json["access_token"]
    _, response = await blog.asgi_client.post("/login")
    assert response.json["iss"] == "blog"
    blog_token = response.json["access_token"]

    _, response = await shop.asgi_client.get("/me", headers=bearer(shop_token))
    assert response.json == {"iss": "shop"}
    _, response = await blog.asgi_client.get("/me", headers=bearer(blog_token))
    assert response.json == {"iss": "blog"}

    _, response = await shop.asgi_client.get("/me", headers=bearer(blog_token))
    assert response.status == 422
    _, response = await blog.asgi_client.get("/me", headers=bearer(shop_token))
    assert response.status == 422


def test_outside_a_request_each_app_is_named() -> None:
    first = _app("the-first-secret-is-long-enough-32-bytes", "first")
    assert manager_of(first).decode(JWT.for_app(first).create_access_token("a")).iss == "first"
    second = _app("the-second-secret-is-long-enough-32-byte", "second")
    assert JWT.for_app(second).config is second.ctx.jwt.config
    assert manager_of(second).decode(JWT.for_app(second).create_access_token("a")).iss == "second"
    # the per-app manager stays reachable for code that serves several apps
    assert manager_of(first).decode(manager_of(first).create_access_token("a")).iss == "first"


@jwt_required
async def shared(request: Request, token: Token) -> HTTPResponse:
    return json({"iss": token.iss})


async def test_one_view_on_two_apps_uses_each_apps_configuration() -> None:
    # The decorator looks an app's manager and reader up once and keeps them: a view that
    # serves two apps must still switch on every request that comes from the other one.
    shop = _app("the-shop-secret-is-long-enough-32-bytes", "shop")
    blog = new_app("blog")
    with JWT.initialize(blog) as manager:
        manager.config.secret_key = "the-blog-secret-is-long-enough-32-bytes"
        manager.config.default_iss = "blog"
        manager.config.token_location = ("query_string",)
    shop.add_route(shared, "/shared")
    blog.add_route(shared, "/shared")
    shop_token = manager_of(shop).create_access_token("alice")
    blog_token = manager_of(blog).create_access_token("alice")

    for _ in range(2):
        _, response = await shop.asgi_client.get("/shared", headers=bearer(shop_token))
        assert response.json == {"iss": "shop"}
        _, response = await blog.asgi_client.get("/shared", params={"jwt": blog_token})
        assert response.json == {"iss": "blog"}
        _, response = await blog.asgi_client.get("/shared", headers=bearer(blog_token))
        assert response.status == 401  # blog reads the query string only
        _, response = await shop.asgi_client.get("/shared", headers=bearer(blog_token))
        assert response.status == 422
