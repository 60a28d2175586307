"""Authentication: find a request's token and have the app's `TokenManager` verify it.

What a guard asks is a `Requirement`; `authenticate` answers it for one request, and is what
the decorators, `verify_jwt_in_request`, `protect`, the websocket pre-upgrade middleware and
sanic-ext's `Token` injection all call. Every token check is the core's
(`TokenManager.verify`); the app's own hooks (`hooks.Hooks`) run after it.

Every refusal is logged on the `sanic_jwt_extended` logger with its reason (exception class and
message): at debug level, or warning when the revocation store cannot be reached. The token
itself is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from sanic import Request

from jwt_core import (
    ConfigurationConflictError,
    CsrfProof,
    JWTExtendedException,
    Policy,
    RevocationStoreUnavailableError,
    Token,
    TokenManager,
)
from sanic_jwt_extended._locations import csrf_required, find_token
from sanic_jwt_extended._places import TokenPlaces
from sanic_jwt_extended._state import AnyApp, JWTState, state_of
from sanic_jwt_extended.context import TOKEN_ATTRIBUTE, USER_ATTRIBUTE
from sanic_jwt_extended.hooks import Hooks
from sanic_jwt_extended.http_config import TOKEN_LOCATIONS, HttpConfig

logger = logging.getLogger("sanic_jwt_extended")

# request.ctx: the raw token whose user `USER_ATTRIBUTE` holds (the loader runs once for it).
_USER_OF = "_sanic_jwt_extended_user_of"
# request.ctx: the verified access token when the guard read it from the access cookie, else
# None: what a sliding session renews on the response.
COOKIE_TOKEN_ATTRIBUTE = "_sanic_jwt_extended_cookie_token"


class _Deferred:
    """The type of `DEFERRED`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<token supplied by the route's decorator>"


# What sanic-ext's `Token` injection passes as `token` on a route a decorator guards: the
# decorator drops it and passes its own verified token, so the two never collide.
DEFERRED = _Deferred()


# Where a token may be read from, in the words of `token_location`.
LOCATIONS = TOKEN_LOCATIONS


_ACCESS = Policy()


@dataclass(frozen=True, slots=True)
class Requirement:
    """What one guard (a decorated view, `protect`, a middleware's call) asks of the token."""

    policy: Policy = _ACCESS  # the core's part: token type, freshness, roles
    optional: bool = False
    # The route's own token locations, a subset of the app's (None: the app's).
    locations: tuple[str, ...] | None = None

    @property
    def token_type(self) -> Literal["access", "refresh"]:
        """The token type the guard takes."""
        return self.policy.token_type

    @property
    def uses_roles(self) -> bool:
        """Whether the guard restricts roles (and so needs use_acl)."""
        return self.policy.restricts_roles


def check_requirement(requirement: Requirement, config: HttpConfig) -> None:
    """Refuse, at startup, a requirement the app's configuration cannot honour."""
    if requirement.uses_roles:
        requirement.policy.check(config)
    if requirement.locations is not None:
        readable = config.token_location
        unread = [location for location in requirement.locations if location not in readable]
        if unread:
            raise ConfigurationConflictError(
                f"locations {unread} are not in the app's token_location {list(readable)}: "
                "a route reads its token from some of the app's locations"
            )


def resolve(app: AnyApp, requirement: Requirement) -> tuple[JWTState, TokenManager, TokenPlaces]:
    """The app's state, manager and places for `requirement`; clear errors before initialize."""
    state = state_of(app)
    manager = state.require_manager()
    return state, manager, state.places_for(requirement.token_type, requirement.locations)


def _refused(request: Request, exc: JWTExtendedException) -> None:
    """Log a refusal: the path, not the URL (a query string may carry the token)."""
    level = logging.WARNING if isinstance(exc, RevocationStoreUnavailableError) else logging.DEBUG
    name = type(exc).__name__
    logger.log(level, "refused %s %s: %s: %s", request.method, request.path, name, exc)


async def authenticate(request: Request, requirement: Requirement) -> Token | None:
    """Answer `requirement` for `request`: every guard's one path.

    Finds the token, has the app's TokenManager verify it, runs the app's verification hook
    and user loader (once per request and token), and leaves the token (and user) on
    `request.ctx`. Refusals are logged and raised.
    """
    return await authenticate_with(request, requirement, *resolve(request.app, requirement))


async def authenticate_with(
    request: Request,
    requirement: Requirement,
    state: JWTState,
    manager: TokenManager,
    places: TokenPlaces,
) -> Token | None:
    """`authenticate` with what `resolve` gave for the request's app already at hand."""
    ctx = request.ctx
    try:
        found = await verify_request(request, requirement, manager, places)
        if found is None:
            token = None
        else:
            token, location = found
            if state.hooks.active:
                await _run_hooks(ctx, state.hooks, token)
            if token.type == "access":
                # The access cookie's token, for sliding sessions (`cookies.slide_access_cookie`).
                setattr(ctx, COOKIE_TOKEN_ATTRIBUTE, token if location == "cookies" else None)
    except JWTExtendedException as exc:
        _refused(request, exc)
        raise
    setattr(ctx, TOKEN_ATTRIBUTE, token)
    return token


async def _run_hooks(ctx: Any, hooks: Hooks, token: Token) -> None:
    """The verification hook, then the user loader unless this token's user is loaded."""
    await hooks.verify(token)
    if hooks.user_loader is not None and getattr(ctx, _USER_OF, None) != token.raw_jwt:
        setattr(ctx, USER_ATTRIBUTE, await hooks.load_user(token))
        setattr(ctx, _USER_OF, token.raw_jwt)


async def verify_request(
    request: Request, requirement: Requirement, manager: TokenManager, places: TokenPlaces
) -> tuple[Token, str] | None:
    """Find the token in `request` and have `manager` verify it (the core's checks only).

    The verified token and the location it was read from; None when optional and absent.
    """
    found = find_token(request, places, optional=requirement.optional)
    if found is None:
        return None
    raw, location, csrf = found
    required = csrf_required(places, location, request.method)
    token = await manager.verify(
        raw, requirement.policy, csrf=CsrfProof(csrf, True) if required else None
    )
    return token, location
