"""set_*_cookies / unset_*_cookies: HttpOnly JWT cookies, readable CSRF cookies, config attrs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    ExpiredSignatureError,
    JWTDecodeError,
    JWTExtendedException,
    Token,
    WrongTokenError,
    jwt_required,
    set_access_cookies,
    set_refresh_cookies,
    unset_access_cookies,
    unset_jwt_cookies,
    unset_refresh_cookies,
)
from tests.support.apps import manager_of, set_cookies


def _routes(app: Sanic[Any, Any]) -> None:
    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        response = json({"ok": True})
        set_access_cookies(response, JWT.create_access_token("alice"))
        set_refresh_cookies(response, JWT.create_refresh_token("alice"))
        return response

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        response = json({"ok": True})
        unset_jwt_cookies(response)
        return response

    @app.post("/logout/<which>")
    async def logout_one(request: Request, which: str) -> HTTPResponse:
        response = json({"ok": True})
        (unset_access_cookies if which == "access" else unset_refresh_cookies)(response)
        return response

    @app.post("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})


async def test_login_sets_four_cookies_with_default_attributes(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("cookies",))
    _routes(app)
    _, response = await app.asgi_client.post("/login")
    cookies = set_cookies(response)
    assert set(cookies) == {
        "access_token_cookie",
        "csrf_access_token",
        "refresh_token_cookie",
        "csrf_refresh_token",
    }
    manager = manager_of(app)
    access = manager.decode(cookies["access_token_cookie"]["value"])
    refresh = manager.decode(cookies["refresh_token_cookie"]["value"])
    assert (access.type, refresh.type) == ("access", "refresh")
    assert cookies["csrf_access_token"]["value"] == access.csrf
    assert cookies["csrf_refresh_token"]["value"] == refresh.csrf

    for name in ("access_token_cookie", "refresh_token_cookie"):
        assert "httponly" in cookies[name]
    for name in ("csrf_access_token", "csrf_refresh_token"):
        assert "httponly" not in cookies[name]  # browser code must read it
    for entry in cookies.values():
        assert "secure" in entry
        assert entry["samesite"].lower() == "lax"
        assert entry["path"] == "/"
        assert "domain" not in entry

    # max-age follows each token's lifetime (15 minutes and 30 days by default)
    access_age = int(cookies["access_token_cookie"]["max-age"])
    refresh_age = int(cookies["refresh_token_cookie"]["max-age"])
    assert 15 * 60 - 5 <= access_age <= 15 * 60
    assert 30 * 86400 - 5 <= refresh_age <= 30 * 86400
    assert cookies["csrf_access_token"]["max-age"] == cookies["access_token_cookie"]["max-age"]


async def test_cookie_attributes_come_from_the_config(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(
        token_location=("cookies",),
        cookie_secure=False,
        cookie_samesite="Strict",
        cookie_domain="example.test",
        access_cookie_path="/api",
        refresh_cookie_path="/auth/refresh",
        access_csrf_cookie_path="/",
        refresh_csrf_cookie_path="/auth",
        jwt_cookie="at",
        refresh_jwt_cookie="rt",
        access_csrf_cookie="at_csrf",
        refresh_csrf_cookie="rt_csrf",
        access_token_expires=timedelta(seconds=90),
    )
    _routes(app)
    _, response = await app.asgi_client.post("/login")
    cookies = set_cookies(response)
    assert set(cookies) == {"at", "rt", "at_csrf", "rt_csrf"}
    assert [cookies[n]["path"] for n in ("at", "rt", "at_csrf", "rt_csrf")] == [
        "/api",
        "/auth/refresh",
        "/",
        "/auth",
    ]
    for entry in cookies.values():
        assert "secure" not in entry
        assert entry["samesite"].lower() == "strict"
        assert entry["domain"] == "example.test"
    assert 85 <= int(cookies["at"]["max-age"]) <= 90


async def test_no_csrf_cookie_when_csrf_is_off(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(token_location=("cookies",), csrf_protect=False)
    _routes(app)
    _, response = await app.asgi_client.post("/login")
    assert set(set_cookies(response)) == {"access_token_cookie", "refresh_token_cookie"}

    hidden = make_app(token_location=("cookies",), csrf_in_cookies=False)
    _routes(hidden)
    _, response = await hidden.asgi_client.post("/login")
    assert set(set_cookies(response)) == {"access_token_cookie", "refresh_token_cookie"}


async def test_cookies_from_login_authenticate_with_the_csrf_cookie_value(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("cookies",))
    _routes(app)
    _, login = await app.asgi_client.post("/login")
    cookies = set_cookies(login)
    jar = "; ".join(f"{name}={entry['value']}" for name, entry in cookies.items())
    _, response = await app.asgi_client.post(
        "/me", headers={"Cookie": jar, "X-CSRF-Token": cookies["csrf_access_token"]["value"]}
    )
    assert response.status == 200
    assert response.json == {"identity": "alice"}


async def test_unset_expires_the_cookies(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(token_location=("cookies",), refresh_cookie_path="/auth", cookie_secure=False)
    _routes(app)
    _, response = await app.asgi_client.post("/logout")
    cookies = set_cookies(response)
    assert set(cookies) == {
        "access_token_cookie",
        "csrf_access_token",
        "refresh_token_cookie",
        "csrf_refresh_token",
    }
    for entry in cookies.values():
        assert entry["value"] == ""
        assert entry["max-age"] == "0"
        assert "secure" not in entry
    assert cookies["refresh_token_cookie"]["path"] == "/auth"

    _, response = await app.asgi_client.post("/logout/access")
    assert set(set_cookies(response)) == {"access_token_cookie", "csrf_access_token"}
    _, response = await app.asgi_client.post("/logout/refresh")
    assert set(set_cookies(response)) == {"refresh_token_cookie", "csrf_refresh_token"}


def test_explicit_max_age_and_tokens_without_expiry(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("cookies",))
    with JWT.for_app(app):
        response = json({})
        set_access_cookies(response, JWT.create_access_token("alice"), max_age=60)
        assert set_cookies(response)["access_token_cookie"]["max-age"] == "60"

        session = json({})
        set_access_cookies(session, JWT.create_access_token("alice", expires_delta=False))
        assert "max-age" not in set_cookies(session)["access_token_cookie"]


def test_a_token_of_the_wrong_type_is_a_wrong_token_error(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("cookies",))
    with (
        JWT.for_app(app),
        pytest.raises(WrongTokenError, match="takes an access token, not a refresh token"),
    ):
        set_access_cookies(json({}), JWT.create_refresh_token("alice"))
    with (
        JWT.for_app(app),
        pytest.raises(WrongTokenError, match="takes a refresh token, not an access token"),
    ):
        set_refresh_cookies(json({}), JWT.create_access_token("alice"))


@pytest.mark.parametrize("setter", [set_access_cookies, set_refresh_cookies])
def test_a_bad_token_raises_the_cores_error_and_sets_nothing(
    make_app: Callable[..., Sanic[Any, Any]], setter: Callable[..., None]
) -> None:
    other = make_app(token_location=("cookies",), secret="another-app-secret-of-at-least-32-bytes")
    foreign = JWT.for_app(other).create_access_token("alice")  # signed by another app's secret
    app = make_app(token_location=("cookies",))
    expired = JWT.for_app(app).create_refresh_token("alice", expires_delta=timedelta(seconds=-60))
    cases: list[tuple[str, type[JWTExtendedException]]] = [
        ("not-a-token", JWTDecodeError),
        (foreign, JWTDecodeError),
        (expired, ExpiredSignatureError),
    ]
    for token, error in cases:
        response = json({})
        with JWT.for_app(app), pytest.raises(error):
            setter(response, token)
        assert set_cookies(response) == {}
