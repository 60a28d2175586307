"""The verified token from anywhere in the request: request.ctx and the accessor functions."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    Token,
    get_jwt,
    get_jwt_header,
    get_jwt_identity,
    get_token,
    jwt_optional,
    jwt_required,
)
from tests.support.apps import bearer


async def _deeper() -> Any:
    """Code the view awaits, far from the request: it has no request argument."""
    await asyncio.sleep(random.random() / 100)
    return get_jwt_identity()


@pytest.fixture
def app(make_app: Callable[..., Sanic[Any, Any]]) -> Sanic[Any, Any]:
    app = make_app(key_id="k1")
    seen_by_response_middleware: list[Any] = []
    app.ctx.after = seen_by_response_middleware

    @app.middleware("response")
    async def after(request: Request, response: HTTPResponse) -> None:
        seen_by_response_middleware.append(get_jwt_identity())

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        task = asyncio.create_task(_deeper())  # a task the request starts and awaits
        return json(
            {
                "ctx": request.ctx.jwt_token.identity,
                "same": get_token() is token,
                "identity": get_jwt_identity(),
                "claims": get_jwt() == dict(token.raw_data) and "exp" in get_jwt(),
                "header": get_jwt_header(),
                "deeper": await _deeper(),
                "task": await task,
            }
        )

    @app.get("/maybe")
    @jwt_optional
    async def maybe(request: Request, token: Token | None) -> HTTPResponse:
        await asyncio.sleep(random.random() / 100)
        return json({"token": get_token() is not None, "identity": get_jwt_identity()})

    return app


async def test_every_accessor_sees_the_token_the_guard_verified(app: Sanic[Any, Any]) -> None:
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 200, response.text
    assert response.json == {
        "ctx": "alice",
        "same": True,
        "identity": "alice",
        "claims": True,
        "header": {"alg": "HS256", "typ": "JWT", "kid": "k1"},
        "deeper": "alice",
        "task": "alice",
    }
    assert app.ctx.after == ["alice"]


async def test_concurrent_requests_each_see_their_own_token(app: Sanic[Any, Any]) -> None:
    named = JWT.for_app(app)

    async def call(n: int) -> tuple[int, Any]:
        if n % 3 == 0:  # some requests carry no token at all, on the optional route
            _, response = await app.asgi_client.get("/maybe")
            assert response.json == {"token": False, "identity": None}
            return n, None
        path = "/me" if n % 3 == 1 else "/maybe"
        _, response = await app.asgi_client.get(
            path, headers=bearer(named.create_access_token(f"user-{n}"))
        )
        assert response.status == 200, response.text
        return n, response.json["identity"]

    results = await asyncio.gather(*(call(n) for n in range(60)))
    for n, identity in results:
        assert identity == (None if n % 3 == 0 else f"user-{n}")


def test_concurrent_requests_on_one_real_server(app: Sanic[Any, Any]) -> None:
    named = JWT.for_app(app)
    answers: list[tuple[int, Any]] = []

    @app.get("/many")
    async def many(request: Request) -> HTTPResponse:
        import httpx

        port = request.server_port
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:

            async def one(n: int) -> None:
                headers = {} if n % 2 else bearer(named.create_access_token(f"u{n}"))
                response = await client.get("/maybe", headers=headers)
                answers.append((n, response.json()["identity"]))

            await asyncio.gather(*(one(n) for n in range(40)))
        return json({})

    from tests.support.apps import real_server

    _, response = real_server(app).get("/many")
    assert response.status == 200
    assert sorted(answers) == [(n, None if n % 2 else f"u{n}") for n in range(40)]


async def test_without_a_guard_the_accessors_give_nothing(app: Sanic[Any, Any]) -> None:
    @app.get("/open")
    async def open_view(request: Request) -> HTTPResponse:
        return json([get_token() is None, get_jwt(), get_jwt_identity(), get_jwt_header()])

    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/open", headers=bearer(token))
    assert response.json == [True, {}, None, {}]


def test_outside_a_request_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationConflictError, match="no request being handled"):
        get_jwt_identity()
