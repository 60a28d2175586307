"""Sanic Extensions (sanic-ext): guarded routes in the OpenAPI document, and `Token` injection.

`JWT.initialize` registers a startup listener only when sanic-ext is installed, and that
listener only acts when the app has set Sanic Extensions up (`app.ext`) with OpenAPI on. It
adds a security scheme per place the configuration reads tokens from (`BearerAuth`, an HTTP
bearer scheme, for the default `Authorization: Bearer <token>`) and puts the matching security
requirement on every operation a decorator guards (optional for `jwt_optional`). Without
sanic-ext nothing here runs and `sanic_ext` is never imported.

`token_dependency` is the constructor for sanic-ext's dependency injection:
`app.ext.add_dependency(Token, token_dependency)` gives any view with a `token: Token`
parameter the request's verified access token, refused exactly as `jwt_required` refuses.
"""

from __future__ import annotations

import importlib
import importlib.util
import typing
from typing import Any, cast

from sanic import Request
from sanic_routing import Route

from jwt_core import Token
from sanic_jwt_extended._guard import DEFERRED, Requirement, authenticate
from sanic_jwt_extended._locations import csrf_required
from sanic_jwt_extended._places import TokenPlaces
from sanic_jwt_extended._routes import route_requirement
from sanic_jwt_extended._state import AnyApp, JWTState

__all__ = ["BEARER_SCHEME", "token_dependency"]

# The name of the HTTP bearer security scheme in the OpenAPI document's components.
BEARER_SCHEME = "BearerAuth"

_ACCESS = Requirement()

# One OpenAPI security requirement: scheme name -> scopes (always empty: no OAuth2 scopes).
SecurityRequirement = dict[str, list[str]]


def sanic_ext_installed() -> bool:
    """Whether sanic-ext can be imported, found without importing it."""
    try:
        return importlib.util.find_spec("sanic_ext") is not None
    except (ImportError, ValueError):  # a broken install, or a placeholder in sys.modules
        return False


async def token_dependency(request: Request) -> Token:
    """The request's verified access token: `app.ext.add_dependency(Token, token_dependency)`.

    Refuses with the same errors (and so the same responses) as `jwt_required`. On a route
    that one of the decorators guards, the decorator's own token wins and this checks nothing.
    """
    route = request.route
    if route is not None and route_requirement(route, request.method) is not None:
        return cast(Token, DEFERRED)
    token = await authenticate(request, _ACCESS)
    if token is None:  # pragma: no cover - a required token is never None
        raise AssertionError("authenticate returned no token for a required one")
    return token


def security_requirements(
    places: TokenPlaces, method: str
) -> tuple[dict[str, dict[str, Any]], list[SecurityRequirement]]:
    """The security schemes a token can arrive by (`places`), and the alternatives to list.

    Returns (scheme name -> `add_security_scheme` keywords, requirement list). A token in a
    cookie on a CSRF-protected method needs the CSRF header too, so that alternative names
    both. The JSON body location has no OpenAPI security scheme and is left out.
    """
    what = places.what
    label = places.token_type.capitalize()  # AccessTokenHeader, RefreshTokenCookie, ...
    schemes: dict[str, dict[str, Any]] = {}
    alternatives: list[SecurityRequirement] = []
    for location in places.locations:
        if location == "headers":
            header = places.header
            if header.lower() == "authorization" and places.prefix_lower == "bearer":
                name = BEARER_SCHEME
                schemes[name] = {
                    "type": "http",
                    "scheme": "bearer",
                    "bearer_format": "JWT",
                    "description": f"The {what} as 'Authorization: Bearer <token>'.",
                }
            else:
                name = f"{label}TokenHeader"
                schemes[name] = {
                    "type": "apiKey",
                    "location": "header",
                    "name": header,
                    "description": f"The {what} as '{header}: {places.header_form}'.",
                }
            alternatives.append({name: []})
        elif location == "cookies":
            cookie = places.cookie
            name = f"{label}TokenCookie"
            schemes[name] = {
                "type": "apiKey",
                "location": "cookie",
                "name": cookie,
                "description": f"The {what} in the {cookie!r} cookie.",
            }
            requirement: SecurityRequirement = {name: []}
            if csrf_required(places, "cookies", method):
                csrf_name = f"{label}TokenCSRF"
                schemes[csrf_name] = {
                    "type": "apiKey",
                    "location": "header",
                    "name": places.csrf_header,
                    "description": (
                        f"The {what}'s csrf claim (the {places.csrf_cookie!r} cookie's value), "
                        f"required with the {cookie!r} cookie on {method} requests."
                    ),
                }
                requirement[csrf_name] = []
            alternatives.append(requirement)
        elif location == "query_string":
            name = "TokenQuery"
            schemes[name] = {
                "type": "apiKey",
                "location": "query",
                "name": places.query,
                "description": f"The token in the {places.query!r} query parameter.",
            }
            alternatives.append({name: []})
    return schemes, alternatives


def _takes_injected_token(handler: Any) -> bool:
    """Whether `handler` has a parameter annotated exactly `Token` (what injection fills)."""
    try:
        hints = typing.get_type_hints(handler)
    except Exception:  # unresolvable annotations: sanic-ext skips such a handler too
        return False
    hints.pop("return", None)
    return any(hint is Token for hint in hints.values())


def _operation_key(store: Any, route: Route, method: str) -> Any:
    """The object sanic-ext keys this operation by (the same choice its spec builder makes)."""
    handler: Any = route.handler
    view_class = getattr(handler, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower())
    func = getattr(handler, "__func__", None)
    if handler not in store and func is not None and func in store:
        return func
    # `@openapi.*` under one of our decorators keyed the function we wrap: share its entry.
    inner = getattr(handler, "__wrapped__", None)
    if handler not in store and inner is not None and inner in store:
        store[handler] = store[inner]
    return handler


def document_security(app: AnyApp, state: JWTState) -> None:
    """Add the security schemes and each guarded operation's requirement to the OpenAPI spec.

    A no-op unless the app has Sanic Extensions set up with OpenAPI on. Safe to run at every
    server start: a requirement already listed is not added again.
    """
    extend = getattr(app, "_ext", None)
    if extend is None or not app.config.get("OAS", False):
        return
    state.require_manager()  # the places exist once initialize has finished
    builders = importlib.import_module("sanic_ext.extensions.openapi.builders")
    store = builders.OperationStore()
    registry = getattr(extend, "_injection_registry", None)
    injects_token = registry is not None and Token in registry
    schemes: dict[str, dict[str, Any]] = {}
    for route in app.router.routes:
        if ".openapi." in route.name:
            continue
        for method in sorted(route.methods):
            requirement = route_requirement(route, method)
            if requirement is None and injects_token:
                key = _operation_key(store, route, method)
                if _takes_injected_token(key):
                    requirement = _ACCESS
            if requirement is None:
                continue
            needed, alternatives = security_requirements(
                state.places[requirement.token_type], method
            )
            schemes.update(needed)
            if requirement.optional:
                alternatives.insert(0, {})
            security = store[_operation_key(store, route, method)].security
            for alternative in alternatives:
                if alternative not in security:
                    security.append(alternative)
    for name, definition in schemes.items():
        extend.openapi.add_security_scheme(name, **definition)
