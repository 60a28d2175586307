"""`JWTState`: the extension's state for one Sanic app, kept on `app.ctx.jwt`.

State is per app, not per process: each app has its own `Config`, handlers and
`TokenManager`. The class-level `JWT` API finds the right one through `current_state()`.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeAlias

from sanic import Request, Sanic
from sanic.exceptions import SanicException

from jwt_core import Config, ConfigurationConflictError, TokenManager
from sanic_jwt_extended.locations import TOKEN_TYPES, TokenReader, TokenType

if TYPE_CHECKING:
    from jwt_core import BlacklistABC
    from sanic_jwt_extended.handlers import Handler

__all__ = [
    "CTX_ATTRIBUTE",
    "AnyApp",
    "JWTState",
    "current_request",
    "current_state",
    "initializing",
    "set_latest",
    "state_of",
]

AnyApp: TypeAlias = "Sanic[Any, Any]"

# The public name of the per-app state: `app.ctx.jwt.manager` is that app's TokenManager.
CTX_ATTRIBUTE = "jwt"

_latest: JWTState | None = None
# The state whose initialize block is open in this context: `JWT.config` inside the block
# means that app's config, whatever request context the caller happens to be in.
initializing: ContextVar[JWTState | None] = ContextVar("sanic_jwt_extended_initializing")


class JWTState:
    """One app's JWT configuration, error handlers and (once initialized) `TokenManager`."""

    def __init__(self, app: AnyApp, handler: Handler) -> None:
        self.app_name = app.name
        self.config = Config()
        self.handler = handler
        self.manager: TokenManager | None = None
        # Per token type, where requests carry it: built once the config is frozen.
        self.readers: dict[TokenType, TokenReader] = {}

    @property
    def blacklist(self) -> BlacklistABC | None:
        """The app's revocation store: None before initialize finished or without use_blacklist."""
        return None if self.manager is None else self.manager.blacklist

    def start(self, manager: TokenManager) -> None:
        """Take the app's finished TokenManager and work out once what each request reads."""
        self.readers = {
            token_type: TokenReader.build(manager.config, token_type) for token_type in TOKEN_TYPES
        }
        self.manager = manager

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


def current_state() -> JWTState:
    """Inside a request: its app's state; outside one: the most recently initialized app's.

    Inside an initialize block: the state that block is configuring.
    """
    opening = initializing.get(None)
    if opening is not None:
        return opening
    request = current_request()
    if request is not None:
        return state_of(request.app)
    if _latest is None:
        raise ConfigurationConflictError(
            "JWT.initialize(app) has not been called: there is no configuration to use yet"
        )
    return _latest


def set_latest(state: JWTState | None) -> JWTState | None:
    """Make `state` the one used outside requests; returns the previous one (to restore)."""
    global _latest
    previous, _latest = _latest, state
    return previous
