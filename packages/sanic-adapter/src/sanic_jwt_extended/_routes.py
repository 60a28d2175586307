"""Route introspection: which `Requirement` a route's decorator set, and the checks built on it.

Used at startup (`check_route_roles`: an allow/deny the configuration cannot honour stops the
app), by the websocket pre-upgrade middleware, and by sanic-ext's OpenAPI and injection.
Websocket routes are checked by a request middleware before Sanic performs the upgrade, so a
refused client gets a plain HTTP 401/403 instead of an accepted-then-closed socket.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from typing import Any

from sanic import Request
from sanic_routing import Route

from jwt_core import ConfigurationConflictError
from sanic_jwt_extended._guard import Requirement, authenticate, check_requirement
from sanic_jwt_extended.http_config import HttpConfig

# Where a decorator leaves its Requirement on the view it returns.
REQUIREMENT_ATTRIBUTE = "__jwt_requirement__"
# Where the websocket middleware leaves (requirement, token) for the decorated view.
VERIFIED_ATTRIBUTE = "_sanic_jwt_extended_verified"
_VIEW_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


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


def views_of(route: Route, method: str | None = None) -> Iterator[Any]:
    """Every function of `route` a decorator may have guarded, for `method` (None: any method).

    The route's handler and, on sanic-ext's automatic HEAD route, the GET handler it calls
    (`__route_handler__`); a websocket route's user handler; a class view's method(s).
    """
    handlers = [route.handler, getattr(route.handler, "__route_handler__", None)]
    for handler in handlers:
        if handler is not None:
            yield handler
    websocket_view = _websocket_view(route)
    if websocket_view is not None:
        yield websocket_view
    names = _VIEW_METHODS if method is None else (method.lower(),)
    for handler in handlers:
        view_class = getattr(handler, "view_class", None)
        if view_class is not None:
            for name in names:
                view = getattr(view_class, name, None)
                if view is not None:
                    yield view


def route_requirement(route: Route, method: str) -> Requirement | None:
    """What a decorator on `route` asks of a `method` request's token (None: unguarded)."""
    for view in views_of(route, method):
        for requirement in _requirements_of(view):
            return requirement
    return None


def check_route_roles(routes: Collection[Route], config: HttpConfig) -> None:
    """Refuse, at startup, a route whose roles or locations the configuration cannot honour."""
    for route in routes:
        for view in views_of(route):
            for requirement in _requirements_of(view):
                try:
                    check_requirement(requirement, config)
                except ConfigurationConflictError as exc:
                    raise ConfigurationConflictError(f"route {route.name!r}: {exc}") from None


async def verify_websocket_before_upgrade(request: Request) -> None:
    """Request middleware: check a guarded websocket route's token before the handshake."""
    route = request.route
    if route is None or not getattr(route.extra, "websocket", False):
        return
    requirement = route_requirement(route, request.method)
    if requirement is None:
        return
    token = await authenticate(request, requirement)
    setattr(request.ctx, VERIFIED_ATTRIBUTE, (requirement, token))
