"""CSRF double submit for cookie-borne tokens: header needed on unsafe methods only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_required, refresh_jwt_required
from tests.support.apps import bearer, manager_of

COOKIES_AND_HEADERS = ("cookies", "headers")


def _routes(app: Sanic[Any, Any]) -> None:
    @app.route("/me", methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json({"identity": token.identity})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> object:
        return json({"identity": token.identity})


def _cookie(token: str, name: str = "access_token_cookie") -> dict[str, str]:
    return {"Cookie": f"{name}={token}"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_unsafe_method_without_csrf_header_is_refused(
    make_app: Callable[..., Sanic[Any, Any]], method: str
) -> None:
    app = make_app(token_location=COOKIES_AND_HEADERS)
    _routes(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.request(method, "/me", headers=_cookie(token))
    assert response.status == 401
    assert response.json == {"msg": "the CSRF value is missing"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_wrong_csrf_value_is_refused(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(token_location=COOKIES_AND_HEADERS)
    _routes(app)
    token = JWT.for_app(app).create_access_token("alice")
    other_csrf = manager_of(app).decode(JWT.for_app(app).create_access_token("alice")).csrf
    assert other_csrf
    _, response = await app.asgi_client.post(
        "/me", headers={**_cookie(token), "X-CSRF-Token": other_csrf}
    )
    assert response.status == 401
    assert response.json == {"msg": "the CSRF value does not match the token"}


async def test_right_csrf_value_is_accepted(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(token_location=COOKIES_AND_HEADERS)
    _routes(app)
    token = JWT.for_app(app).create_access_token("alice")
    csrf = manager_of(app).decode(token).csrf
    assert csrf
    _, response = await app.asgi_client.post(
        "/me", headers={**_cookie(token), "X-CSRF-Token": csrf}
    )
    assert response.status == 200
    assert response.json == {"identity": "alice"}


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
async def test_safe_methods_are_exempt(
    make_app: Callable[..., Sanic[Any, Any]], method: str
) -> None:
    app = make_app(token_location=COOKIES_AND_HEADERS)
    _routes(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.request(method, "/me", headers=_cookie(token))
    assert response.status == 200


async def test_token_in_a_header_needs_no_csrf_value(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=COOKIES_AND_HEADERS)
    _routes(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.post("/me", headers=bearer(token))
    assert response.status == 200


async def test_csrf_protect_off_and_custom_methods_and_header(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    off = make_app(token_location=COOKIES_AND_HEADERS, csrf_protect=False)
    _routes(off)
    token = JWT.for_app(off).create_access_token("alice")
    _, response = await off.asgi_client.post("/me", headers=_cookie(token))
    assert response.status == 200

    custom = make_app(
        token_location=COOKIES_AND_HEADERS,
        csrf_request_methods=("DELETE",),
        jwt_csrf_header="X-XSRF",
    )
    _routes(custom)
    # not JWT.create_access_token: the ASGI test client leaves this task inside the request
    # context of `off`, and inside a request the class-level API acts for that request's app
    token = manager_of(custom).create_access_token("alice")
    csrf = manager_of(custom).decode(token).csrf
    assert csrf
    _, response = await custom.asgi_client.post("/me", headers=_cookie(token))
    assert response.status == 200
    _, response = await custom.asgi_client.delete(
        "/me", headers={**_cookie(token), "X-CSRF-Token": csrf}
    )
    assert response.status == 401
    _, response = await custom.asgi_client.delete("/me", headers={**_cookie(token), "X-XSRF": csrf})
    assert response.status == 200


async def test_refresh_cookie_uses_the_refresh_csrf_header(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=COOKIES_AND_HEADERS, refresh_jwt_csrf_header="X-Refresh-CSRF")
    _routes(app)
    refresh = JWT.for_app(app).create_refresh_token("alice")
    csrf = manager_of(app).decode(refresh).csrf
    assert csrf
    cookie = _cookie(refresh, "refresh_token_cookie")
    _, response = await app.asgi_client.post("/refresh", headers={**cookie, "X-CSRF-Token": csrf})
    assert response.status == 401
    _, response = await app.asgi_client.post("/refresh", headers={**cookie, "X-Refresh-CSRF": csrf})
    assert response.status == 200
    assert response.json == {"identity": "alice"}
