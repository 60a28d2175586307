"""Helpers for your own test suite: tokens, headers and cookies for one named app.

```python
from sanic_jwt_extended.testing import auth_cookies, auth_headers

_, response = app.test_client.get("/me", headers=auth_headers(app, "alice", role="ADMIN"))
cookies = auth_cookies(app, "alice")
_, response = app.test_client.post("/me", cookies=cookies.cookies, headers=cookies.headers)
```

Each helper mints for the app it is given (`JWT.for_app(app)`), whatever other apps the test
process has initialized, and uses that app's header, prefix, cookie and CSRF names.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NamedTuple

from sanic_jwt_extended._places import TokenType
from sanic_jwt_extended._state import AnyApp, state_of
from sanic_jwt_extended.facade import JWT

__all__ = ["CookieAuth", "auth_cookies", "auth_headers", "token_for"]


class CookieAuth(NamedTuple):
    """What a browser would send: the token cookies, and the CSRF header that goes with them."""

    cookies: dict[str, str]
    headers: dict[str, str]


def token_for(
    app: AnyApp,
    identity: Any,
    role: str | None = None,
    *,
    fresh: bool | timedelta = False,
    refresh: bool = False,
    **claims: Any,
) -> str:
    """A token of `app` for `identity`: access (or `refresh=True`), of `role`, maybe fresh.

    Further keywords go to `create_access_token` / `create_refresh_token`
    (`expires_delta=`, `private_claims=`, ...).
    """
    named = JWT.for_app(app)
    if refresh:
        if fresh:
            raise TypeError("a refresh token is never fresh: leave out fresh= or refresh=")
        return named.create_refresh_token(identity, role, **claims)
    return named.create_access_token(identity, role, fresh, **claims)


def _type(refresh: bool) -> TokenType:
    return "refresh" if refresh else "access"


def auth_headers(
    app: AnyApp,
    identity: Any,
    role: str | None = None,
    *,
    fresh: bool | timedelta = False,
    refresh: bool = False,
    **claims: Any,
) -> dict[str, str]:
    """The header that carries a new token of `app`: `{"Authorization": "Bearer <token>"}`."""
    token = token_for(app, identity, role, fresh=fresh, refresh=refresh, **claims)
    places = state_of(app).places[_type(refresh)]
    return {places.header: f"{places.prefix} {token}" if places.prefix else token}


def auth_cookies(
    app: AnyApp,
    identity: Any,
    role: str | None = None,
    *,
    fresh: bool | timedelta = False,
    refresh: bool = False,
    **claims: Any,
) -> CookieAuth:
    """The cookies of a new token of `app` and, with CSRF protection on, its CSRF header."""
    token = token_for(app, identity, role, fresh=fresh, refresh=refresh, **claims)
    places = state_of(app).places[_type(refresh)]
    cookies = {places.cookie: token}
    headers: dict[str, str] = {}
    csrf = JWT.for_app(app).decode(token).csrf
    if csrf is not None:
        cookies[places.csrf_cookie] = csrf
        headers[places.csrf_header] = csrf
    return CookieAuth(cookies, headers)
