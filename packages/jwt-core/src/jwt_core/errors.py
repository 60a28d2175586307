"""The exceptions of jwt_core: every mistake and every refusal the library reports.

Two kinds, under one base: a `ConfigurationError` is the programmer's to fix (raised at
startup or at the call that misuses the library, never because of what a client sent); a
`TokenRefusedError` refuses one request (the adapter answers it with a 4xx, or a 503 when the
revocation store, or an identity provider's key set, cannot answer). Catch
`TokenRefusedError` in middleware that verifies by hand; let a `ConfigurationError` crash the start.

```text
JWTExtendedException
├── ConfigurationError
│   ├── ConfigurationConflictError   (its historical name, kept for every configuration
│   │   │                             mistake, conflicts or not)
│   │   └── ConfigFrozenError        (also a RuntimeError: an option set after startup)
│   └── InvalidClaimsError           (also a ValueError: claims a create_* call cannot sign)
└── TokenRefusedError
    ├── NoAuthorizationError         (no token where one is required)
    ├── InvalidHeaderError           (the carrying header is not of the expected form)
    ├── BodyTooLargeError            (a JSON body over json_body_max_bytes: 413)
    ├── JWTDecodeError               (malformed, or the signature does not verify)
    ├── InvalidTokenError            (a claim is missing, mistyped or not acceptable)
    ├── ExpiredSignatureError
    ├── WrongTokenError              (refresh for access, or the other way round)
    ├── CSRFError
    ├── RevokedTokenError
    ├── FreshTokenRequiredError
    ├── AccessDeniedError            (the role is not allowed here)
    ├── TokenVerificationError       (the app's own check refused the token)
    ├── UserNotFoundError            (the app's user loader found no user for it)
    ├── RevocationStoreUnavailableError  (fail closed)
    └── KeySetUnavailableError           (an issuer's keys cannot be fetched: fail closed)
```

A wrong argument type or value in a call is Python's own `TypeError` / `ValueError`
(`revoke()` given a string, `add_jwks_route(max_age=-1)`).
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "BodyTooLargeError",
    "CSRFError",
    "ConfigFrozenError",
    "ConfigurationConflictError",
    "ConfigurationError",
    "ExpiredSignatureError",
    "FreshTokenRequiredError",
    "InvalidClaimsError",
    "InvalidHeaderError",
    "InvalidTokenError",
    "JWTDecodeError",
    "JWTExtendedException",
    "KeySetUnavailableError",
    "NoAuthorizationError",
    "RevocationStoreUnavailableError",
    "RevokedTokenError",
    "TokenRefusedError",
    "TokenVerificationError",
    "UserNotFoundError",
    "WrongTokenError",
]


class JWTExtendedException(Exception):
    """Base class of every exception this library raises on purpose."""


class ConfigurationError(JWTExtendedException):
    """A mistake of the program, not of a request: fix the configuration or the call."""


class TokenRefusedError(JWTExtendedException):
    """A request is refused: no token, a bad one, or one that may not be used here."""


class ConfigurationConflictError(ConfigurationError):
    """The configuration, or a use of it, cannot work: raised at startup or at the call site.

    The name every configuration mistake is raised under (unknown option, frozen config,
    initialize not called, ...), conflicts or not; catch `ConfigurationError` in new code.
    """


class ConfigFrozenError(ConfigurationConflictError, RuntimeError):
    """An option was set after the configuration was validated (after `JWT.initialize`).

    Also a `RuntimeError`, which sanic-jwt-extended 1.0-dev raised for it.
    """


class InvalidClaimsError(ConfigurationError, ValueError):
    """Claims given to a create_* call cannot be put into a token (reserved name, not JSON)."""


class NoAuthorizationError(TokenRefusedError):
    """The request carries no token where one is required."""


class InvalidHeaderError(TokenRefusedError):
    """The header that should carry the token is not of the expected form."""


class BodyTooLargeError(TokenRefusedError):
    """A JSON body that may carry the token is larger than `json_body_max_bytes`."""


class JWTDecodeError(TokenRefusedError):
    """The token is malformed or its signature does not verify."""


class InvalidTokenError(TokenRefusedError):
    """The token is well formed and signed, but a claim is missing, mistyped or not acceptable."""


class ExpiredSignatureError(TokenRefusedError):
    """The token's `exp` has passed."""


class WrongTokenError(TokenRefusedError):
    """A refresh token was sent where an access token is needed, or the other way round."""


class CSRFError(TokenRefusedError):
    """A cookie-borne token came without the matching CSRF value."""


class RevokedTokenError(TokenRefusedError):
    """The token has been revoked."""


class FreshTokenRequiredError(TokenRefusedError):
    """The view needs a fresh access token and this one is not fresh."""


class AccessDeniedError(TokenRefusedError):
    """The token's role is not allowed here."""


class TokenVerificationError(TokenRefusedError):
    """The app's token verification hook did not accept the token (it must return True)."""


class UserNotFoundError(TokenRefusedError):
    """The app's user loader returned None for the token: its user is gone or unknown."""


class RevocationStoreUnavailableError(TokenRefusedError):
    """The revocation store could not answer in time; the token is refused (fail closed)."""


class KeySetUnavailableError(TokenRefusedError):
    """An issuer's keys cannot be fetched (and no recent copy is left); the token is refused."""
