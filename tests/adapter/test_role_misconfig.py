"""allow+deny refused when decorating; allow/deny without use_acl refused at startup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from sanic import Blueprint, Request, Sanic
from sanic.response import json
from sanic.views import HTTPMethodView

from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    Token,
    jwt_required,
    refresh_jwt_required,
)
from tests.support.apps import SECRET, bearer, new_app


def test_allow_and_deny_together_fail_when_decorating() -> None:
    with pytest.raises(ConfigurationConflictError, match="either allow or deny"):
        jwt_required(allow=["ADMIN"], deny=["GUEST"])
    with pytest.raises(ConfigurationConflictError, match="either allow or deny"):
        refresh_jwt_required(allow=["ADMIN"], deny=["GUEST"])


def test_roles_must_be_strings() -> None:
    with pytest.raises(ConfigurationConflictError, match="role names"):
        jwt_required(allow=["ADMIN", 1])  # type: ignore[list-item]


def test_route_added_before_initialize_fails_when_the_block_closes() -> None:
    app = new_app()

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> object:
        return json({})

    with (
        pytest.raises(ConfigurationConflictError, match=r"admin.*use_acl=True"),
        JWT.initialize(app) as manager,
    ):
        manager.config.secret_key = SECRET


async def test_route_added_after_initialize_fails_at_startup(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app()

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json({})

    @app.get("/no-guests")
    @jwt_required(deny=["GUEST"])
    async def no_guests(request: Request, token: Token) -> object:
        return json({})

    with pytest.raises(ConfigurationConflictError, match=r"no_guests.*use_acl=True"):
        await app.asgi_client.get("/me", headers=bearer(JWT.for_app(app).create_access_token("a")))


@pytest.mark.parametrize("where", ["method", "decorators", "blueprint", "websocket"])
async def test_startup_check_sees_every_kind_of_route(
    make_app: Callable[..., Sanic[Any, Any]], where: str
) -> None:
    app = make_app()
    if where == "method":

        class Admin(HTTPMethodView):
            @jwt_required(allow=["ADMIN"])
            async def get(self, request: Request, token: Token) -> object:
                return json({})

        app.add_route(Admin.as_view(), "/admin")
    elif where == "decorators":

        class AdminAll(HTTPMethodView):
            decorators: ClassVar[list[Any]] = [refresh_jwt_required(allow=["ADMIN"])]

            async def get(self, request: Request, token: Token) -> object:
                return json({})

        app.add_route(AdminAll.as_view(), "/admin")
    elif where == "blueprint":
        blueprint = Blueprint(f"bp{id(app)}")

        @blueprint.get("/admin")
        @jwt_required(allow=["ADMIN"])
        async def admin(request: Request, token: Token) -> object:
            return json({})

        app.blueprint(blueprint)
    else:

        @app.websocket("/admin")
        @jwt_required(allow=["ADMIN"])
        async def admin_ws(request: Request, ws: Any, token: Token) -> None:
            await ws.send("hi")

    with pytest.raises(ConfigurationConflictError, match="use_acl=True"):
        await app.asgi_client.get("/anything")


async def test_with_use_acl_the_same_routes_start(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True)

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> object:
        return json({"role": token.role})

    _, response = await app.asgi_client.get(
        "/admin", headers=bearer(JWT.for_app(app).create_access_token("a", "ADMIN"))
    )
    assert response.status == 200
