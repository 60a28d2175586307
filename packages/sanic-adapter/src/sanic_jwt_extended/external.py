"""Routes that accept access tokens of identity providers: `trust_issuers`, `external_jwt_required`.

The token is found where the app's own access tokens are (`token_location`, the header name
and prefix), verified by the core's `jwt_core.remote.TrustedIssuers` and handed to the view as
`token=` (an `ExternalToken`). Refusals are the core's exceptions, answered by the app's error
handlers like any other: the same JSON body and `WWW-Authenticate` challenge, 503 (handler
`key_set_unavailable`) when an issuer's keys cannot be fetched. Needs `jwt-core[remote]`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection
from inspect import isawaitable, iscoroutinefunction
from typing import TYPE_CHECKING, Any, TypeVar, overload

from sanic import Request

from jwt_core import (
    AccessDeniedError,
    ConfigurationConflictError,
    CSRFError,
    CsrfProof,
    JWTExtendedException,
    KeySetUnavailableError,
    Token,
)
from jwt_core._jws import decode_json_segment, split_compact
from sanic_jwt_extended._locations import csrf_required, find_token
from sanic_jwt_extended._state import AnyApp, state_of

if TYPE_CHECKING:
    from jwt_core.remote import ExternalToken, TrustedIssuers

__all__ = ["external_jwt_required", "trust_issuers", "trusted_issuers"]

logger = logging.getLogger("sanic_jwt_extended")
F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "_sanic_jwt_extended_issuers"


def trust_issuers(app: AnyApp, issuers: TrustedIssuers, *, strict_start: bool = False) -> None:
    """Let `app`'s `external_jwt_required` routes accept tokens of `issuers`.

    Each worker fetches the issuers' keys as it starts (a provider that is down is logged and
    retried when tokens come, or, with `strict_start=True`, stops the start) and closes the
    HTTP client as it stops. Build `issuers` at import time of the app module: one per worker.
    """
    if getattr(app.ctx, _ATTRIBUTE, None) is not None:
        raise ConfigurationConflictError("trust_issuers was already called for this app")
    setattr(app.ctx, _ATTRIBUTE, issuers)

    async def open_issuers(*_: Any) -> None:
        await issuers.open(strict=strict_start)

    async def close_issuers(*_: Any) -> None:
        await issuers.aclose()

    app.before_server_start(open_issuers)
    app.after_server_stop(close_issuers)


def trusted_issuers(app: AnyApp) -> TrustedIssuers:
    """The `TrustedIssuers` given to `trust_issuers` for `app`."""
    issuers = getattr(app.ctx, _ATTRIBUTE, None)
    if issuers is None:
        raise ConfigurationConflictError(
            "external_jwt_required needs trust_issuers(app, TrustedIssuers([...])) first"
        )
    result: TrustedIssuers = issuers
    return result


def _is_own(raw: str, own_issuer: str | None) -> bool:
    """Whether a token that may be ours (its `iss` absent or ours) goes to the TokenManager."""
    try:
        _, payload_b64, _ = split_compact(raw, 16384)
        iss = decode_json_segment(payload_b64, "payload").get("iss")
    except JWTExtendedException:
        return True  # malformed: the TokenManager refuses it with the usual message
    return iss is None or iss == own_issuer


async def _authenticate(
    request: Request,
    scopes: frozenset[str],
    roles: frozenset[str] | None,
    also_own: bool,
) -> ExternalToken | Token:
    state = state_of(request.app)
    manager = state.require_manager()
    try:
        places = state.places["access"]
        found = find_token(request, places)
        assert found is not None  # not optional: a missing token raised
        raw, location, csrf = found
        needs_csrf = csrf_required(places, location, request.method)
        if also_own and _is_own(raw, manager.config.decode_issuer):
            proof = CsrfProof(csrf, True) if needs_csrf else None
            return await manager.verify(raw, csrf=proof)
        if needs_csrf:
            raise CSRFError("a token from another issuer is not accepted from a cookie here")
        token = await trusted_issuers(request.app).verify(raw)
        if not scopes <= token.scopes:
            raise AccessDeniedError("the token lacks a scope this route needs")
        if roles is not None and not roles.intersection(token.roles):
            raise AccessDeniedError("this role is not allowed here")
        return token
    except JWTExtendedException as exc:
        level = logging.WARNING if isinstance(exc, KeySetUnavailableError) else logging.DEBUG
        logger.log(
            level, "refused %s %s: %s: %s", request.method, request.path, type(exc).__name__, exc
        )
        raise


@overload
def external_jwt_required(fn: F) -> F: ...
@overload
def external_jwt_required(
    *,
    scopes: Collection[str] = (),
    roles: Collection[str] | None = None,
    also_own: bool = False,
) -> Callable[[F], F]: ...
def external_jwt_required(
    fn: Any = None,
    *,
    scopes: Collection[str] = (),
    roles: Collection[str] | None = None,
    also_own: bool = False,
) -> Any:
    """The view needs an access token of a trusted issuer (`trust_issuers`); it gets `token=`.

    `scopes`: all of them must be granted (403 otherwise); `roles`: one of them must be held.
    `also_own=True` accepts this app's own access tokens too: a token without `iss`, or with
    this app's `decode_issuer`, goes to the TokenManager (a `Token`), any other to the issuers.
    """
    if isinstance(scopes, str) or (roles is not None and isinstance(roles, str)):
        raise ConfigurationConflictError("scopes and roles are lists of names, not one string")
    wanted = frozenset(scopes)
    allowed = None if roles is None else frozenset(roles)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        is_async = iscoroutinefunction(view)

        @functools.wraps(view)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            request = args[0] if args and isinstance(args[0], Request) else args[1]
            token = await _authenticate(request, wanted, allowed, also_own)
            if is_async:
                return await view(*args, token=token, **kwargs)
            result = view(*args, token=token, **kwargs)
            return await result if isawaitable(result) else result

        return guarded

    return decorate(fn) if fn is not None else decorate
