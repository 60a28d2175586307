"""`JWT`: the seed's facade. Configure per app in a `with` block, then mint and revoke tokens.

Every method is a classmethod. Inside a request they act for the request's app; outside one,
for the most recently initialized app. Each app keeps its own `TokenManager` on
`app.ctx.jwt.manager`, so several apps in one process never accept each other's tokens.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from inspect import isawaitable
from typing import Any

from sanic import HTTPResponse, Request
from sanic.exceptions import ServerError

from jwt_core import BlacklistABC, Config, ConfigurationConflictError, Token, TokenManager
from sanic_jwt_extended.app_options import options_from_app_config
from sanic_jwt_extended.decorators import check_route_roles, verify_websocket_before_upgrade
from sanic_jwt_extended.ext import document_security, sanic_ext_installed
from sanic_jwt_extended.handlers import HANDLED, NO_STORE, ErrorHandler, Handler
from sanic_jwt_extended.state import (
    CTX_ATTRIBUTE,
    AnyApp,
    JWTState,
    current_state,
    initializing,
    set_latest,
)

__all__ = ["JWT"]

logger = logging.getLogger("sanic_jwt_extended")


def _dispatcher(state: JWTState, name: str) -> ErrorHandler:
    """The function registered on the app: calls whatever `state.handler.<name>` is now."""

    async def respond(request: Request, exception: Exception) -> HTTPResponse:
        result = getattr(state.handler, name)(request, exception)
        if isawaitable(result):
            result = await result
        # A replaced handler's refusal is not cached either, unless it says otherwise.
        if isinstance(result, HTTPResponse) and "cache-control" not in result.headers:
            result.headers["Cache-Control"] = NO_STORE
        return result  # type: ignore[no-any-return]

    respond.__name__ = respond.__qualname__ = f"sanic_jwt_extended_{name}"
    return respond


def _register(app: AnyApp, state: JWTState) -> None:
    """Error handlers, worker start/stop listeners, the websocket pre-upgrade check, OpenAPI."""
    for name, refusal in HANDLED.items():
        try:
            app.error_handler.add(refusal.exception, _dispatcher(state, name))
        except ServerError:
            # The app already handles this exception itself (app.exception): leave it be.
            logger.info("app %r handles %s itself", app.name, refusal.exception.__name__)

    async def open_store(app: AnyApp) -> None:
        manager = state.require_manager()
        check_route_roles(app.router.routes, manager)
        await manager.open()

    async def close_store(app: AnyApp) -> None:
        await state.require_manager().close()

    def warn_unshared_store(app: AnyApp) -> None:
        blacklist = state.blacklist
        if (
            blacklist is not None
            and app.state.workers > 1
            and not getattr(type(blacklist), "multiprocess_safe", True)
        ):
            logger.warning(
                "app %r runs %d workers with %s: each worker keeps its own revocations, so a "
                "token revoked in one worker is still accepted by the others; use "
                "SQLiteBlacklist or RedisBlacklist (blacklist_class) to share them",
                app.name,
                app.state.workers,
                type(blacklist).__name__,
            )

    app.register_listener(open_store, "before_server_start")
    app.register_listener(close_store, "after_server_stop")
    app.register_listener(warn_unshared_store, "main_process_start")
    app.register_middleware(verify_websocket_before_upgrade, "request")

    if sanic_ext_installed():

        async def describe_security(app: AnyApp) -> None:
            # Before sanic-ext's own spec builder (priority -1000), which reads what this adds.
            document_security(app, state.require_manager())

        app.register_listener(describe_security, "before_server_start")


class _JWTMeta(type):
    """Class-level properties: `JWT.config` etc. resolve to the current app's state."""

    @property
    def config(cls) -> Config:
        """The current app's configuration (settable inside the initialize block)."""
        return current_state().config

    @property
    def handler(cls) -> Handler:
        """The current app's error handlers."""
        return current_state().handler

    @property
    def blacklist(cls) -> BlacklistABC | None:
        """The current app's revocation store (None without use_blacklist)."""
        return current_state().blacklist


class JWT(metaclass=_JWTMeta):
    """Holds configuration, creates and revokes tokens; use the class, not instances."""

    # For instances too (`JWT().config`); on the class itself the metaclass's typed properties
    # win. (A `@property` def here would hide them from type checkers, hence plain objects.)
    config = property(lambda self: current_state().config, doc="The current app's config.")
    handler = property(lambda self: current_state().handler, doc="The current app's handlers.")
    blacklist = property(lambda self: current_state().blacklist, doc="The current app's store.")

    @classmethod
    @contextmanager
    def initialize(cls, app: AnyApp) -> Iterator[type[JWT]]:
        """Configure JWT for `app` inside the block; leaving it validates, freezes and registers.

        The block starts from fresh defaults plus any `JWT_*` options in `app.config`;
        options set in the block win.
        """
        existing = getattr(app.ctx, CTX_ATTRIBUTE, None)
        if isinstance(existing, JWTState):
            raise ConfigurationConflictError(
                f"JWT.initialize() was already called for the Sanic app {app.name!r}; "
                "configure everything in one `with JWT.initialize(app)` block"
            )
        if existing is not None:
            raise ConfigurationConflictError(
                f"app.ctx.{CTX_ATTRIBUTE} is already used by something else; "
                "sanic-jwt-extended keeps its state there"
            )
        state = JWTState(app, Handler())
        state.config.update(options_from_app_config(app.config))
        setattr(app.ctx, CTX_ATTRIBUTE, state)
        previous = set_latest(state)
        opened = initializing.set(state)
        try:
            yield cls
            manager = TokenManager(state.config)
            check_route_roles(app.router.routes, manager)
        except BaseException:
            delattr(app.ctx, CTX_ATTRIBUTE)
            set_latest(previous)
            raise
        finally:
            initializing.reset(opened)
        state.start(manager)
        _register(app, state)

    @classmethod
    def create_access_token(
        cls,
        identity: Any,
        role: str | None = None,
        fresh: bool | timedelta = False,
        *,
        expires_delta: timedelta | bool | None = None,
        public_claims: Mapping[str, Any] | None = None,
        private_claims: Mapping[str, Any] | None = None,
        iss: str | None = None,
        aud: str | list[str] | None = None,
        nbf: datetime | None = None,
    ) -> str:
        """A new encoded access token for `identity` (any JSON-serializable value)."""
        return (
            current_state()
            .require_manager()
            .create_access_token(
                identity,
                role,
                fresh,
                expires_delta=expires_delta,
                public_claims=public_claims,
                private_claims=private_claims,
                iss=iss,
                aud=aud,
                nbf=nbf,
            )
        )

    @classmethod
    def create_refresh_token(
        cls,
        identity: Any,
        role: str | None = None,
        *,
        expires_delta: timedelta | bool | None = None,
        public_claims: Mapping[str, Any] | None = None,
        private_claims: Mapping[str, Any] | None = None,
        iss: str | None = None,
        aud: str | list[str] | None = None,
        nbf: datetime | None = None,
    ) -> str:
        """A new encoded refresh token for `identity` (any JSON-serializable value)."""
        return (
            current_state()
            .require_manager()
            .create_refresh_token(
                identity,
                role,
                expires_delta=expires_delta,
                public_claims=public_claims,
                private_claims=private_claims,
                iss=iss,
                aud=aud,
                nbf=nbf,
            )
        )

    @classmethod
    async def revoke(cls, token: Token) -> None:
        """Revoke `token` in the current app's blacklist until it expires."""
        await current_state().require_manager().revoke(token)

    @classmethod
    async def revoke_all(cls, identity: Any) -> None:
        """Revoke every token of `identity` issued up to now in the current app."""
        await current_state().require_manager().revoke_all(identity)
