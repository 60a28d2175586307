"""Error handlers: each library refusal becomes a JSON response, replaceable per app.

`JWT.handler.<name> = my_handler` (inside the initialize block) swaps one default for a
function `async def h(request, exception) -> HTTPResponse` (a sync one works too).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from sanic import HTTPResponse, Request
from sanic.response import json

from jwt_core import (
    AccessDeniedError,
    BodyTooLargeError,
    ConfigurationConflictError,
    CSRFError,
    ExpiredSignatureError,
    FreshTokenRequiredError,
    InvalidHeaderError,
    InvalidTokenError,
    JWTDecodeError,
    KeySetUnavailableError,
    NoAuthorizationError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    TokenVerificationError,
    UserNotFoundError,
    WrongTokenError,
)
from sanic_jwt_extended.http_config import HttpConfig

__all__ = ["ErrorHandler", "Handler"]

ErrorHandler: TypeAlias = Callable[[Request, Exception], "HTTPResponse | Awaitable[HTTPResponse]"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """How one kind of refusal is answered by default: status and RFC 6750 challenge."""

    exception: type[Exception]
    status: int
    # None: no WWW-Authenticate header; "": `Bearer` alone; else `Bearer error="<this>"`.
    challenge: str | None


# handler name -> what it handles. 401s always carry a challenge (RFC 7235 section 3.1); the
# error code is left out when the request brought no credentials (RFC 6750 section 3.1).
HANDLED: dict[str, Refusal] = {
    "no_authorization": Refusal(NoAuthorizationError, 401, ""),
    "expired_signature": Refusal(ExpiredSignatureError, 401, "invalid_token"),
    "invalid_header": Refusal(InvalidHeaderError, 422, None),
    "invalid_token": Refusal(InvalidTokenError, 422, None),
    "jwt_decode_error": Refusal(JWTDecodeError, 422, None),
    "wrong_token": Refusal(WrongTokenError, 422, None),
    "revoked_token": Refusal(RevokedTokenError, 401, "invalid_token"),
    # RFC 9470: the token is fine but the authentication behind it is too old.
    "fresh_token_required": Refusal(
        FreshTokenRequiredError, 401, "insufficient_user_authentication"
    ),
    "access_denied": Refusal(AccessDeniedError, 403, "insufficient_scope"),
    # The app's own hooks: the token verified but the app will not take it, or its user.
    "token_verification_failed": Refusal(TokenVerificationError, 401, "invalid_token"),
    "user_not_found": Refusal(UserNotFoundError, 401, "invalid_token"),
    "csrf_error": Refusal(CSRFError, 401, ""),
    "revocation_store_unavailable": Refusal(RevocationStoreUnavailableError, 503, None),
    # an identity provider's keys cannot be fetched: the same fail-closed answer
    "key_set_unavailable": Refusal(KeySetUnavailableError, 503, None),
    # RFC 9110 section 15.5.14: the body is refused for its size, whatever it holds.
    "body_too_large": Refusal(BodyTooLargeError, 413, None),
}

# RFC 9111 section 5.2.2.5: no cache (browser, proxy, CDN) keeps a refusal, which may say
# who was refused and why, or replays it to the next request of that URL.
NO_STORE = "no-store"

# Characters RFC 6750 allows inside error_description (%x20-21 / %x23-5B / %x5D-7E).
_DESCRIPTION_OK = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}


def _challenge(error: str, description: str) -> str:
    if not error:
        return "Bearer"
    text = "".join(c if c in _DESCRIPTION_OK else "?" for c in description)
    return f'Bearer error="{error}", error_description="{text}"'


def error_response(
    request: Request, exception: Exception, refusal: Refusal, message_key: str = "msg"
) -> HTTPResponse:
    """The default answer: `{message_key: "<why>"}` with the status and challenge."""
    message = str(exception) or type(exception).__name__
    headers = {"Cache-Control": NO_STORE}
    if refusal.challenge is not None:
        headers["WWW-Authenticate"] = _challenge(refusal.challenge, message)
    if refusal.status == 503:
        headers["Retry-After"] = "1"
    return json({message_key: message}, status=refusal.status, headers=headers)


def _default(name: str, config: HttpConfig | None) -> ErrorHandler:
    refusal = HANDLED[name]

    async def handle(request: Request, exception: Exception) -> HTTPResponse:
        # The app's error_msg_key, read when answering: the config is the app's own object.
        key = "msg" if config is None else config.error_msg_key
        return error_response(request, exception, refusal, key)

    handle.__name__ = handle.__qualname__ = f"default_{name}"
    return handle


class Handler:
    """The error handlers of one app, one attribute per refusal; assign to replace one."""

    __slots__ = tuple(HANDLED)

    no_authorization: ErrorHandler
    expired_signature: ErrorHandler
    invalid_header: ErrorHandler
    invalid_token: ErrorHandler
    jwt_decode_error: ErrorHandler
    wrong_token: ErrorHandler
    revoked_token: ErrorHandler
    fresh_token_required: ErrorHandler
    access_denied: ErrorHandler
    token_verification_failed: ErrorHandler
    user_not_found: ErrorHandler
    csrf_error: ErrorHandler
    revocation_store_unavailable: ErrorHandler
    key_set_unavailable: ErrorHandler
    body_too_large: ErrorHandler

    def __init__(self, config: HttpConfig | None = None) -> None:
        """The default handlers; their JSON key is `config.error_msg_key` (no config: "msg")."""
        for name in HANDLED:
            object.__setattr__(self, name, _default(name, config))

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in HANDLED:
            raise ConfigurationConflictError(
                f"unknown error handler {name!r}; the handlers are: {', '.join(HANDLED)}"
            )
        if not callable(value):
            raise ConfigurationConflictError(
                f"handler {name!r} must be a function (request, exception) -> HTTPResponse"
            )
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"Handler({', '.join(HANDLED)})"
