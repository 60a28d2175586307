"""`jwt_required`, `jwt_optional`, `refresh_jwt_required`: guard a view with a token.

The view gets the verified `Token` as the keyword argument `token`. Every check is the core's
(`TokenManager.verify`), then the app's hooks; a decorator only calls `_guard.authenticate`,
as `verify_jwt_in_request` (the same checks for middleware and custom decorators) does, and
passes the result on. A websocket route's token is checked before the upgrade (`_routes`);
the decorator then passes on the token checked there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from inspect import isawaitable, iscoroutinefunction
from typing import Any, Literal, TypeVar, overload

from sanic import Request

from jwt_core import ConfigurationConflictError, Policy, Token, TokenManager
from sanic_jwt_extended._guard import (
    DEFERRED,
    LOCATIONS,
    Requirement,
    authenticate,
    authenticate_with,
    check_requirement,
    resolve,
)
from sanic_jwt_extended._places import TokenPlaces
from sanic_jwt_extended._routes import REQUIREMENT_ATTRIBUTE, VERIFIED_ATTRIBUTE
from sanic_jwt_extended._state import JWTState

__all__ = ["jwt_optional", "jwt_required", "refresh_jwt_required", "verify_jwt_in_request"]

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
    # The last app this view served, and what `resolve` gave for it: looked up once per app
    # (a view registered on several apps, through a blueprint, looks each one up in turn).
    bound: tuple[Any, tuple[JWTState, TokenManager, TokenPlaces]] | None = None
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
                bound = (app, resolve(app, requirement))
            token = await authenticate_with(request, requirement, *bound[1])
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


def _locations(locations: Collection[str] | str | None) -> tuple[str, ...] | None:
    """A route's own locations, checked for their names now and against the app at startup."""
    if locations is None:
        return None
    result = (locations,) if isinstance(locations, str) else tuple(locations)
    unknown = [location for location in result if location not in LOCATIONS]
    if unknown or not result or len(set(result)) != len(result):
        raise ConfigurationConflictError(
            f"locations must name each of its places once, among {list(LOCATIONS)}; "
            f"got {list(result)}"
        )
    return result


def make_requirement(
    token_type: Literal["access", "refresh"],
    *,
    optional: bool = False,
    fresh_required: bool = False,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
    locations: Collection[str] | str | None = None,
) -> Requirement:
    """A guard's `Requirement` from the decorators' options, checked as far as it can be now."""
    # the core's rules, checked here; use_acl is checked at startup (check_route_roles)
    return Requirement(
        Policy(token_type, bool(fresh_required), allow, deny), bool(optional), _locations(locations)
    )


def options_requirement(
    optional: bool,
    refresh: bool,
    fresh: bool,
    allow: Collection[str] | str | None,
    deny: Collection[str] | str | None,
    locations: Collection[str] | str | None,
) -> Requirement:
    """The `Requirement` of `verify_jwt_in_request`'s (and `protect`'s) options."""
    return make_requirement(
        "refresh" if refresh else "access",
        optional=optional,
        fresh_required=fresh,
        allow=allow,
        deny=deny,
        locations=locations,
    )


async def verify_jwt_in_request(
    request: Request | None = None,
    *,
    optional: bool = False,
    refresh: bool = False,
    fresh: bool = False,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
    locations: Collection[str] | str | None = None,
) -> Token | None:
    """Verify the request's token as a decorator would: the same checks, hooks and refusals.

    For middleware and custom decorators. Returns the `Token` (also left on
    `request.ctx.jwt_token`), or None when `optional` and the request carries none; raises
    the library's refusals, which the app's handlers answer. `refresh=True` asks for a
    refresh token, `fresh=True` for a fresh access token; `allow`/`deny` restrict roles;
    `locations` narrows where the token is read (among the app's `token_location`).
    `request` defaults to the request being handled.
    """
    if request is None:
        request = Request.get_current()
    requirement = options_requirement(optional, refresh, fresh, allow, deny, locations)
    if requirement.uses_roles or requirement.locations is not None:
        check_requirement(requirement, resolve(request.app, requirement)[0].config)
    return await authenticate(request, requirement)


@overload
def jwt_required(fn: F, /) -> F: ...
@overload
def jwt_required(
    *,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
    fresh_required: bool = False,
    locations: Collection[str] | str | None = None,
) -> Callable[[F], F]: ...
def jwt_required(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
    fresh_required: bool = False,
    locations: Collection[str] | str | None = None,
) -> Any:
    """Require a valid access token (optionally fresh, of allowed roles, from some locations)."""
    requirement = make_requirement(
        "access", fresh_required=fresh_required, allow=allow, deny=deny, locations=locations
    )
    if fn is not None:
        return _guard(fn, requirement)
    return lambda view: _guard(view, requirement)


@overload
def jwt_optional(fn: F, /) -> F: ...
@overload
def jwt_optional(*, locations: Collection[str] | str | None = None) -> Callable[[F], F]: ...
def jwt_optional(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    locations: Collection[str] | str | None = None,
) -> Any:
    """Accept a request without a token (`token=None`); a token that is present must be valid."""
    requirement = make_requirement("access", optional=True, locations=locations)
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
    locations: Collection[str] | str | None = None,
) -> Callable[[F], F]: ...
def refresh_jwt_required(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
    locations: Collection[str] | str | None = None,
) -> Any:
    """Require a valid refresh token (optionally of allowed roles, from some locations)."""
    requirement = make_requirement("refresh", allow=allow, deny=deny, locations=locations)
    if fn is not None:
        return _guard(fn, requirement)
    return lambda view: _guard(view, requirement)
