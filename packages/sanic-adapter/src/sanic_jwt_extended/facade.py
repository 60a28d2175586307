"""`JWT`: the facade. Configure per app in a `with` block, then mint and revoke tokens.

`JWT.create_access_token(...)` and the rest of the class-level API act for the current app
(`_state.current_state`): the app named in this context, else the request's app, else the only
initialized app; with several apps and no request, a clear error. `JWT.for_app(app)` names the
app instead, for scripts and tests: an `AppJWT` with the same API bound to that app. Each app
keeps its own `TokenManager` on `app.ctx.jwt.manager`, so several apps in one process never
accept each other's tokens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from contextvars import Token as ContextToken
from datetime import datetime, timedelta
from inspect import isawaitable
from types import TracebackType
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from sanic import HTTPResponse, Request
from sanic.exceptions import ServerError

from jwt_core import (
    BlacklistABC,
    ConfigurationConflictError,
    Token,
    TokenManager,
    TokenPair,
)
from jwt_core.token import decode_raw_with
from sanic_jwt_extended._app_config import options_from_app_config
from sanic_jwt_extended._routes import check_route_roles, verify_websocket_before_upgrade
from sanic_jwt_extended._state import (
    CTX_ATTRIBUTE,
    AnyApp,
    JWTState,
    current_state,
    named,
    state_of,
)
from sanic_jwt_extended.cookies import slide_access_cookie
from sanic_jwt_extended.handlers import HANDLED, NO_STORE, ErrorHandler, Handler
from sanic_jwt_extended.hooks import ClaimsLoader, TokenVerifier, UserLoader
from sanic_jwt_extended.http_config import HttpConfig
from sanic_jwt_extended.sanic_ext import document_security, sanic_ext_installed

__all__ = ["JWT", "AppJWT"]

P = ParamSpec("P")
R = TypeVar("R")

# The open `with JWT.for_app(app)` blocks of this context, innermost last: kept per context,
# so tasks sharing one AppJWT each leave their own block.
_opened: ContextVar[tuple[ContextToken[JWTState | None], ...]] = ContextVar(
    "sanic_jwt_extended_for_app_blocks", default=()
)

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
    """Error handlers, worker start/stop listeners, the websocket pre-upgrade check, sliding
    sessions' response middleware, OpenAPI."""
    for name, refusal in HANDLED.items():
        try:
            app.error_handler.add(refusal.exception, _dispatcher(state, name))
        except ServerError:
            # The app already handles this exception itself (app.exception): leave it be.
            logger.info("app %r handles %s itself", app.name, refusal.exception.__name__)

    async def open_store(app: AnyApp) -> None:
        manager = state.require_manager()
        check_route_roles(app.router.routes, state.config)
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
    if state.require_manager().config.sliding_session_threshold is not False:
        app.register_middleware(slide_access_cookie, "response")

    if sanic_ext_installed():

        async def describe_security(app: AnyApp) -> None:
            # Before sanic-ext's own spec builder (priority -1000), which reads what this adds.
            document_security(app, state)

        app.register_listener(describe_security, "before_server_start")


class AppJWT:
    """The `JWT` API bound to one app: what `JWT.for_app(app)` returns.

    For scripts and tests, where there is no request to tell which app is meant:
    `JWT.for_app(app).create_access_token("alice")` signs with that app's keys whatever else is
    initialized. As a context manager it names the app for everything that finds the current
    app in the block (the class-level `JWT` API, `set_access_cookies`, ...):
    `with JWT.for_app(app): set_access_cookies(response, token)`.
    """

    __slots__ = ("_state",)

    def __init__(self, state: JWTState) -> None:
        self._state = state

    def __repr__(self) -> str:
        return f"JWT.for_app({self._state.app_name!r})"

    def __enter__(self) -> AppJWT:
        _opened.set((*_opened.get(), named.set(self._state)))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        *outer, innermost = _opened.get()
        _opened.set(tuple(outer))
        named.reset(innermost)

    @property
    def config(self) -> HttpConfig:
        """The app's configuration (settable inside its initialize block)."""
        return self._state.config

    @property
    def handler(self) -> Handler:
        """The app's error handlers."""
        return self._state.handler

    @property
    def blacklist(self) -> BlacklistABC | None:
        """The app's revocation store (None without use_blacklist)."""
        return self._state.blacklist

    @property
    def manager(self) -> TokenManager:
        """The app's `TokenManager` (`app.ctx.jwt.manager`), once initialize has finished."""
        return self._state.require_manager()

    def user_loader(self, loader: UserLoader) -> UserLoader:
        """Register the app's user loader `(token) -> user` (None refuses: 401); a decorator too.

        Called once per request, after every token check; its result is
        `get_current_user()` and `request.ctx.jwt_user`. Plain or async.
        """
        self._state.hooks.register("user_loader", loader)
        return loader

    def additional_claims_loader(self, loader: ClaimsLoader) -> ClaimsLoader:
        """Register `(identity) -> private claims` added to every token minted for the app.

        The claims of a `create_*` call's own `private_claims` win over the loader's; a
        reserved claim name is refused (`InvalidClaimsError`) as in `private_claims`.
        """
        self._state.hooks.register("claims_loader", loader)
        return loader

    def token_verification_loader(self, verifier: TokenVerifier) -> TokenVerifier:
        """Register `(token) -> True` run on every verified token; anything but True refuses it.

        Plain or async; its refusal is `TokenVerificationError` (handler
        `token_verification_failed`, 401).
        """
        self._state.hooks.register("token_verifier", verifier)
        return verifier

    def create_access_token(
        self,
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
        return self.manager.create_access_token(
            identity,
            role,
            fresh,
            expires_delta=expires_delta,
            public_claims=public_claims,
            private_claims=self._state.hooks.claims(identity, private_claims),
            iss=iss,
            aud=aud,
            nbf=nbf,
        )

    def create_refresh_token(
        self,
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
        return self.manager.create_refresh_token(
            identity,
            role,
            expires_delta=expires_delta,
            public_claims=public_claims,
            private_claims=self._state.hooks.claims(identity, private_claims),
            iss=iss,
            aud=aud,
            nbf=nbf,
        )

    def start_session(
        self,
        identity: Any,
        role: str | None = None,
        *,
        fresh: bool | timedelta = True,
        public_claims: Mapping[str, Any] | None = None,
        private_claims: Mapping[str, Any] | None = None,
        iss: str | None = None,
        aud: str | list[str] | None = None,
    ) -> TokenPair:
        """A login: an access token (fresh by default) and a refresh token of a new family.

        Both carry the family id (`fam`) and the time of this login (`auth_time`);
        [`rotate`][sanic_jwt_extended.AppJWT.rotate] keeps them. The additional claims
        loader's claims are added as for `create_*`. See [sessions](../sessions.md).
        """
        return self.manager.start_session(
            identity,
            role,
            fresh=fresh,
            public_claims=public_claims,
            private_claims=self._state.hooks.claims(identity, private_claims),
            iss=iss,
            aud=aud,
        )

    async def rotate(self, refresh_token: Token | str, *, fresh: bool = False) -> TokenPair:
        """Trade a refresh token for a new access token and a new refresh token of its family.

        The refresh token is verified (its family's revocation included) and consumed in the
        store. Presenting it again is reuse, which revokes the whole family and raises
        `RevokedTokenError` (401), unless it is a retry: within `refresh_reuse_grace` of its
        consumption and before its successor is used, it gets that same successor again.
        The new tokens carry the claims of the one presented.
        A store that cannot be reached raises `RevocationStoreUnavailableError` (503).
        """
        return await self.manager.rotate(refresh_token, fresh=fresh)

    async def logout(self, token: Token, refresh: Token | None = None) -> None:
        """End the session: revoke `token`, `refresh` when given, and their family.

        Every other token of the family (the refresh token the client keeps, access tokens
        on other tabs) is refused from then on; other sessions of the identity are not
        touched (that is `revoke_all`).
        """
        await self.manager.logout(token, refresh)

    def decode(self, raw: str) -> Token:
        """Verify `raw` with the app's keys and rules (not its blacklist); the core's errors."""
        return self.manager.decode(raw)

    async def revoke(self, token: Token) -> None:
        """Revoke `token` in the app's blacklist until it expires."""
        await self.manager.revoke(token)

    async def revoke_all(self, identity: Any) -> None:
        """Revoke every token of `identity` issued up to now in the app."""
        await self.manager.revoke_all(identity)


def _decode_for_current_app(raw: str) -> Token:
    """`Token(raw)` of 1.0-dev code: `JWT.decode(raw)` for the current app."""
    return AppJWT(current_state(call="decode(raw)")).decode(raw)


decode_raw_with(_decode_for_current_app)


class _ForCurrentApp(Generic[P, R]):
    """`JWT.<name>` (on the class or an instance): `AppJWT.<name>` of the current app.

    The app is found when the method is called, not when the attribute is read.
    """

    __slots__ = ("_method",)

    def __init__(self, method: Callable[Concatenate[AppJWT, P], R]) -> None:
        self._method = method

    def __get__(self, instance: object, owner: type | None = None) -> Callable[P, R]:
        method = self._method
        hint = f"{method.__name__}(...)"

        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            return method(AppJWT(current_state(hint)), *args, **kwargs)

        call.__name__ = call.__qualname__ = method.__name__
        call.__doc__ = method.__doc__
        return call


class _JWTMeta(type):
    """Class-level properties: `JWT.config` etc. resolve to the current app's state."""

    @property
    def config(cls) -> HttpConfig:
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
    """Holds configuration, creates and revokes tokens; use the class, not instances.

    `create_access_token`, `create_refresh_token`, `start_session`, `rotate`, `logout`,
    `decode`, `revoke` and `revoke_all` are those of
    [`AppJWT`][sanic_jwt_extended.AppJWT], for the current app: the app named in this
    context, else the request's app, else the only initialized app (several: a clear error
    saying to use `JWT.for_app(app)`).
    """

    # For instances too (`JWT().config`); on the class itself the metaclass's typed properties
    # win. (A `@property` def here would hide them from type checkers, hence plain objects.)
    config = property(lambda self: current_state().config, doc="The current app's config.")
    handler = property(lambda self: current_state().handler, doc="The current app's handlers.")
    blacklist = property(lambda self: current_state().blacklist, doc="The current app's store.")

    create_access_token = _ForCurrentApp(AppJWT.create_access_token)
    create_refresh_token = _ForCurrentApp(AppJWT.create_refresh_token)
    start_session = _ForCurrentApp(AppJWT.start_session)
    rotate = _ForCurrentApp(AppJWT.rotate)
    logout = _ForCurrentApp(AppJWT.logout)
    decode = _ForCurrentApp(AppJWT.decode)
    revoke = _ForCurrentApp(AppJWT.revoke)
    revoke_all = _ForCurrentApp(AppJWT.revoke_all)
    user_loader = _ForCurrentApp(AppJWT.user_loader)
    additional_claims_loader = _ForCurrentApp(AppJWT.additional_claims_loader)
    token_verification_loader = _ForCurrentApp(AppJWT.token_verification_loader)

    @classmethod
    def for_app(cls, app: AnyApp) -> AppJWT:
        """The JWT API bound to `app`, for code outside its requests (scripts, tests).

        `JWT.for_app(app).create_access_token("alice")` mints for `app` even when other apps
        are initialized; `with JWT.for_app(app):` makes `app` the current app in the block.
        A clear error when `JWT.initialize(app)` was never called.
        """
        return AppJWT(state_of(app))

    @classmethod
    @contextmanager
    def initialize(
        cls, app: AnyApp, *, clock: Callable[[], float] = time.time
    ) -> Iterator[type[JWT]]:
        """Configure JWT for `app` inside the block; leaving it validates, freezes and registers.

        The block starts from fresh defaults plus any `JWT_*` options in `app.config`;
        options set in the block win. It yields the `JWT` class, whose class-level API means
        `app` inside the block: `with JWT.initialize(app) as jwt: jwt.config.secret_key = ...`.
        `clock` is the app's `TokenManager` clock (epoch seconds, like `time.time`): a test
        can pass one it moves by hand to reach expiry without waiting.
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
        state = JWTState(app)
        state.config.update(options_from_app_config(app.config))
        setattr(app.ctx, CTX_ATTRIBUTE, state)
        opened = named.set(state)
        try:
            yield cls
            manager = TokenManager(state.config, clock=clock)
            check_route_roles(app.router.routes, state.config)
        except BaseException:
            delattr(app.ctx, CTX_ATTRIBUTE)
            raise
        finally:
            named.reset(opened)
        state.start(manager)
        _register(app, state)
