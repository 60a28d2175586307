"""1.0-dev path of the exceptions: import them from `sanic_jwt_extended`."""

from __future__ import annotations

from jwt_core import (
    AccessDeniedError,
    ConfigurationConflictError,
    CSRFError,
    FreshTokenRequiredError,
    InvalidHeaderError,
    JWTDecodeError,
    JWTExtendedException,
    NoAuthorizationError,
    RevokedTokenError,
    WrongTokenError,
)
from sanic_jwt_extended._moved import warn_moved

__all__ = [
    "AccessDeniedError",
    "CSRFError",
    "ConfigurationConflictError",
    "FreshTokenRequiredError",
    "InvalidHeaderError",
    "JWTDecodeError",
    "JWTExtendedException",
    "NoAuthorizationError",
    "RevokedTokenError",
    "WrongTokenError",
]

warn_moved(__name__, __all__)
