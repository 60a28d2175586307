"""A session app on Sanic's own server, for the HTTP tests of sessions, rotation and sliding.

Login starts a session (JSON or cookies), the refresh routes rotate, logout ends the session;
the app's manager runs on a `ManualClock`, so expiry, the grace window and the threshold are
reached by moving it, never by sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    Token,
    TokenPair,
    jwt_required,
    refresh_jwt_required,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
    verify_jwt_in_request,
)
from tests.support.apps import SECRET, new_app, set_cookies
from tests.support.clock import ManualClock
from tests.support.sanic_server import RunningServer

ACCESS_COOKIE, REFRESH_COOKIE = "access_token_cookie", "refresh_token_cookie"
ACCESS_CSRF, REFRESH_CSRF = "csrf_access_token", "csrf_refresh_token"
REFRESH_CSRF_HEADER = "X-CSRF-Refresh-Token"


def _pair(tokens: TokenPair) -> HTTPResponse:
    return json(tokens._asdict(), headers={"Cache-Control": "no-store"})


def _with_cookies(tokens: TokenPair) -> HTTPResponse:
    response = json({"msg": "cookies set"}, headers={"Cache-Control": "no-store"})
    set_access_cookies(response, tokens.access_token)
    set_refresh_cookies(response, tokens.refresh_token)
    return response


def session_app(clock: ManualClock, **options: Any) -> Sanic[Any, Any]:
    """An app whose manager reads `clock`; `options` set on its config."""
    app = new_app("sessions")
    with JWT.initialize(app, clock=clock) as jwt:
        jwt.config.secret_key = SECRET
        jwt.config.use_blacklist = True
        jwt.config.token_location = ("headers", "cookies", "json")
        jwt.config.cookie_secure = False
        jwt.config.refresh_jwt_csrf_header = REFRESH_CSRF_HEADER
        for name, value in options.items():
            setattr(jwt.config, name, value)

    @app.post("/login/<identity>")
    async def login(request: Request, identity: str) -> HTTPResponse:
        return _pair(JWT.start_session(identity))

    @app.post("/cookie/login/<identity>")
    async def cookie_login(request: Request, identity: str) -> HTTPResponse:
        return _with_cookies(JWT.start_session(identity))

    @app.post("/refresh")
    @refresh_jwt_required(locations="headers")
    async def refresh(request: Request, token: Token) -> HTTPResponse:
        return _pair(await JWT.rotate(token))

    @app.post("/cookie/refresh")
    @refresh_jwt_required(locations="cookies")
    async def cookie_refresh(request: Request, token: Token) -> HTTPResponse:
        return _with_cookies(await JWT.rotate(token))

    @app.route("/me", methods=["GET", "POST"])
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity, "family": token.family})

    @app.post("/logout")
    @jwt_required
    async def logout(request: Request, token: Token) -> HTTPResponse:
        where = ("cookies",) if request.cookies.get(ACCESS_COOKIE) else ("headers", "json")
        refresh = await verify_jwt_in_request(request, refresh=True, optional=True, locations=where)
        await JWT.logout(token, refresh)
        response = json({"msg": "logged out", "with_refresh": refresh is not None})
        if where == ("cookies",):
            unset_jwt_cookies(response)
        return response

    return app


class Browser:
    """An HTTP client to a running app that keeps cookies as a browser would (Secure aside)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.jar: dict[str, str] = {}

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request with the jar's cookies; the response's Set-Cookie lines update the jar."""
        headers = dict(kwargs.pop("headers", {}))
        if self.jar:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.jar.items())
        response = self.client.request(method, path, headers=headers, **kwargs)
        for name, entry in set_cookies(response).items():
            if entry.get("max-age") == "0":
                self.jar.pop(name, None)
            else:
                self.jar[name] = entry["value"]
        return response

    def csrf(self, *, refresh: bool = False) -> dict[str, str]:
        """The CSRF header(s) browser code copies from the readable CSRF cookies."""
        headers = {"X-CSRF-Token": self.jar[ACCESS_CSRF]}
        if refresh:
            headers[REFRESH_CSRF_HEADER] = self.jar[REFRESH_CSRF]
        return headers


@contextmanager
def serving(app: Sanic[Any, Any]) -> Iterator[httpx.Client]:
    """`app` on Sanic's own server on a loopback port, and an httpx client to it.

    The client keeps no cookies of its own (a policy that accepts none): each request sends
    only what the test gives it, a `Browser`'s jar included.
    """
    no_cookies = CookieJar(DefaultCookiePolicy(allowed_domains=[]))
    with RunningServer(app) as server:
        url = f"http://127.0.0.1:{server.port}"
        with httpx.Client(base_url=url, cookies=no_cookies, timeout=10) as client:
            yield client
