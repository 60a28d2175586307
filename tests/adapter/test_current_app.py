"""Which app the class-level API acts for: named, the request's, the only one, or a clear error."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    AppJWT,
    ConfigurationConflictError,
    Token,
    jwt_required,
    set_access_cookies,
)
from tests.support.apps import bearer, manager_of, new_app, set_cookies


def _app(name: str) -> Sanic[Any, Any]:
    app = new_app(name)
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = f"the-{name}-secret-is-long-enough-for-hs256"
        jwt.config.default_iss = name

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({"iss": token.iss})

    @app.post("/mint")
    async def mint(request: Request) -> HTTPResponse:
        return json({"token": JWT.create_access_token("alice"), "iss": JWT.config.default_iss})

    return app


def test_several_apps_outside_a_request_is_a_clear_error() -> None:
    _app("shop")
    _app("blog")
    advice = r"Sanic apps are initialized.*JWT\.for_app\(app\)"
    with pytest.raises(ConfigurationConflictError, match=advice):
        JWT.create_access_token("alice")
    with pytest.raises(ConfigurationConflictError, match=advice):
        JWT.create_refresh_token("alice")
    with pytest.raises(ConfigurationConflictError, match=advice):
        JWT.config  # noqa: B018
    with pytest.raises(ConfigurationConflictError, match=advice):
        set_access_cookies(json({}), "a.b.c")


async def test_for_app_mints_for_the_named_app_only() -> None:
    shop = _app("shop")
    blog = _app("blog")
    named = JWT.for_app(shop)
    assert isinstance(named, AppJWT)
    token = named.create_access_token("alice")
    refresh = named.create_refresh_token("alice")

    _, response = await shop.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 200
    assert response.json == {"iss": "shop"}
    _, response = await blog.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 422
    assert named.decode(refresh).type == "refresh"
    assert named.config is shop.ctx.jwt.config
    assert named.manager is manager_of(shop)
    assert named.handler is shop.ctx.jwt.handler
    assert named.blacklist is None


async def test_inside_a_request_the_requests_app_wins_over_a_later_initialized_one() -> None:
    blog = _app("blog")
    _app("shop")  # initialized after blog
    _, response = await blog.asgi_client.post("/mint")
    assert response.json["iss"] == "blog"
    assert manager_of(blog).decode(response.json["token"]).iss == "blog"


def test_a_with_block_names_the_app_for_everything_inside() -> None:
    shop = _app("shop")
    blog = _app("blog")
    with JWT.for_app(blog) as named:
        assert named.config is JWT.config is blog.ctx.jwt.config
        response = json({})
        set_access_cookies(response, JWT.create_access_token("alice"))
        with JWT.for_app(shop):  # nested: the inner app, then the outer one again
            assert JWT.config is shop.ctx.jwt.config
        assert JWT.config is blog.ctx.jwt.config
    cookie = set_cookies(response)["access_token_cookie"]["value"]
    assert manager_of(blog).decode(cookie).iss == "blog"
    with pytest.raises(ConfigurationConflictError, match="apps are initialized"):
        JWT.create_access_token("alice")


def test_only_the_apps_sanic_still_registers_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Sanic, "_app_registry", {})  # as in a fresh process
    with pytest.raises(ConfigurationConflictError, match="has not been called"):
        JWT.create_access_token("alice")
    shop = _app("shop")
    assert manager_of(shop).decode(JWT.create_access_token("alice")).iss == "shop"
    blog = _app("blog")
    with pytest.raises(ConfigurationConflictError, match="2 Sanic apps are initialized"):
        JWT.create_access_token("alice")
    Sanic.unregister_app(shop)
    assert manager_of(blog).decode(JWT.create_access_token("alice")).iss == "blog"
    # a failed initialize block leaves nothing initialized behind
    broken = new_app("broken")
    with pytest.raises(ConfigurationConflictError), JWT.initialize(broken):
        pass  # HS256 without a secret
    assert manager_of(blog).decode(JWT.create_access_token("alice")).iss == "blog"


def test_for_app_of_an_app_never_initialized_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationConflictError, match="has not been called"):
        JWT.for_app(new_app("plain"))


SCRIPT = textwrap.dedent(
    """
    from sanic import Sanic
    from sanic_jwt_extended import JWT, ConfigurationConflictError

    def initialized(name):
        app = Sanic(name)
        with JWT.initialize(app) as jwt:
            jwt.config.secret_key = "a-script-secret-that-is-long-enough!"
            jwt.config.default_iss = name
        return app

    shop = initialized("shop")
    print(shop.ctx.jwt.manager.decode(JWT.create_access_token("alice")).iss)
    blog = initialized("blog")
    try:
        JWT.create_access_token("alice")
    except ConfigurationConflictError as error:
        print(error)
    print(blog.ctx.jwt.manager.decode(JWT.for_app(blog).create_access_token("alice")).iss)
    """
)


def test_a_script_with_one_app_mints_for_it_and_a_second_app_makes_it_ask() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines() == [
        "shop",
        "2 Sanic apps are initialized ('blog', 'shop'), so outside a request it is not clear "
        "which one to use: name it with JWT.for_app(app).create_access_token(...), or wrap "
        "the code in `with JWT.for_app(app):`",
        "blog",
    ]


async def test_tasks_sharing_one_named_app_each_leave_their_own_block() -> None:
    shop = _app("shop")
    named = JWT.for_app(shop)
    first_in, second_in, first_out = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def first() -> None:
        with named:
            first_in.set()
            await second_in.wait()
        first_out.set()  # left its block while the other task is still in its own

    async def second() -> None:
        await first_in.wait()
        with named:
            second_in.set()
            await first_out.wait()
            assert JWT.config is shop.ctx.jwt.config

    await asyncio.gather(first(), second())
