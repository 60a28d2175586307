"""`jwt_required`, `jwt_optional`, `refresh_jwt_required`: guard a view with a token.

The view gets the verified `Token` as the keyword argument `token`. Every check is the core's
(`TokenManager.verify`); a decorator only finds the token, calls verify and passes the result
on. Websocket routes are checked by a request middleware before Sanic performs the upgrade,
so a refused client gets a plain HTTP 401/403 instead of an accepted-then-closed socket.

Every refusal is logged on the `sanic_jwt_extended` logger with its reason (exception class and
message): at debug level, or warning when the revocation store cannot be reached. The token
itself is never logged.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from inspect import isawaitable, iscoroutinefunction
from typing import Any, Literal, TypeVar, overload

from sanic import Request
from sanic_routing import Route

from jwt_core import (
    ConfigurationConflictError,
    CsrfProof,
    JWTExtendedException,
    Policy,
    RevocationStoreUnavailableError,
    Token,
    TokenManager,
)
from sanic_jwt_extended.locations import TokenReader, TokenType, csrf_required, find_token
from sanic_jwt_extended.state import AnyApp, state_of

__all__ = [
    "DEFERRED",
    "Requirement",
    "authenticate",
    "check_route_roles",
    "jwt_optional",
    "jwt_required",
    "refresh_jwt_required",
    "route_requirement",
    "verify_websocket_before_upgrade",
]

logger = logging.getLogger("sanic_jwt_extended")

F = TypeVar("F", bound=Callable[..., Any])

REQUIREMENT_ATTRIBUTE = "__jwt_requirement__"
_VERIFIED_ATTRIBUTE = "_sanic_jwt_extended_verified"
_VIEW_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


class _Deferred:
    """The type of `DEFERRED`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<token supplied by the route's decorator>"


# What sanic-ext's `Token` injection passes as `token` on a route a decorator guards: the
# decorator drops it and passes its own verified token, so the two never collide.
DEFERRED = _Deferred()


_ACCESS = Policy()


@dataclass(frozen=True, slots=True)
class Requirement:
    """What one decorated view asks of the request's token: the core's `Policy`, and whether
    the token may be absent."""

    policy: Policy = _ACCESS
    optional: bool = False

    @property
    def token_type(self) -> Literal["access", "refresh"]:
        """The token type the view takes."""
        return self.policy.token_type

    @property
    def uses_roles(self) -> bool:
        """Whether the view restricts roles (and so needs use_acl)."""
        return self.policy.restricts_roles


def _resolve(app: AnyApp, token_type: TokenType) -> tuple[TokenManager, TokenReader]:
    """The app's TokenManager and its reader for `token_type`; clear errors before initialize."""
    state = state_of(app)
    manager = state.require_manager()
    return manager, state.readers[token_type]


async def authenticate(request: Request, requirement: Requirement) -> Token | None:
    """Find the token in `request` and have the app's TokenManager verify it; log refusals."""
    manager, reader = _resolve(request.app, requirement.token_type)
    return await _verify(request, requirement, manager, reader)


async def _verify(
    request: Request, requirement: Requirement, manager: TokenManager, reader: TokenReader
) -> Token | None:
    """`authenticate` with the app's manager and reader already at hand."""
    try:
        found = find_token(request, reader, optional=requirement.optional)
        if found is None:
            return None
        raw, location, csrf = found
        required = csrf_required(manager.config, location, request.method)
        return await manager.verify(
            raw, requirement.policy, csrf=CsrfProof(csrf, True) if required else None
        )
    except JWTExtendedException as exc:
        # The path, not the URL: a query string may carry the token.
        level = (
            logging.WARNING if isinstance(exc, RevocationStoreUnavailableError) else logging.DEBUG
        )
        logger.log(
            level,
            "refused %s %s: %s: %s",
            request.method,
            request.path,
            type(exc).__name__,
            exc,
        )
        raise


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
    # The last app this view served, with its manager and reader: looked up once per app
    # (a view registered on several apps, through a blueprint, looks each one up in turn).
    bound: tuple[Any, TokenManager, TokenReader] | None = None
    token_type = requirement.token_type
    # Decided once: a plain function may still hand back an awaitable (another decorator's).
    is_async = iscoroutinefunction(fn)

    @functools.wraps(fn)
    async def view(*args: Any, **kwargs: Any) -> Any:
        nonlocal bound
        request = _request_in(args)
        verified = getattr(request.ctx, _VERIFIED_ATTRIBUTE, None)
        if verified is not None and verified[0] is requirement:
            token = verified[1]  # a websocket route, already checked before the upgrade
        else:
            app = request.app
            if bound is None or bound[0] is not app:
                bound = (app, *_resolve(app, token_type))
            token = await _verify(request, requirement, bound[1], bound[2])
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


# -- finding requirements on routes -------------------------------------------------------
def _requirements_of(fn: Any) -> Iterator[Requirement]:
    """Requirements on `fn` and on whatever it wraps (decorator stacks, `__wrapped__`)."""
    for _ in range(32):
        requirement = getattr(fn, REQUIREMENT_ATTRIBUTE, None)
        if isinstance(requirement, Requirement):
            yield requirement
        fn = getattr(fn, "__wrapped__", None)
        if fn is None:
            return


def _websocket_view(route: Route) -> Any:
    """The user's handler of a websocket route (Sanic wraps it in a partial that upgrades)."""
    handler = route.handler
    if isinstance(handler, functools.partial) and handler.args:
        return handler.args[0]
    return None


def _route_views(route: Route) -> Iterator[Any]:
    handler = route.handler
    yield handler
    websocket_view = _websocket_view(route)
    if websocket_view is not None:
        yield websocket_view
    view_class = getattr(handler, "view_class", None)
    if view_class is not None:
        for method in _VIEW_METHODS:
            view = getattr(view_class, method, None)
            if view is not None:
                yield view


def route_requirement(route: Route, method: str) -> Requirement | None:
    """What a decorator on `route` asks of a `method` request's token (None: unguarded)."""
    # sanic-ext's automatic HEAD route calls the GET handler it names `__route_handler__`.
    handlers = [route.handler, getattr(route.handler, "__route_handler__", None)]
    views: list[Any] = [*handlers, _websocket_view(route)]
    for handler in handlers:
        view_class = getattr(handler, "view_class", None)
        if view_class is not None:
            views.append(getattr(view_class, method.lower(), None))
    for view in views:
        if view is not None:
            for requirement in _requirements_of(view):
                return requirement
    return None


def check_route_roles(routes: Collection[Route], manager: TokenManager) -> None:
    """Refuse, at startup, a route whose allow/deny the app's configuration cannot honour."""
    for route in routes:
        for view in _route_views(route):
            for requirement in _requirements_of(view):
                if not requirement.uses_roles:
                    continue
                try:
                    requirement.policy.check(manager.config)
                except ConfigurationConflictError as exc:
                    raise ConfigurationConflictError(f"route {route.name!r}: {exc}") from None


async def verify_websocket_before_upgrade(request: Request) -> None:
    """Request middleware: check a guarded websocket route's token before the handshake."""
    route = request.route
    if route is None or not getattr(route.extra, "websocket", False):
        return
    view = _websocket_view(route)
    requirement = getattr(view, REQUIREMENT_ATTRIBUTE, None)
    if not isinstance(requirement, Requirement):
        return
    token = await authenticate(request, requirement)
    setattr(request.ctx, _VERIFIED_ATTRIBUTE, (requirement, token))
