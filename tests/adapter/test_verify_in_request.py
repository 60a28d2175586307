"""`verify_jwt_in_request`: the decorators' checks and refusals for middleware and own guards."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    Token,
    get_jwt_identity,
    jwt_required,
    verify_jwt_in_request,
)
from tests.support.apps import SECRET, bearer, new_app


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """A custom decorator built on verify_jwt_in_request."""

    @functools.wraps(view)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> Any:
        await verify_jwt_in_request(request, allow=["ADMIN"], fresh=True)
        return await view(request, *args, **kwargs)

    return guarded


@pytest.fixture
def app() -> Sanic[Any, Any]:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        jwt.config.use_acl = True
        jwt.config.token_location = ("headers", "cookies")

    @app.middleware("request")
    async def api_needs_a_token(request: Request) -> None:
        if request.path.startswith("/api/"):
            await verify_jwt_in_request()  # the current request

    @app.route("/api/me", methods=["GET", "POST"])
    async def me(request: Request) -> HTTPResponse:
        return json({"identity": get_jwt_identity()})

    @app.get("/admin")
    @admin_only
    async def admin(request: Request) -> HTTPResponse:
        return json({"identity": get_jwt_identity()})

    @app.get("/decorated")
    @jwt_required(allow=["ADMIN"], fresh_required=True)
    async def decorated(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    @app.get("/maybe")
    async def maybe(request: Request) -> HTTPResponse:
        token = await verify_jwt_in_request(request, optional=True)
        return json({"identity": token and token.identity})

    return app


async def test_middleware_verification_answers_like_a_decorator(app: Sanic[Any, Any]) -> None:
    named = JWT.for_app(app)
    _, response = await app.asgi_client.get("/api/me")
    assert response.status == 401
    assert response.json["msg"].startswith("missing access token")
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["cache-control"] == "no-store"
    _, response = await app.asgi_client.get("/api/me", headers=bearer("x.y.z"))
    assert response.status == 422
    _, response = await app.asgi_client.get(
        "/api/me", headers=bearer(named.create_access_token("a", expires_delta=timedelta(-1)))
    )
    assert response.status == 401
    _, response = await app.asgi_client.get(
        "/api/me", headers=bearer(named.create_access_token("alice"))
    )
    assert response.json == {"identity": "alice"}


async def test_cookies_and_csrf_are_handled_as_by_a_decorator(app: Sanic[Any, Any]) -> None:
    token = JWT.for_app(app).create_access_token("alice")
    csrf = JWT.for_app(app).decode(token).csrf
    assert csrf
    cookies = {"access_token_cookie": token}
    _, response = await app.asgi_client.post("/api/me", cookies=cookies)
    assert response.status == 401
    assert "CSRF" in response.json["msg"]
    _, response = await app.asgi_client.post(
        "/api/me", cookies=cookies, headers={"X-CSRF-Token": csrf}
    )
    assert response.json == {"identity": "alice"}


async def test_a_custom_decorator_refuses_exactly_as_jwt_required(app: Sanic[Any, Any]) -> None:
    named = JWT.for_app(app)
    tokens = [
        named.create_access_token("u", "USER", True),
        named.create_access_token("a", "ADMIN", False),
        named.create_access_token("a", "ADMIN", True),
    ]
    for token in tokens:
        _, custom = await app.asgi_client.get("/admin", headers=bearer(token))
        _, decorated = await app.asgi_client.get("/decorated", headers=bearer(token))
        assert custom.status == decorated.status
        assert custom.json == decorated.json
        assert custom.headers.get("www-authenticate") == decorated.headers.get("www-authenticate")
    assert custom.json == {"identity": "a"}


async def test_optional_gives_none_without_a_token(app: Sanic[Any, Any]) -> None:
    _, response = await app.asgi_client.get("/maybe")
    assert response.json == {"identity": None}
    token = JWT.for_app(app).create_access_token("bob")
    _, response = await app.asgi_client.get("/maybe", headers=bearer(token))
    assert response.json == {"identity": "bob"}


async def test_options_the_app_cannot_honour_are_a_clear_error() -> None:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET

    @app.get("/x")
    async def x(request: Request) -> HTTPResponse:
        try:
            await verify_jwt_in_request(request, locations=["json"])
        except ConfigurationConflictError as exc:
            return json({"error": str(exc)})
        return json({})

    _, response = await app.asgi_client.get("/x")
    assert "token_location" in response.json["error"]
