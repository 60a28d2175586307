"""`protect`: guard every route of a blueprint, a blueprint group or a whole app in one line.

```python
protect(api)                      # every route of the blueprint needs an access token
protect(app, exempt=["health"])   # every route of the app but `health`

@api.get("/status")
@jwt_exempt
async def status(request): ...
```

It adds a request middleware (which runs before a websocket upgrade, so a refused client
gets a plain 401) that calls the same `_guard.authenticate` as the decorators. A route is
left out when it is exempt (`@jwt_exempt`, or named in `exempt=`), and when a decorator of its
own (`jwt_required`, `jwt_optional`, ...) guards it: that decorator alone decides.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from sanic import Blueprint, Request, Sanic
from sanic.blueprints import BlueprintGroup
from sanic_routing import Route

from jwt_core import ConfigurationConflictError
from sanic_jwt_extended._guard import Requirement, authenticate, check_requirement
from sanic_jwt_extended._routes import route_requirement, views_of
from sanic_jwt_extended._state import AnyApp, state_of
from sanic_jwt_extended.decorators import options_requirement

__all__ = ["jwt_exempt", "protect"]

F = TypeVar("F", bound=Callable[..., Any])

# Where `jwt_exempt` marks a view.
EXEMPT_ATTRIBUTE = "__jwt_exempt__"


def jwt_exempt(fn: F) -> F:
    """Leave this view out of `protect`: it is served without a token (unless it asks itself)."""
    setattr(fn, EXEMPT_ATTRIBUTE, True)
    return fn


def _is_exempt(view: Any) -> bool:
    for _ in range(32):
        if getattr(view, EXEMPT_ATTRIBUTE, False):
            return True
        view = getattr(view, "__wrapped__", None)
        if view is None:
            return False
    return False


def _exempt_by_name(route: Route, names: frozenset[str], views: tuple[Any, ...]) -> bool:
    """Whether `exempt=` names the route (its full name or its last part) or one of its views."""
    if route.name in names or route.name.rpartition(".")[2] in names:
        return True
    return any(view in views for view in views_of(route))


def protect(
    target: AnyApp | Blueprint | BlueprintGroup,
    *,
    exempt: Collection[str | Callable[..., Any]] = (),
    optional: bool = False,
    refresh: bool = False,
    fresh: bool = False,
    allow: Collection[str] | str | None = None,
    deny: Collection[str] | str | None = None,
    locations: Collection[str] | str | None = None,
) -> None:
    """Guard every route of `target` (an app, a blueprint or a group) with one requirement.

    The options are those of `verify_jwt_in_request`, checked when the app starts.
    `exempt`: route names (`"health"` or the full `"app.bp.health"`) or view functions served
    without a token; `@jwt_exempt` on a view does the same.
    """
    if isinstance(target, str) or not isinstance(exempt, Collection):
        raise ConfigurationConflictError("exempt must be a list of route names or views")
    requirement = options_requirement(optional, refresh, fresh, allow, deny, locations)
    names = frozenset(item for item in exempt if isinstance(item, str))
    views = tuple(item for item in exempt if not isinstance(item, str))
    if isinstance(target, BlueprintGroup):
        for blueprint in target.blueprints:
            _protect(blueprint, requirement, names, views)
    elif isinstance(target, Blueprint | Sanic):
        _protect(target, requirement, names, views)
    else:
        raise ConfigurationConflictError(
            f"protect() takes a Sanic app, a Blueprint or a BlueprintGroup, not {target!r}"
        )


def _protect(
    target: AnyApp | Blueprint,
    requirement: Requirement,
    names: frozenset[str],
    views: tuple[Any, ...],
) -> None:
    # Per route name and method: whether this middleware guards it, decided on first request.
    guarded: dict[tuple[str, str], bool] = {}

    def decide(route: Route, method: str) -> bool:
        if _exempt_by_name(route, names, views) or route_requirement(route, method) is not None:
            return False
        return not any(_is_exempt(view) for view in views_of(route, method))

    async def protect_routes(request: Request) -> None:
        route = request.route
        if route is None:
            return
        key = (route.name, request.method)
        verdict = guarded.get(key)
        if verdict is None:
            verdict = guarded[key] = decide(route, request.method)
        if verdict:
            await authenticate(request, requirement)

    async def check_options(app: AnyApp) -> None:
        state = state_of(app)
        state.require_manager()  # a clear error before initialize has finished
        check_requirement(requirement, state.config)

    target.middleware(protect_routes, "request")
    target.listener(check_options, "before_server_start")
