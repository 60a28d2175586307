"""`JWTState`: the extension's state for one Sanic app, kept on `app.ctx.jwt`.

State is per app, not per process: each app has its own `HttpConfig`, handlers and
`TokenManager`. Code that is not given an app (the class-level `JWT` API, the cookie helpers)
finds its state through `current_state()`, the one rule:

1. an app named in this context: the open `JWT.initialize(app)` block, or `with JWT.for_app(app):`;
2. inside a request: the request's app;
3. otherwise the only initialized app, or a `ConfigurationError` when there are none or several.

An app counts as initialized from the end of its `JWT.initialize` block while Sanic's app
registry still holds it (`Sanic.get_app(name)`): `Sanic.unregister_app(app)`, or a new app
registered under the same name in `Sanic.test_mode`, takes it out. States are held weakly, so
a collected app never counts.
"""

from __future__ import annotations

import weakref
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeAlias

from sanic import Request, Sanic
from sanic.exceptions import SanicException

from jwt_core import ConfigurationConflictError, TokenManager
from sanic_jwt_extended._places import TOKEN_TYPES, TokenPlaces, TokenType
from sanic_jwt_extended.handlers import Handler
from sanic_jwt_extended.hooks import Hooks
from sanic_jwt_extended.http_config import HttpConfig

if TYPE_CHECKING:
    from jwt_core import BlacklistABC


AnyApp: TypeAlias = "Sanic[Any, Any]"

# The public name of the per-app state: `app.ctx.jwt.manager` is that app's TokenManager.
CTX_ATTRIBUTE = "jwt"

# The app named in this context (its initialize block, or `with JWT.for_app(app)`): it wins
# over the request's app, so `JWT.config` inside the block means that app's config.
named: ContextVar[JWTState | None] = ContextVar("sanic_jwt_extended_named_app")
# Every state whose initialize block finished; weak, so that a collected app leaves it.
_finished: weakref.WeakSet[JWTState] = weakref.WeakSet()


class JWTState:
    """One app's JWT configuration, error handlers and (once initialized) `TokenManager`."""

    def __init__(self, app: AnyApp) -> None:
        self.app_name = app.name
        self.config = HttpConfig()
        self.handler = Handler(self.config)
        self.manager: TokenManager | None = None
        # Per token type, where requests carry it: built once the config is frozen.
        self.places: dict[TokenType, TokenPlaces] = {}
        # Routes' own locations (`jwt_required(locations=...)`): their places, built on first use.
        self._route_places: dict[tuple[TokenType, tuple[str, ...]], TokenPlaces] = {}
        self.hooks = Hooks()

    @property
    def blacklist(self) -> BlacklistABC | None:
        """The app's revocation store: None before initialize finished or without use_blacklist."""
        return None if self.manager is None else self.manager.blacklist

    def start(self, manager: TokenManager) -> None:
        """Take the app's finished TokenManager and work out once what each request reads."""
        self.places = {
            token_type: TokenPlaces.build(self.config, token_type) for token_type in TOKEN_TYPES
        }
        self.manager = manager
        self.hooks.freeze()
        _finished.add(self)

    def places_for(self, token_type: TokenType, locations: tuple[str, ...] | None) -> TokenPlaces:
        """The places a guard reads: the app's for `token_type`, or those of a route's locations."""
        if locations is None:
            return self.places[token_type]
        key = (token_type, locations)
        places = self._route_places.get(key)
        if places is None:
            self.require_manager()
            places = TokenPlaces.build(self.config, token_type, locations)
            self._route_places[key] = places
        return places

    def require_manager(self) -> TokenManager:
        """The app's TokenManager; a clear error while `JWT.initialize` has not finished."""
        if self.manager is None:
            raise ConfigurationConflictError(
                f"JWT.initialize() for the Sanic app {self.app_name!r} has not finished: "
                "leave the `with JWT.initialize(app)` block before creating or checking tokens"
            )
        return self.manager


def state_of(app: AnyApp) -> JWTState:
    """The JWT state of `app`; a clear error when `JWT.initialize(app)` was never called."""
    state = getattr(app.ctx, CTX_ATTRIBUTE, None)
    if not isinstance(state, JWTState):
        raise ConfigurationConflictError(
            f"JWT.initialize(app) has not been called for the Sanic app {app.name!r}"
        )
    return state


def current_request() -> Request | None:
    """The request being handled in this context, if any."""
    try:
        return Request.get_current()
    except SanicException:
        return None


def initialized_states() -> list[JWTState]:
    """The states of the initialized apps that Sanic's app registry still holds."""
    alive = []
    for state in list(_finished):
        try:
            app = Sanic.get_app(state.app_name)
        except SanicException:  # unregistered: no longer an app of this process
            continue
        if getattr(app.ctx, CTX_ATTRIBUTE, None) is state:
            alive.append(state)
    return alive


def current_state(call: str = "create_access_token(...)") -> JWTState:
    """The state of the app named in this context, else the request's, else the only one.

    `call` is the `JWT.for_app(app).<call>` the error for several apps suggests instead.
    """
    state = named.get(None)
    if state is not None:
        return state
    request = current_request()
    if request is not None:
        return state_of(request.app)
    states = initialized_states()
    if len(states) == 1:
        return states[0]
    if not states:
        raise ConfigurationConflictError(
            "JWT.initialize(app) has not been called: there is no configuration to use yet"
        )
    names = sorted(state.app_name for state in states)
    shown = ", ".join(map(repr, names[:3])) + (
        f" and {len(names) - 3} more" if len(names) > 3 else ""
    )
    raise ConfigurationConflictError(
        f"{len(states)} Sanic apps are initialized ({shown}), so outside a request it is not "
        f"clear which one to use: name it with JWT.for_app(app).{call}, "
        "or wrap the code in `with JWT.for_app(app):`"
    )
