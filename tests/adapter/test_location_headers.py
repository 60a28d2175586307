"""Tokens in a header: `<prefix> <token>`, prefix case-insensitive, parsed by the adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_required
from tests.support.apps import bearer


def _protect(app: Sanic[Any, Any]) -> None:
    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json({"identity": token.identity})


@pytest.mark.parametrize("prefix", ["Bearer", "bearer", "BEARER", "bEaReR"])
async def test_prefix_matches_case_insensitively(
    make_app: Callable[..., Sanic[Any, Any]], prefix: str
) -> None:
    app = make_app()
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers={"Authorization": f"{prefix} {token}"})
    assert response.status == 200
    assert response.json == {"identity": "alice"}


async def test_custom_header_and_prefix(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(jwt_header_key="X-Api-Token", jwt_header_prefix="JWT")
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers={"X-Api-Token": f"jwt {token}"})
    assert response.status == 200
    # the default header is not looked at any more
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 401
    assert "X-Api-Token" in response.json["msg"]


async def test_empty_prefix_means_the_bare_token(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(jwt_header_prefix="")
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers={"Authorization": token})
    assert response.status == 200
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 422
    assert "'Authorization: <token>'" in response.json["msg"]


@pytest.mark.parametrize(
    "value",
    [
        "Bearer",  # no token
        "Bearer  ",  # no token, trailing blanks
        "Bearer a.b.c extra",  # extra part
        "Bearer a.b.c Bearer a.b.c",
    ],
)
async def test_malformed_bearer_header_is_invalid_header(
    make_app: Callable[..., Sanic[Any, Any]], value: str
) -> None:
    app = make_app()
    _protect(app)
    _, response = await app.asgi_client.get("/me", headers={"Authorization": value})
    assert response.status == 422
    assert "expected 'Authorization: Bearer <token>'" in response.json["msg"]


@pytest.mark.parametrize("value", ["Basic YWxpY2U6c2VjcmV0", "Token abc", "Bearerabc.def.ghi"])
async def test_other_scheme_is_invalid_header_for_a_required_token(
    make_app: Callable[..., Sanic[Any, Any]], value: str
) -> None:
    app = make_app()
    _protect(app)
    _, response = await app.asgi_client.get("/me", headers={"Authorization": value})
    assert response.status == 422
    assert response.json["msg"].endswith("expected 'Authorization: Bearer <token>'")


async def test_two_authorization_headers_are_refused(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app()
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get(
        "/me", headers=[("Authorization", f"Bearer {token}"), ("Authorization", "Bearer x.y.z")]
    )
    assert response.status == 422
    assert "one Authorization header" in response.json["msg"]


async def test_missing_header_is_no_authorization(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app()
    _protect(app)
    _, response = await app.asgi_client.get("/me")
    assert response.status == 401
    assert response.json == {
        "msg": "missing access token: none found in the Authorization header ('Bearer <token>')"
    }
