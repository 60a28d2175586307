"""Cookies, query string and JSON body as locations, tried in the configured order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_required
from tests.support.apps import bearer

ALL = ("headers", "cookies", "query_string", "json")


def _protect(app: Sanic[Any, Any]) -> None:
    @app.route("/me", methods=["GET", "POST"])
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json({"identity": token.identity})


async def test_cookie(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(token_location=("cookies",))
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get(
        "/me", headers={"Cookie": f"access_token_cookie={token}"}
    )
    assert response.status == 200
    assert response.json == {"identity": "alice"}


async def test_query_string_with_the_configured_name(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("query_string",), jwt_query_param_name="access")
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", params={"access": token})
    assert response.status == 200
    _, response = await app.asgi_client.get("/me", params={"jwt": token})
    assert response.status == 401


async def test_json_body_with_the_configured_key(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("json",), jwt_json_key="jwt")
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.post("/me", json={"jwt": token, "other": 1})
    assert response.status == 200
    _, response = await app.asgi_client.post("/me", json={"access_token": token})
    assert response.status == 401


async def test_old_spellings_of_locations_are_accepted(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("header", "query"))
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", params={"jwt": token})
    assert response.status == 200


async def test_first_location_holding_a_token_wins(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("query_string", "headers"))
    _protect(app)
    alice = JWT.for_app(app).create_access_token("alice")
    bob = JWT.for_app(app).create_access_token("bob")
    _, response = await app.asgi_client.get("/me", params={"jwt": alice}, headers=bearer(bob))
    assert response.json == {"identity": "alice"}
    # a bad token in the first location is not skipped in favour of a good one later
    _, response = await app.asgi_client.get(
        "/me", params={"jwt": "not-a-token"}, headers=bearer(bob)
    )
    assert response.status == 422
    # an empty value counts as absent
    _, response = await app.asgi_client.get("/me?jwt=", headers=bearer(bob))
    assert response.json == {"identity": "bob"}


async def test_locations_not_configured_are_ignored(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("headers",))
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.post(
        "/me?jwt=" + token,
        json={"access_token": token},
        headers={"Cookie": f"access_token_cookie={token}"},
    )
    assert response.status == 401


async def test_no_token_anywhere_lists_every_place_looked(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=ALL)
    _protect(app)
    _, response = await app.asgi_client.get("/me")
    assert response.status == 401
    assert response.json["msg"] == (
        "missing access token: none found in the Authorization header ('Bearer <token>'), "
        "the 'access_token_cookie' cookie, the 'jwt' query parameter or the 'access_token' "
        "member of a JSON body"
    )


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2, 3]",
        b'"a string"',
        b"42",
        b"{not json",
        b'{"access_token": "\xff\xfe"}',
        b"\xff\xfe\x00\x01",
        b"[" * 5000 + b"]" * 5000,
        b'{"access_token": null}',
        b'{"access_token": ""}',
    ],
)
async def test_json_body_without_a_usable_object_means_no_token_there(
    make_app: Callable[..., Sanic[Any, Any]], body: bytes
) -> None:
    app = make_app(token_location=("json",))
    _protect(app)
    _, response = await app.asgi_client.post(
        "/me", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 401
    assert "JSON body" in response.json["msg"]


@pytest.mark.parametrize("value", [42, ["a.b.c"], {"token": "a.b.c"}, True])
async def test_json_token_that_is_not_a_string_is_a_decode_error(
    make_app: Callable[..., Sanic[Any, Any]], value: object
) -> None:
    app = make_app(token_location=("json",))
    _protect(app)
    _, response = await app.asgi_client.post("/me", json={"access_token": value})
    assert response.status == 422
    assert "must be a string" in response.json["msg"]
