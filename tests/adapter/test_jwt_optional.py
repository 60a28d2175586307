"""jwt_optional: no token (or another auth scheme) -> token=None; a bad token is still refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Config, Token, TokenManager, jwt_optional
from tests.support.apps import SECRET, bearer


@pytest.fixture(params=["bare", "called"])
def app(
    request: pytest.FixtureRequest, make_app: Callable[..., Sanic[Any, Any]]
) -> Sanic[Any, Any]:
    app = make_app(use_blacklist=True, token_location=("headers", "query_string"))
    decorate = jwt_optional if request.param == "bare" else jwt_optional()

    @app.get("/hello")
    @decorate
    async def hello(request: Request, token: Token | None) -> object:
        return json({"hello": token.identity if token else None})

    return app


async def test_no_token_gives_none(app: Sanic[Any, Any]) -> None:
    _, response = await app.asgi_client.get("/hello")
    assert response.status == 200
    assert response.json == {"hello": None}


async def test_valid_token_gives_the_token(app: Sanic[Any, Any]) -> None:
    _, response = await app.asgi_client.get(
        "/hello", headers=bearer(JWT.for_app(app).create_access_token("alice"))
    )
    assert response.json == {"hello": "alice"}
    _, response = await app.asgi_client.get(
        "/hello", params={"jwt": JWT.for_app(app).create_access_token("bob")}
    )
    assert response.json == {"hello": "bob"}


@pytest.mark.parametrize(
    "value", ["Basic YWxpY2U6c2VjcmV0", "Digest username=alice", "Negotiate x"]
)
async def test_another_scheme_gives_none(app: Sanic[Any, Any], value: str) -> None:
    _, response = await app.asgi_client.get("/hello", headers={"Authorization": value})
    assert response.status == 200
    assert response.json == {"hello": None}


async def test_another_scheme_does_not_hide_a_token_elsewhere(app: Sanic[Any, Any]) -> None:
    _, response = await app.asgi_client.get(
        "/hello",
        headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"},
        params={"jwt": JWT.for_app(app).create_access_token("carol")},
    )
    assert response.json == {"hello": "carol"}


async def test_present_but_bad_tokens_are_refused(app: Sanic[Any, Any]) -> None:
    expired = TokenManager(
        Config(secret_key=SECRET), clock=lambda: time.time() - 3600
    ).create_access_token("alice")
    tampered = JWT.for_app(app).create_access_token("alice")[:-4] + "AAAA"
    revoked = JWT.for_app(app).create_access_token("alice")
    await JWT.for_app(app).revoke(app.ctx.jwt.manager.decode(revoked))
    cases = {
        expired: 401,
        tampered: 422,
        "not.a.token": 422,
        JWT.for_app(app).create_refresh_token("alice"): 422,
        revoked: 401,
    }
    for raw, status in cases.items():
        _, response = await app.asgi_client.get("/hello", headers=bearer(raw))
        assert response.status == status, raw
    _, response = await app.asgi_client.get("/hello", headers={"Authorization": "Bearer"})
    assert response.status == 422
