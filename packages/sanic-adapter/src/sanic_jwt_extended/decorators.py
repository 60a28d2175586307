"""`jwt_required`, `jwt_optional`, `refresh_jwt_required`: guard a view with a token.

The view gets the verified `Token` as the keyword argument `token`. Every check is the core's
(`TokenManager.verify`); a decorator only finds the token, calls verify and passes the result
on. A websocket route's token is checked before the upgrade (`_routes`); the decorator then
passes on the token checked there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from inspect import isawaitable, iscoroutinefunction
from typing import Any, Literal, TypeVar, overload

from sanic import Request

from jwt_core import (
    Policy,
    TokenManager,
)
from sanic_jwt_extended._guard import DEFERRED, Requirement, resolve, verify_request
from sanic_jwt_extended._places import TokenPlaces
from sanic_jwt_extended._routes import REQUIREMENT_ATTRIBUTE, VERIFIED_ATTRIBUTE

__all__ = ["jwt_optional", "jwt_required", "refresh_jwt_required"]

F = TypeVar("F", bound=Callable[..., Any])


def _request_in(args: tuple[Any, ...]) -> Request:
    """The request among a view's arguments: (request, ...) or, for methods, (self, request)."""
    if args:
        if isinstance(args[0], Request):
            return args[0]
        if len(args) > 1 and isinstance(args[1], Request):
            return args[1]
    return Request.get_current()


def _guard(fn: Callable[..., Any], requirement: Requirement) -> Callable[..., Any]:
    """Wrap a view (function, method or websocket handler) so it receives `token=`."""
    # The last app this view served, with its manager and places: looked up once per app
    # (a view registered on several apps, through a blueprint, looks each one up in turn).
    bound: tuple[Any, TokenManager, TokenPlaces] | None = None
    token_type = requirement.token_type
    # Decided once: a plain function may still hand back an awaitable (another decorator's).
    is_async = iscoroutinefunction(fn)

    @functools.wraps(fn)
    async def view(*args: Any, **kwargs: Any) -> Any:
        nonlocal bound
        request = _request_in(args)
        verified = getattr(request.ctx, VERIFIED_ATTRIBUTE, None)
        if verified is not None and verified[0] is requirement:
            token = verified[1]  # a websocket route, already checked before the upgrade
        else:
            app = request.app
            if bound is None or bound[0] is not app:
                bound = (app, *resolve(app, token_type))
            token = await verify_request(request, requirement, bound[1], bound[2])
        if kwargs.get("token") is DEFERRED:
            del kwargs["token"]  # sanic-ext's Token injection: this decorator supplies it
        if is_async:
            return await fn(*args, token=token, **kwargs)
        result = fn(*args, token=token, **kwargs)
        if isawaitable(result):
            result = await result
        return result

    setattr(view, REQUIREMENT_ATTRIBUTE, requirement)
    return view


def _requirement(
    token_type: Literal["access", "refresh"],
    *,
    optional: bool = False,
    fresh_required: bool = False,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
) -> Requirement:
    # the core's rules, checked here; use_acl is checked at startup (check_route_roles)
    return Requirement(Policy(token_type, fresh_required, allow, deny), optional)


@overload
def jwt_required(fn: F, /) -> F: ...
@overload
def jwt_required(
    *,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
    fresh_required: bool = False,
) -> Callable[[F], F]: ...
def jwt_required(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
    fresh_required: bool = False,
) -> Any:
    """Require a valid access token (optionally fresh, optionally of allowed roles)."""
    requirement = _requirement("access", fresh_required=fresh_required, allow=allow, deny=deny)
    if fn is not None:
        return _guard(fn, requirement)
    return lambda view: _guard(view, requirement)


@overload
def jwt_optional(fn: F, /) -> F: ...
@overload
def jwt_optional() -> Callable[[F], F]: ...
def jwt_optional(fn: Callable[..., Any] | None = None, /) -> Any:
    """Accept a request without a token (`token=None`); a token that is present must be valid."""
    requirement = _requirement("access", optional=True)
    if fn is not None:
        return _guard(fn, requirement)
    return lambda view: _guard(view, requirement)


@overload
def refresh_jwt_required(fn: F, /) -> F: ...
@overload
def refresh_jwt_required(
    *,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
) -> Callable[[F], F]: ...
def refresh_jwt_required(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
) -> Any:
    """Require a valid refresh token (optionally of allowed roles)."""
    requirement = _requirement("refresh", allow=allow, deny=deny)
    if fn is not None:
        return _guard(fn, requirement)
    return lambda view: _guard(view, requirement)
