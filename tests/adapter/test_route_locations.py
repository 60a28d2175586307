"""Per-route token locations (`jwt_required(locations=...)`), checked at startup."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    Token,
    jwt_optional,
    jwt_required,
    refresh_jwt_required,
)
from tests.support.apps import SECRET, bearer, new_app


def _app() -> Sanic[Any, Any]:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        jwt.config.token_location = ("headers", "cookies", "query_string")
        jwt.config.csrf_protect = False

    @app.get("/cookie-only")
    @jwt_required(locations=["cookies"])
    async def cookie_only(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    @app.get("/header-or-query")
    @jwt_optional(locations=("query_string", "headers"))
    async def header_or_query(request: Request, token: Token | None) -> HTTPResponse:
        return json({"identity": token and token.identity})

    @app.get("/any")
    @jwt_required
    async def anywhere(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    return app


async def test_a_route_reads_only_its_own_locations() -> None:
    app = _app()
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/cookie-only", headers=bearer(token))
    assert response.status == 401
    assert response.json == {
        "msg": "missing access token: none found in the 'access_token_cookie' cookie"
    }
    assert response.headers["www-authenticate"] == "Bearer"
    _, response = await app.asgi_client.get(f"/cookie-only?jwt={token}")
    assert response.status == 401
    _, response = await app.asgi_client.get("/cookie-only", cookies={"access_token_cookie": token})
    assert response.json == {"identity": "alice"}
    # the app's other routes keep reading every configured location
    _, response = await app.asgi_client.get("/any", headers=bearer(token))
    assert response.json == {"identity": "alice"}


async def test_an_optional_route_with_its_own_locations() -> None:
    app = _app()
    token = JWT.for_app(app).create_access_token("bob")
    _, response = await app.asgi_client.get(
        "/header-or-query", cookies={"access_token_cookie": token}
    )
    assert response.json == {"identity": None}  # a cookie is not read here
    _, response = await app.asgi_client.get(f"/header-or-query?jwt={token}")
    assert response.json == {"identity": "bob"}


def test_a_location_the_app_does_not_read_stops_the_start() -> None:
    app = new_app()

    @app.get("/body")
    @jwt_required(locations=["json"])
    async def body(request: Request, token: Token) -> HTTPResponse:
        return json({})

    match = r"route .*body.*\['json'\].*token_location"
    with pytest.raises(ConfigurationConflictError, match=match), JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET


def test_a_route_added_after_initialize_is_checked_when_the_server_starts() -> None:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET

    @app.post("/refresh")
    @refresh_jwt_required(locations="cookies")
    async def refresh(request: Request, token: Token) -> HTTPResponse:
        return json({})

    with pytest.raises(ConfigurationConflictError, match="cookies"):
        app.test_client.post("/refresh")


@pytest.mark.parametrize("locations", [[], ["header"], ["cookies", "cookies"], [1]])
def test_bad_location_names_are_refused_at_once(locations: Any) -> None:
    with pytest.raises(ConfigurationConflictError, match="locations must name"):
        jwt_required(locations=locations)
