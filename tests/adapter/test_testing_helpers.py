"""`sanic_jwt_extended.testing`: tokens, headers and cookies for one named app in a test suite."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_required, refresh_jwt_required
from sanic_jwt_extended.testing import auth_cookies, auth_headers, token_for
from tests.support.apps import SECRET, new_app


def _app(secret: str, **options: Any) -> Sanic[Any, Any]:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = secret
        jwt.config.use_acl = True
        for name, value in options.items():
            setattr(jwt.config, name, value)

    @app.route("/admin", methods=["GET", "POST"])
    @jwt_required(allow=["ADMIN"], fresh_required=True)
    async def admin(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity, "role": token.role})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    return app


@pytest.fixture
def apps() -> tuple[Sanic[Any, Any], Sanic[Any, Any]]:
    first = _app(SECRET)
    second = _app(
        SECRET[::-1],
        jwt_header_key="X-Auth",
        jwt_header_prefix="Token",
        token_location=("headers", "cookies"),
        jwt_cookie="session",
        jwt_csrf_header="X-XSRF",
    )
    return first, second


async def test_headers_for_each_app_with_its_own_names(
    apps: tuple[Sanic[Any, Any], Sanic[Any, Any]],
) -> None:
    first, second = apps
    headers = auth_headers(second, "alice", "ADMIN", fresh=True)
    assert list(headers) == ["X-Auth"]
    assert headers["X-Auth"].startswith("Token ")
    _, response = await second.asgi_client.get("/admin", headers=headers)
    assert response.json == {"identity": "alice", "role": "ADMIN"}
    # the other app's keys differ: its token is no good here, and the other way round
    _, response = await second.asgi_client.get(
        "/admin", headers={"X-Auth": "Token " + token_for(first, "alice", "ADMIN", fresh=True)}
    )
    assert response.status == 422
    _, response = await first.asgi_client.get(
        "/admin", headers=auth_headers(first, "bob", "ADMIN", fresh=True)
    )
    assert response.json == {"identity": "bob", "role": "ADMIN"}


async def test_role_and_freshness_are_the_tokens(
    apps: tuple[Sanic[Any, Any], Sanic[Any, Any]],
) -> None:
    first, _ = apps
    _, response = await first.asgi_client.get("/admin", headers=auth_headers(first, "bob", "ADMIN"))
    assert response.status == 401  # not fresh
    _, response = await first.asgi_client.get(
        "/admin", headers=auth_headers(first, "bob", "USER", fresh=True)
    )
    assert response.status == 403


async def test_refresh_headers(apps: tuple[Sanic[Any, Any], Sanic[Any, Any]]) -> None:
    first, _ = apps
    headers = auth_headers(first, "carol", refresh=True)
    assert list(headers) == ["X-Refresh-Token"]
    _, response = await first.asgi_client.post("/refresh", headers=headers)
    assert response.json == {"identity": "carol"}
    with pytest.raises(TypeError, match="never fresh"):
        auth_headers(first, "carol", refresh=True, fresh=True)


async def test_cookies_come_with_their_csrf_header(
    apps: tuple[Sanic[Any, Any], Sanic[Any, Any]],
) -> None:
    _, second = apps
    sent = auth_cookies(second, "dave", "ADMIN", fresh=True)
    assert set(sent.cookies) == {"session", "csrf_access_token"}
    assert list(sent.headers) == ["X-XSRF"]
    _, response = await second.asgi_client.post("/admin", cookies=sent.cookies)
    assert response.status == 401  # a POST without the CSRF header
    _, response = await second.asgi_client.post(
        "/admin", cookies=sent.cookies, headers=sent.headers
    )
    assert response.json == {"identity": "dave", "role": "ADMIN"}


def test_without_csrf_protection_there_is_no_csrf_header() -> None:
    app = _app(SECRET, token_location=("cookies",), csrf_protect=False)
    sent = auth_cookies(app, "erin")
    assert set(sent.cookies) == {"access_token_cookie"}
    assert sent.headers == {}
