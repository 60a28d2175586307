"""The exceptions of jwt_core: every refusal the library makes is one of these."""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "BodyTooLargeError",
    "CSRFError",
    "ConfigurationConflictError",
    "ExpiredSignatureError",
    "FreshTokenRequiredError",
    "InvalidClaimsError",
    "InvalidHeaderError",
    "InvalidTokenError",
    "JWTDecodeError",
    "JWTExtendedException",
    "NoAuthorizationError",
    "RevocationStoreUnavailableError",
    "RevokedTokenError",
    "WrongTokenError",
]


class JWTExtendedException(Exception):
    """Base class of every exception this library raises on purpose."""


class ConfigurationConflictError(JWTExtendedException):
    """The configuration, or a use of it, cannot work: raised at startup or at the call site."""


class InvalidClaimsError(JWTExtendedException, ValueError):
    """Claims given to a create_* call cannot be put into a token (reserved name, not JSON)."""


class NoAuthorizationError(JWTExtendedException):
    """The request carries no token where one is required."""


class InvalidHeaderError(JWTExtendedException):
    """The header that should carry the token is not of the expected form."""


class BodyTooLargeError(JWTExtendedException):
    """A JSON body that may carry the token is larger than `json_body_max_bytes`."""


class JWTDecodeError(JWTExtendedException):
    """The token is malformed or its signature does not verify."""


class InvalidTokenError(JWTExtendedException):
    """The token is well formed and signed, but a claim is missing, mistyped or not acceptable."""


class ExpiredSignatureError(JWTExtendedException):
    """The token's `exp` has passed."""


class WrongTokenError(JWTExtendedException):
    """A refresh token was sent where an access token is needed, or the other way round."""


class CSRFError(JWTExtendedException):
    """A cookie-borne token came without the matching CSRF value."""


class RevokedTokenError(JWTExtendedException):
    """The token has been revoked."""


class FreshTokenRequiredError(JWTExtendedException):
    """The view needs a fresh access token and this one is not fresh."""


class AccessDeniedError(JWTExtendedException):
    """The token's role is not allowed here."""


class RevocationStoreUnavailableError(JWTExtendedException):
    """The revocation store could not answer in time; the token is refused (fail closed)."""
