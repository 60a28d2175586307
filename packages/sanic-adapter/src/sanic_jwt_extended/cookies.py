"""Cookie helpers: put tokens into HttpOnly cookies, with a readable CSRF cookie beside each.

The CSRF cookie holds the token's `csrf` claim so that browser code can copy it into the CSRF
header (double submit); the JWT cookie itself stays out of reach of scripts. Attributes
(secure, samesite, domain, paths, names) come from the app's configuration.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timezone
from typing import Any

from sanic import HTTPResponse, Request

from jwt_core import (
    JWTExtendedException,
    RevocationStoreUnavailableError,
    WrongTokenError,
)
from sanic_jwt_extended._guard import COOKIE_TOKEN_ATTRIBUTE
from sanic_jwt_extended._places import A_TOKEN, TokenPlaces, TokenType
from sanic_jwt_extended._state import JWTState, current_state, state_of
from sanic_jwt_extended.http_config import HttpConfig

__all__ = [
    "set_access_cookies",
    "set_refresh_cookies",
    "unset_access_cookies",
    "unset_jwt_cookies",
    "unset_refresh_cookies",
]


logger = logging.getLogger("sanic_jwt_extended")


def _max_age(token_exp: datetime | None) -> int | None:
    """Seconds until the token expires (a session cookie when it never does)."""
    if token_exp is None:
        return None
    return max(0, math.ceil((token_exp - datetime.now(timezone.utc)).total_seconds()))


def _places(state: JWTState, token_type: TokenType) -> tuple[HttpConfig, TokenPlaces]:
    """The app's configuration and its places for `token_type`."""
    config = state.config
    # Before initialize finished (no places yet), read the names off the config as it is.
    places = state.places.get(token_type) or TokenPlaces.build(config, token_type)
    return config, places


def _set(
    response: HTTPResponse,
    token: str,
    max_age: int | None,
    token_type: TokenType,
    state: JWTState | None = None,
) -> None:
    """Check `token` (the core's decode errors, or WrongTokenError) and set its cookies."""
    if state is None:
        state = current_state()
    manager = state.require_manager()
    config, places = _places(state, token_type)
    decoded = manager.decode(token)
    if decoded.type != token_type:
        raise WrongTokenError(
            f"set_{token_type}_cookies() takes {A_TOKEN[token_type]}, "
            f"not {A_TOKEN.get(decoded.type, decoded.type)}"
        )
    if max_age is None:
        max_age = _max_age(decoded.exp)
    response.add_cookie(
        places.cookie,
        token,
        path=places.cookie_path,
        domain=config.cookie_domain,
        secure=config.cookie_secure,
        max_age=max_age,
        httponly=True,
        samesite=config.cookie_samesite,  # type: ignore[arg-type]  # validated by HttpConfig
    )
    if config.csrf_protect and config.csrf_in_cookies and decoded.csrf is not None:
        response.add_cookie(
            places.csrf_cookie,
            decoded.csrf,
            path=places.csrf_cookie_path,
            domain=config.cookie_domain,
            secure=config.cookie_secure,
            max_age=max_age,
            httponly=False,
            samesite=config.cookie_samesite,  # type: ignore[arg-type]
        )


def _unset(response: HTTPResponse, token_type: TokenType) -> None:
    config, places = _places(current_state(), token_type)
    cookies = ((places.cookie, places.cookie_path), (places.csrf_cookie, places.csrf_cookie_path))
    for name, cookie_path in cookies:
        response.cookies.delete_cookie(
            name, path=cookie_path, domain=config.cookie_domain, secure=config.cookie_secure
        )


def set_access_cookies(response: HTTPResponse, token: str, max_age: int | None = None) -> None:
    """Set the access token cookie (HttpOnly) and its CSRF cookie on `response`.

    `max_age` defaults to the token's remaining lifetime. A refresh token raises
    `WrongTokenError`; a token this app cannot verify raises the core's decode error.
    """
    _set(response, token, max_age, "access")


def set_refresh_cookies(response: HTTPResponse, token: str, max_age: int | None = None) -> None:
    """Set the refresh token cookie (HttpOnly) and its CSRF cookie on `response`.

    An access token raises `WrongTokenError`; a token this app cannot verify raises the
    core's decode error.
    """
    _set(response, token, max_age, "refresh")


def unset_access_cookies(response: HTTPResponse) -> None:
    """Expire the access token cookie and its CSRF cookie."""
    _unset(response, "access")


def unset_refresh_cookies(response: HTTPResponse) -> None:
    """Expire the refresh token cookie and its CSRF cookie."""
    _unset(response, "refresh")


def unset_jwt_cookies(response: HTTPResponse) -> None:
    """Expire every cookie this library sets (logout)."""
    _unset(response, "access")
    _unset(response, "refresh")


def _sets_cookie(response: HTTPResponse, names: tuple[str, ...]) -> bool:
    """Whether `response` already sets (or deletes) a cookie of one of `names`.

    Read off the Set-Cookie headers: Sanic's `Cookie` objects, or lines a view wrote itself.
    (Sanic 24.12's `response.cookies.cookies` raises KeyError when there are none.)
    """
    for cookie in response.headers.getall("set-cookie", []):
        key = getattr(cookie, "key", None)
        if key is None:
            key = str(cookie).partition("=")[0].strip()
        if key in names:
            return True
    return False


async def slide_access_cookie(request: Request, response: Any) -> None:
    """Response middleware of a sliding session: renew the access cookie close to its expiry.

    Registered when `sliding_session_threshold` is set. Acts only when a guard of this
    request read the access token from the access cookie, the response is not an error
    (status below 400), and the view did not set or delete the access cookie itself. Then
    `manager.slide(token)` says whether the token has less than the threshold left (and
    the session is within `session_max_age`); the token is verified once more, so one the
    view revoked (logout) is never renewed, nor any while the store is down (logged as a
    warning); and the new access cookie (and its CSRF cookie) goes on the response, which
    is then not cached (`no-store`).
    """
    token = getattr(request.ctx, COOKIE_TOKEN_ATTRIBUTE, None)
    if token is None or not isinstance(response, HTTPResponse) or response.status >= 400:
        return
    state = state_of(request.app)
    if _sets_cookie(response, state.places["access"].cookie_names):
        return
    manager = state.require_manager()
    renewed = manager.slide(token)
    if renewed is None:
        return
    try:
        await manager.verify(token.raw_jwt)  # revoked while the view ran (its family too)?
    except JWTExtendedException as exc:  # the response goes out as the view made it
        down = isinstance(exc, RevocationStoreUnavailableError)
        level = logging.WARNING if down else logging.DEBUG
        logger.log(level, "access cookie not renewed: %s: %s", type(exc).__name__, exc)
        return
    _set(response, renewed, None, "access", state)
    response.headers["Cache-Control"] = "no-store"
