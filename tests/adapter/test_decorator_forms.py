"""Decorators bare or called, on async and sync function views, keeping the view's identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_optional, jwt_required, refresh_jwt_required
from tests.support.apps import bearer

FORMS: list[tuple[str, Callable[[Any], Any]]] = [
    ("jwt_required", jwt_required),
    ("jwt_required()", jwt_required()),
    ("jwt_optional", jwt_optional),
    ("jwt_optional()", jwt_optional()),
]


@pytest.mark.parametrize(("name", "decorate"), FORMS)
@pytest.mark.parametrize("sync", [False, True])
async def test_bare_and_called_on_sync_and_async_views(
    make_app: Callable[..., Sanic[Any, Any]], name: str, decorate: Any, sync: bool
) -> None:
    app = make_app()
    if sync:

        def view(request: Request, item: str, token: Token) -> HTTPResponse:
            return json({"identity": token.identity, "item": item})

    else:

        async def view(request: Request, item: str, token: Token) -> HTTPResponse:
            return json({"identity": token.identity, "item": item})

    guarded = decorate(view)
    assert guarded.__name__ == "view"
    assert guarded.__wrapped__ is view
    app.add_route(guarded, "/items/<item>")

    _, response = await app.asgi_client.get(
        "/items/x", headers=bearer(JWT.for_app(app).create_access_token("alice"))
    )
    assert response.status == 200
    assert response.json == {"identity": "alice", "item": "x"}


@pytest.mark.parametrize("decorate", [refresh_jwt_required, refresh_jwt_required()])
async def test_refresh_bare_and_called(
    make_app: Callable[..., Sanic[Any, Any]], decorate: Any
) -> None:
    app = make_app()

    @app.post("/refresh")
    @decorate
    def refresh(request: Request, token: Token) -> HTTPResponse:
        return json({"type": token.type})

    header = {"X-Refresh-Token": f"Bearer {JWT.for_app(app).create_refresh_token('alice')}"}
    _, response = await app.asgi_client.post("/refresh", headers=header)
    assert response.json == {"type": "refresh"}


async def test_refresh_header_and_prefix_are_configurable(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(
        token_location=("headers", "json"),
        refresh_jwt_header_key="Authorization",
        refresh_jwt_header_prefix="Refresh",
        refresh_json_key="rt",
    )

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    token = JWT.for_app(app).create_refresh_token("alice")
    _, response = await app.asgi_client.post(
        "/refresh", headers={"Authorization": f"refresh {token}"}
    )
    assert response.json == {"identity": "alice"}
    _, response = await app.asgi_client.post("/refresh", json={"rt": token})
    assert response.json == {"identity": "alice"}
    _, response = await app.asgi_client.post("/refresh", headers=bearer(token))
    assert response.status == 422  # another scheme in the refresh header


async def test_a_plain_function_returning_a_coroutine_is_awaited(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    # Another decorator's plain wrapper around an async view: not a coroutine function, yet
    # what it returns must be awaited.
    app = make_app()

    async def inner(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    def wrapper(request: Request, token: Token) -> Any:
        return inner(request, token=token)

    app.add_route(jwt_required(wrapper), "/wrapped")
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/wrapped", headers=bearer(token))
    assert response.json == {"identity": "alice"}
