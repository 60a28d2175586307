"""manager.handler.<name>: replace a default error response with an async or sync function."""

from __future__ import annotations

import pytest
from sanic import HTTPResponse, Request
from sanic.response import json, text

from sanic_jwt_extended import (
    JWT,
    AccessDeniedError,
    ConfigurationConflictError,
    NoAuthorizationError,
    Token,
    jwt_required,
)
from tests.support.apps import SECRET, bearer, new_app


async def test_async_and_sync_replacements_are_used_and_others_stay_default() -> None:
    app = new_app()
    seen: list[Exception] = []

    async def no_token(request: Request, exception: Exception) -> HTTPResponse:
        seen.append(exception)
        return json({"error": "log in first", "path": request.path}, status=401)

    def denied(request: Request, exception: Exception) -> HTTPResponse:
        return text("nope", status=418)

    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.use_acl = True
        manager.handler.no_authorization = no_token
        manager.handler.access_denied = denied

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    _, response = await app.asgi_client.get("/admin")
    assert response.status == 401
    assert response.json == {"error": "log in first", "path": "/admin"}
    assert isinstance(seen[0], NoAuthorizationError)

    user = JWT.for_app(app).create_access_token("bob", "USER")
    _, response = await app.asgi_client.get("/admin", headers=bearer(user))
    assert (response.status, response.text) == (418, "nope")

    _, response = await app.asgi_client.get("/admin", headers={"Authorization": "Bearer"})
    assert response.status == 422  # the default invalid_header handler


async def test_replacement_in_one_app_does_not_touch_another() -> None:
    custom = new_app()
    with JWT.initialize(custom) as manager:
        manager.config.secret_key = SECRET
        manager.handler.no_authorization = lambda request, exception: text("custom", 401)
    plain = new_app()
    with JWT.initialize(plain) as manager:
        manager.config.secret_key = SECRET
    for app in (custom, plain):

        @app.get("/me")
        @jwt_required
        async def me(request: Request, token: Token) -> HTTPResponse:
            return json({})

    _, response = await custom.asgi_client.get("/me")
    assert response.text == "custom"
    _, response = await plain.asgi_client.get("/me")
    assert "msg" in response.json


def test_unknown_or_uncallable_handler_is_refused() -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        with pytest.raises(ConfigurationConflictError, match="unknown error handler"):
            manager.handler.no_authorisation = lambda r, e: text("")
        with pytest.raises(ConfigurationConflictError, match="must be a function"):
            manager.handler.access_denied = "403"


async def test_the_app_own_exception_handler_is_kept() -> None:
    app = new_app()

    @app.exception(AccessDeniedError)
    async def mine(request: Request, exception: Exception) -> HTTPResponse:
        return text("the app's own", status=403)

    with JWT.initialize(app) as manager:  # no duplicate-handler crash
        manager.config.secret_key = SECRET
        manager.config.use_acl = True

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> HTTPResponse:
        return json({})

    _, response = await app.asgi_client.get(
        "/admin", headers=bearer(JWT.for_app(app).create_access_token("bob", "USER"))
    )
    assert (response.status, response.text) == (403, "the app's own")
