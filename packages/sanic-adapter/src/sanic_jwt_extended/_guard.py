"""Authentication: find a request's token and have the app's `TokenManager` verify it.

What a view asks is a `Requirement`; `authenticate` answers it for one request, and is what
the decorators, the websocket pre-upgrade middleware and sanic-ext's `Token` injection all
call. Every check is the core's (`TokenManager.verify`).

Every refusal is logged on the `sanic_jwt_extended` logger with its reason (exception class and
message): at debug level, or warning when the revocation store cannot be reached. The token
itself is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from sanic import Request

from jwt_core import (
    CsrfProof,
    JWTExtendedException,
    Policy,
    RevocationStoreUnavailableError,
    Token,
    TokenManager,
)
from sanic_jwt_extended._locations import csrf_required, find_token
from sanic_jwt_extended._places import TokenPlaces, TokenType
from sanic_jwt_extended._state import AnyApp, state_of

logger = logging.getLogger("sanic_jwt_extended")


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


def resolve(app: AnyApp, token_type: TokenType) -> tuple[TokenManager, TokenPlaces]:
    """The app's TokenManager and its places for `token_type`; clear errors before initialize."""
    state = state_of(app)
    manager = state.require_manager()
    return manager, state.places[token_type]


async def authenticate(request: Request, requirement: Requirement) -> Token | None:
    """Find the token in `request` and have the app's TokenManager verify it; log refusals."""
    manager, places = resolve(request.app, requirement.token_type)
    return await verify_request(request, requirement, manager, places)


async def verify_request(
    request: Request, requirement: Requirement, manager: TokenManager, places: TokenPlaces
) -> Token | None:
    """`authenticate` with the app's manager and places already at hand."""
    try:
        found = find_token(request, places, optional=requirement.optional)
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
