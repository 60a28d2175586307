"""Sliding sessions over HTTP: a cookie session's access cookie is renewed close to expiry.

The app's manager runs on a `ManualClock`: access tokens live 15 minutes (the default), the
threshold is 5, so 11 minutes after login a token has 4 left and a response renews it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.exceptions import NotFound
from sanic.response import json

from jwt_core.blacklist.sqlite import IDENTITY_INTERVAL
from sanic_jwt_extended import (
    JWT,
    SQLiteBlacklist,
    Token,
    jwt_optional,
    jwt_required,
    set_access_cookies,
    unset_access_cookies,
)
from tests.adapter.session_app import (
    ACCESS_COOKIE,
    ACCESS_CSRF,
    REFRESH_COOKIE,
    Browser,
    serving,
    session_app,
)
from tests.support.apps import bearer, manager_of, set_cookies
from tests.support.clock import ManualClock

THRESHOLD = timedelta(minutes=5)
NEAR_EXPIRY = 11 * 60  # seconds after login: 4 of the access token's 15 minutes left


def sliding_app(clock: ManualClock, **options: Any) -> Sanic[Any, Any]:
    """The session app with sliding on, and views that do what a sliding cookie must respect."""
    options.setdefault("sliding_session_threshold", THRESHOLD)
    options.setdefault("token_location", ("headers", "cookies", "query_string", "json"))
    app = session_app(clock, **options)

    @app.get("/optional")
    @jwt_optional
    async def optional(request: Request, token: Token | None) -> HTTPResponse:
        return json({"identity": None if token is None else token.identity})

    @app.get("/own-cookie")
    @jwt_required
    async def own_cookie(request: Request, token: Token) -> HTTPResponse:
        response = json({"msg": "the view sets the access cookie"})
        set_access_cookies(response, JWT.create_access_token("someone-else"))
        return response

    @app.get("/raw-cookie")
    @jwt_required
    async def raw_cookie(request: Request, token: Token) -> HTTPResponse:
        response = json({"msg": "the view writes its own Set-Cookie line"})
        response.headers.add("Set-Cookie", f"{ACCESS_COOKIE}=its-own; Path=/; HttpOnly")
        return response

    @app.get("/clear-cookie")
    @jwt_required
    async def clear_cookie(request: Request, token: Token) -> HTTPResponse:
        response = json({"msg": "the view clears the access cookie"})
        unset_access_cookies(response)
        return response

    @app.get("/conflict")
    @jwt_required
    async def conflict(request: Request, token: Token) -> HTTPResponse:
        return json({"msg": "the view refuses"}, status=409)

    @app.get("/missing")
    @jwt_required
    async def missing(request: Request, token: Token) -> HTTPResponse:
        raise NotFound("nothing here")

    @app.get("/revoke")
    @jwt_required
    async def revoke(request: Request, token: Token) -> HTTPResponse:
        await JWT.revoke(token)
        return json({"msg": "revoked, the cookie is left as it is"})

    @app.get("/logout-keeping-cookies")
    @jwt_required
    async def logout_keeping_cookies(request: Request, token: Token) -> HTTPResponse:
        await JWT.logout(token)
        return json({"msg": "logged out, the cookies are left as they are"})

    return app


def _cookie_browser(client: httpx.Client, identity: str = "alice") -> Browser:
    browser = Browser(client)
    assert browser.send("POST", f"/cookie/login/{identity}").status_code == 200
    return browser


def _renewed(response: httpx.Response) -> dict[str, dict[str, str]]:
    """The cookies a response sets."""
    return set_cookies(response)


def test_a_cookie_token_close_to_expiry_gets_a_new_access_cookie_and_csrf_cookie() -> None:
    clock = ManualClock.from_wall_time()
    app = sliding_app(clock)
    manager = manager_of(app)
    with serving(app) as client:
        browser = _cookie_browser(client)
        first = dict(browser.jar)
        assert "set-cookie" not in browser.send("GET", "/me").headers  # 15 minutes left

        clock.advance(NEAR_EXPIRY)
        response = browser.send("GET", "/me")
        assert response.status_code == 200
        assert set(_renewed(response)) == {ACCESS_COOKIE, ACCESS_CSRF}
        assert "httponly" in _renewed(response)[ACCESS_COOKIE]
        assert response.headers["cache-control"] == "no-store"
        old = manager.decode(first[ACCESS_COOKIE])
        new = manager.decode(browser.jar[ACCESS_COOKIE])
        assert new.jti != old.jti
        assert (new.identity, new.role, new.family) == (old.identity, old.role, old.family)
        assert new.auth_time == old.auth_time
        assert new.exp is not None
        assert old.exp is not None
        assert new.exp - old.exp == timedelta(seconds=NEAR_EXPIRY)
        assert not new.fresh
        assert browser.jar[REFRESH_COOKIE] == first[REFRESH_COOKIE]  # the refresh cookie stays
        # The new CSRF cookie goes with the new access cookie: a POST with it is accepted,
        # and once the old token has expired, the new one carries the session on.
        assert browser.send("POST", "/me", headers=browser.csrf()).status_code == 200
        clock.advance(5 * 60)
        assert browser.send("GET", "/me").json()["identity"] == "alice"


def test_an_optional_guard_slides_too_and_a_request_without_a_token_gets_nothing() -> None:
    clock = ManualClock.from_wall_time()
    with serving(sliding_app(clock)) as client:
        browser = _cookie_browser(client)
        clock.advance(NEAR_EXPIRY)
        assert ACCESS_COOKIE in _renewed(browser.send("GET", "/optional"))
        anonymous = client.get("/optional")
        assert anonymous.json() == {"identity": None}
        assert "set-cookie" not in anonymous.headers


@pytest.mark.parametrize("location", ["headers", "query_string", "json"])
def test_a_token_from_anywhere_but_the_cookie_never_slides(location: str) -> None:
    clock = ManualClock.from_wall_time()
    with serving(sliding_app(clock)) as client:
        access = client.post("/login/alice").json()["access_token"]
        clock.advance(NEAR_EXPIRY)
        if location == "headers":
            response = client.get("/me", headers=bearer(access))
        elif location == "query_string":
            response = client.get("/me", params={"jwt": access})
        else:
            response = client.post("/me", json={"access_token": access})
        assert response.status_code == 200, response.text
        assert "set-cookie" not in response.headers


def test_a_view_that_sets_or_clears_the_access_cookie_itself_wins() -> None:
    clock = ManualClock.from_wall_time()
    app = sliding_app(clock)
    with serving(app) as client:
        browser = _cookie_browser(client)
        clock.advance(NEAR_EXPIRY)
        own = browser.send("GET", "/own-cookie")
        lines = own.headers.get_list("set-cookie")
        assert len([line for line in lines if line.startswith(f"{ACCESS_COOKIE}=")]) == 1
        assert manager_of(app).decode(browser.jar[ACCESS_COOKIE]).identity == "someone-else"

        browser = _cookie_browser(client)
        clock.advance(NEAR_EXPIRY)
        raw = browser.send("GET", "/raw-cookie")
        assert raw.headers.get_list("set-cookie") == [f"{ACCESS_COOKIE}=its-own; Path=/; HttpOnly"]

        browser = _cookie_browser(client)
        clock.advance(NEAR_EXPIRY)
        cleared = browser.send("GET", "/clear-cookie")
        assert _renewed(cleared)[ACCESS_COOKIE]["max-age"] == "0"
        assert ACCESS_COOKIE not in browser.jar


@pytest.mark.parametrize("path", ["/conflict", "/missing"])
def test_an_error_response_never_slides(path: str) -> None:
    clock = ManualClock.from_wall_time()
    with serving(sliding_app(clock)) as client:
        browser = _cookie_browser(client)
        clock.advance(NEAR_EXPIRY)
        response = browser.send("GET", path)
        assert response.status_code in (404, 409)
        assert "set-cookie" not in response.headers


@pytest.mark.parametrize("path", ["/revoke", "/logout-keeping-cookies"])
def test_a_token_revoked_while_the_view_ran_never_slides(path: str) -> None:
    clock = ManualClock.from_wall_time()
    with serving(sliding_app(clock)) as client:
        browser = _cookie_browser(client)
        clock.advance(NEAR_EXPIRY)
        response = browser.send("GET", path)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        refused = browser.send("GET", "/me")  # and, of course, the token is refused next time
        assert refused.status_code == 401
        assert "set-cookie" not in refused.headers


def test_a_revoked_family_never_slides() -> None:
    clock = ManualClock.from_wall_time()
    with serving(sliding_app(clock)) as client:
        browser = _cookie_browser(client)
        stolen = dict(browser.jar)
        rotated = browser.send("POST", "/cookie/refresh", headers=browser.csrf(refresh=True))
        assert rotated.status_code == 200
        clock.advance(NEAR_EXPIRY)
        thief = Browser(client)
        thief.jar = stolen
        reused = thief.send("POST", "/cookie/refresh", headers=thief.csrf(refresh=True))
        assert reused.status_code == 401
        # the family is revoked: the user's (near-expiry) access cookie is refused, not renewed
        response = browser.send("GET", "/me")
        assert response.json() == {"msg": "the token has been revoked"}
        assert "set-cookie" not in response.headers


def test_sliding_never_goes_past_the_session_max_age() -> None:
    clock = ManualClock.from_wall_time()
    app = sliding_app(clock, session_max_age=timedelta(minutes=20))
    manager = manager_of(app)
    with serving(app) as client:
        browser = _cookie_browser(client)
        auth_time = manager.decode(browser.jar[ACCESS_COOKIE]).auth_time
        assert auth_time is not None
        clock.advance(NEAR_EXPIRY)
        renewed = browser.send("GET", "/me")
        assert ACCESS_COOKIE in _renewed(renewed)
        # not 15 minutes from now: the session ends 20 minutes after the login
        assert manager.decode(browser.jar[ACCESS_COOKIE]).exp == auth_time + timedelta(minutes=20)

        clock.advance(5 * 60)  # 16 minutes in: 4 left, but the session ends with the token
        last = browser.send("GET", "/me")
        assert last.status_code == 200
        assert "set-cookie" not in last.headers
        clock.advance(5 * 60)  # 21 minutes in: over
        over = browser.send("GET", "/me")
        assert over.json() == {"msg": "the token has expired"}
        assert "set-cookie" not in over.headers


def test_without_a_threshold_nothing_slides() -> None:
    clock = ManualClock.from_wall_time()
    with serving(sliding_app(clock, sliding_session_threshold=False)) as client:
        browser = _cookie_browser(client)
        clock.advance(NEAR_EXPIRY)
        response = browser.send("GET", "/me")
        assert response.status_code == 200
        assert "set-cookie" not in response.headers


def test_nothing_is_renewed_while_the_store_cannot_be_reached(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = ManualClock.from_wall_time()
    path = tmp_path / "revoked.sqlite3"
    app = sliding_app(
        clock, blacklist_class=SQLiteBlacklist, blacklist_init_kwargs={"path": str(path)}
    )

    @app.get("/store-goes-down")
    @jwt_required
    async def store_goes_down(request: Request, token: Token) -> HTTPResponse:
        for suffix in ("", "-wal", "-shm"):  # the file is deleted under the running app
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        # a check answered from the replica looks at the file at most this often
        await asyncio.sleep(2 * IDENTITY_INTERVAL)
        return json({"msg": "the store went down while the view ran"})

    with serving(app) as client:
        browser = _cookie_browser(client)
        clock.advance(NEAR_EXPIRY)
        response = browser.send("GET", "/store-goes-down")
        assert response.json() == {"msg": "the store went down while the view ran"}
        assert "set-cookie" not in response.headers
        # said once, as a warning without a traceback; never an error of Sanic's middleware
        said = [r for r in caplog.records if r.getMessage().startswith("access cookie not")]
        assert [(r.levelno, r.exc_info) for r in said] == [(logging.WARNING, None)]
        assert "RevocationStoreUnavailableError" in said[0].getMessage()
        # (the store logs its own ERROR, once, naming the file)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert [r.name for r in errors] == ["jwt_core"]
        refused = browser.send("GET", "/me")  # fail closed
        assert refused.status_code == 503
        assert "set-cookie" not in refused.headers
