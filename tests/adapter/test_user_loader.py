"""The app's user loader: once per request, after every token check; None refuses (401)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    ConfigFrozenError,
    ConfigurationConflictError,
    Token,
    get_current_user,
    jwt_optional,
    jwt_required,
    verify_jwt_in_request,
)
from tests.support.apps import SECRET, bearer, new_app

USERS = {"alice": {"name": "Alice"}, "bob": {"name": "Bob"}}


class LoaderFailed(Exception):
    pass


def _app(kind: str) -> tuple[Sanic[Any, Any], list[str]]:
    calls: list[str] = []
    app = new_app()

    def find(token: Token) -> Any:
        calls.append(token.identity)
        if token.identity == "boom":
            raise LoaderFailed("database down")
        return USERS.get(token.identity)

    async def find_async(token: Token) -> Any:
        return find(token)

    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        jwt.user_loader(find_async if kind == "async" else find)

    @app.exception(LoaderFailed)
    async def loader_failed(request: Request, exception: Exception) -> HTTPResponse:
        return json({"app": str(exception)}, status=500)

    @app.middleware("request")
    async def early(request: Request) -> None:
        if request.path == "/twice":  # a middleware verifies, then the decorator again
            await verify_jwt_in_request(request)

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({"user": get_current_user(), "ctx": request.ctx.jwt_user})

    @app.get("/twice")
    @jwt_required
    async def twice(request: Request, token: Token) -> HTTPResponse:
        return json({"user": get_current_user()})

    @app.get("/maybe")
    @jwt_optional
    async def maybe(request: Request, token: Token | None) -> HTTPResponse:
        return json({"user": get_current_user()})

    return app, calls


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_the_loaded_user_is_the_current_user(kind: str) -> None:
    app, calls = _app(kind)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 200, response.text
    assert response.json == {"user": {"name": "Alice"}, "ctx": {"name": "Alice"}}
    assert calls == ["alice"]


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_loaded_once_per_request_even_when_verified_twice(kind: str) -> None:
    app, calls = _app(kind)
    token = JWT.for_app(app).create_access_token("bob")
    _, response = await app.asgi_client.get("/twice", headers=bearer(token))
    assert response.json == {"user": {"name": "Bob"}}
    assert calls == ["bob"]


async def test_no_user_is_a_401_refusal_with_a_json_body() -> None:
    app, calls = _app("async")
    token = JWT.for_app(app).create_access_token("mallory")
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 401
    assert response.json == {"msg": "the token's user was not found"}
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert response.headers["cache-control"] == "no-store"
    assert calls == ["mallory"]


async def test_the_no_user_handler_is_replaceable() -> None:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        jwt.user_loader(lambda token: None)
        jwt.handler.user_not_found = lambda request, exc: json({"who": "unknown"}, status=401)

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({})

    token = JWT.for_app(app).create_access_token("x")
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert (response.status, response.json) == (401, {"who": "unknown"})
    assert response.headers["cache-control"] == "no-store"


async def test_the_loader_runs_after_every_token_check() -> None:
    app, calls = _app("sync")
    expired = JWT.for_app(app).create_access_token("alice", expires_delta=timedelta(seconds=-9))
    _, response = await app.asgi_client.get("/me", headers=bearer(expired))
    assert response.status == 401
    _, response = await app.asgi_client.get("/me", headers=bearer("not.a.token"))
    assert response.status == 422
    _, response = await app.asgi_client.get("/maybe")
    assert response.json == {"user": None}
    assert calls == []


async def test_an_exception_of_the_loader_is_the_apps_own() -> None:
    app, calls = _app("async")
    token = JWT.for_app(app).create_access_token("boom")
    assert calls == []
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 500
    assert response.json == {"app": "database down"}


def test_registration_is_inside_the_initialize_block_only() -> None:
    app, _ = _app("sync")
    with pytest.raises(ConfigFrozenError, match="inside the"):
        JWT.for_app(app).user_loader(lambda token: None)
    fresh = new_app()
    with JWT.initialize(fresh) as jwt:
        jwt.config.secret_key = SECRET
        with pytest.raises(ConfigurationConflictError, match="must be a function"):
            jwt.user_loader("not a function")  # type: ignore[arg-type]


async def test_current_user_without_a_loader_is_a_clear_error() -> None:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        try:
            get_current_user()
        except ConfigurationConflictError as exc:
            return json({"error": str(exc)})
        return json({})

    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert "needs a user loader" in response.json["error"]
