"""Sanic apps for the tests: uniquely named, initialized, served for real; headers and cookies."""

from __future__ import annotations

import itertools
import os
from typing import Any

from sanic import Sanic
from sanic_testing.testing import SanicTestClient

from sanic_jwt_extended import JWT, TokenManager

SECRET = "tests-support-secret-of-at-least-32-bytes!"
_names = itertools.count()

Sanic.test_mode = True


def new_app(prefix: str = "app", *, auto_extend: bool | None = None) -> Sanic[Any, Any]:
    """A Sanic app with a name no other test uses (touchup off: it costs 0.1 s a request).

    `auto_extend=True` turns Sanic Extensions on whatever SANIC_AUTO_EXTEND says (a test run
    may turn it off for speed); None leaves Sanic's own setting.
    """
    app = Sanic(f"{prefix}-{os.getpid()}-{next(_names)}")
    app.config.TOUCHUP = False
    if auto_extend is not None:
        app.config.AUTO_EXTEND = auto_extend
    return app


def initialized(app: Sanic[Any, Any], secret: str = SECRET, **options: Any) -> Sanic[Any, Any]:
    """`app` after `JWT.initialize` with `secret` and `options`."""
    with JWT.initialize(app) as manager:
        manager.config.secret_key = secret
        for name, value in options.items():
            setattr(manager.config, name, value)
    return app


def real_server(app: Sanic[Any, Any]) -> SanicTestClient:
    """sanic-testing's client that runs a real server per request, on a free loopback port.

    (`app.test_client` uses one fixed port, which parallel test runs would fight over.) One
    client per app: each client adds a listener to the app.
    """
    client = getattr(app.ctx, "real_server", None)
    if client is None:
        client = app.ctx.real_server = SanicTestClient(app, port=None)
    client.port = None  # it keeps the last port, which TIME_WAIT may still hold: pick anew
    return client


def manager_of(app: Sanic[Any, Any]) -> TokenManager:
    """The app's own TokenManager (public on app.ctx.jwt.manager)."""
    manager = app.ctx.jwt.manager
    assert isinstance(manager, TokenManager)
    return manager


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying `token`."""
    return {"Authorization": f"Bearer {token}"}


def set_cookies(response: Any) -> dict[str, dict[str, str]]:
    """Each Set-Cookie of `response` as {name: {"value": ..., "<attribute>": ...}}."""
    cookies: dict[str, dict[str, str]] = {}
    headers = response.headers
    if hasattr(headers, "getall"):  # a Sanic response built in the test itself
        lines = [str(cookie) for cookie in headers.getall("set-cookie", [])]
    else:  # an httpx response from a test client
        lines = headers.get_list("set-cookie")
    for line in lines:
        first, *attributes = [part.strip() for part in line.split(";")]
        name, _, value = first.partition("=")
        entry = {"value": value.strip('"')}
        for attribute in attributes:
            key, _, attr_value = attribute.partition("=")
            entry[key.lower()] = attr_value
        cookies[name] = entry
    return cookies
