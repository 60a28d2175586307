"""Cookie helpers: put tokens into HttpOnly cookies, with a readable CSRF cookie beside each.

The CSRF cookie holds the token's `csrf` claim so that browser code can copy it into the CSRF
header (double submit); the JWT cookie itself stays out of reach of scripts. Attributes
(secure, samesite, domain, paths, names) come from the app's configuration.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from sanic import HTTPResponse

from jwt_core import Config, WrongTokenError
from sanic_jwt_extended.state import current_state

__all__ = [
    "set_access_cookies",
    "set_refresh_cookies",
    "unset_access_cookies",
    "unset_jwt_cookies",
    "unset_refresh_cookies",
]


def _max_age(token_exp: datetime | None) -> int | None:
    """Seconds until the token expires (a session cookie when it never does)."""
    if token_exp is None:
        return None
    return max(0, math.ceil((token_exp - datetime.now(timezone.utc)).total_seconds()))


def _names(config: Config, refresh: bool) -> tuple[str, str, str, str]:
    if refresh:
        return (
            config.refresh_jwt_cookie,
            config.refresh_cookie_path,
            config.refresh_csrf_cookie,
            config.refresh_csrf_cookie_path,
        )
    return (
        config.jwt_cookie,
        config.access_cookie_path,
        config.access_csrf_cookie,
        config.access_csrf_cookie_path,
    )


def _set(response: HTTPResponse, token: str, max_age: int | None, refresh: bool) -> None:
    """Check `token` (the core's decode errors, or WrongTokenError) and set its cookies."""
    manager = current_state().require_manager()
    config = manager.config
    decoded = manager.decode(token)
    wanted = "refresh" if refresh else "access"
    if decoded.type != wanted:
        raise WrongTokenError(
            f"set_{wanted}_cookies() takes {'a' if refresh else 'an'} {wanted} token, "
            f"not {'an' if decoded.type == 'access' else 'a'} {decoded.type} token"
        )
    if max_age is None:
        max_age = _max_age(decoded.exp)
    cookie, path, csrf_cookie, csrf_path = _names(config, refresh)
    response.add_cookie(
        cookie,
        token,
        path=path,
        domain=config.cookie_domain,
        secure=config.cookie_secure,
        max_age=max_age,
        httponly=True,
        samesite=config.cookie_samesite,  # type: ignore[arg-type]  # validated by Config
    )
    if config.csrf_protect and config.csrf_in_cookies and decoded.csrf is not None:
        response.add_cookie(
            csrf_cookie,
            decoded.csrf,
            path=csrf_path,
            domain=config.cookie_domain,
            secure=config.cookie_secure,
            max_age=max_age,
            httponly=False,
            samesite=config.cookie_samesite,  # type: ignore[arg-type]
        )


def _unset(response: HTTPResponse, refresh: bool) -> None:
    config = current_state().config
    cookie, path, csrf_cookie, csrf_path = _names(config, refresh)
    for name, cookie_path in ((cookie, path), (csrf_cookie, csrf_path)):
        response.cookies.delete_cookie(
            name, path=cookie_path, domain=config.cookie_domain, secure=config.cookie_secure
        )


def set_access_cookies(response: HTTPResponse, token: str, max_age: int | None = None) -> None:
    """Set the access token cookie (HttpOnly) and its CSRF cookie on `response`.

    `max_age` defaults to the token's remaining lifetime. A refresh token raises
    `WrongTokenError`; a token this app cannot verify raises the core's decode error.
    """
    _set(response, token, max_age, refresh=False)


def set_refresh_cookies(response: HTTPResponse, token: str, max_age: int | None = None) -> None:
    """Set the refresh token cookie (HttpOnly) and its CSRF cookie on `response`.

    An access token raises `WrongTokenError`; a token this app cannot verify raises the
    core's decode error.
    """
    _set(response, token, max_age, refresh=True)


def unset_access_cookies(response: HTTPResponse) -> None:
    """Expire the access token cookie and its CSRF cookie."""
    _unset(response, refresh=False)


def unset_refresh_cookies(response: HTTPResponse) -> None:
    """Expire the refresh token cookie and its CSRF cookie."""
    _unset(response, refresh=True)


def unset_jwt_cookies(response: HTTPResponse) -> None:
    """Expire every cookie this library sets (logout)."""
    _unset(response, refresh=False)
    _unset(response, refresh=True)
