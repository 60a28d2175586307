"""The verified token and the current user, from anywhere inside a request.

Every guard (the decorators, `verify_jwt_in_request`, `protect`, the websocket check) leaves
what it verified on the request: `request.ctx.jwt_token` (a `Token`, or None when an optional
guard found no token) and, with a user loader, `request.ctx.jwt_user`. The functions here
read them for the request being handled (Sanic's `Request.get_current()`), so middleware
and any code the request awaits, or a task it starts, can call them without the request at
hand. Each request has its own: concurrent requests never see each other's token.
"""

from __future__ import annotations

from typing import Any

from sanic import Request

from jwt_core import ConfigurationConflictError, Token
from jwt_core._jws import decode_header_segment
from sanic_jwt_extended._state import current_request, state_of

__all__ = [
    "TOKEN_ATTRIBUTE",
    "USER_ATTRIBUTE",
    "get_current_user",
    "get_jwt",
    "get_jwt_header",
    "get_jwt_identity",
    "get_token",
]

# Where a guard leaves the verified token and the loaded user: request.ctx.<name>.
TOKEN_ATTRIBUTE = "jwt_token"
USER_ATTRIBUTE = "jwt_user"


def _request(request: Request | None) -> Request:
    if request is not None:
        return request
    current = current_request()
    if current is None:
        raise ConfigurationConflictError(
            "there is no request being handled here: the token and the current user are "
            "read inside a request (a view, middleware, or code the request awaits)"
        )
    return current


def get_token(request: Request | None = None) -> Token | None:
    """The token a guard verified for this request; None when none was (or it was optional)."""
    token: Token | None = getattr(_request(request).ctx, TOKEN_ATTRIBUTE, None)
    return token


def get_jwt(request: Request | None = None) -> dict[str, Any]:
    """The verified token's claims, as a new dict; `{}` when no token was verified."""
    token = get_token(request)
    return {} if token is None else dict(token.raw_data)


def get_jwt_identity(request: Request | None = None) -> Any:
    """The verified token's identity; None when no token was verified."""
    token = get_token(request)
    return None if token is None else token.identity


def get_jwt_header(request: Request | None = None) -> dict[str, Any]:
    """The verified token's JOSE header (`alg`, `typ`, `kid`); `{}` when none was verified."""
    token = get_token(request)
    if token is None:
        return {}
    return decode_header_segment(token.raw_jwt.partition(".")[0])


def get_current_user(request: Request | None = None) -> Any:
    """What the app's user loader returned for this request's token; None without a token."""
    request = _request(request)
    token = getattr(request.ctx, TOKEN_ATTRIBUTE, None)
    if token is None:
        return None
    if state_of(request.app).hooks.user_loader is None:
        raise ConfigurationConflictError(
            "get_current_user() needs a user loader: register one with "
            "jwt.user_loader(function) inside the `with JWT.initialize(app)` block"
        )
    return getattr(request.ctx, USER_ATTRIBUTE, None)
