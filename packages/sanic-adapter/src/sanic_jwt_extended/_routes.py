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

from jwt_core import ConfigurationConflictError, TokenManager
from sanic_jwt_extended._guard import Requirement, authenticate

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
                    manager.check_role_options(requirement.allow, requirement.deny)
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
    setattr(request.ctx, VERIFIED_ATTRIBUTE, (requirement, token))
