"""jwt_core: framework-agnostic JSON Web Tokens: mint, verify and revoke."""

from __future__ import annotations

from typing import Any

from jwt_core.blacklist import BlacklistABC, InMemoryBlacklist, RedisBlacklist, SQLiteBlacklist
from jwt_core.config import Config
from jwt_core.errors import (
    AccessDeniedError,
    BodyTooLargeError,
    ConfigFrozenError,
    ConfigurationConflictError,
    ConfigurationError,
    CSRFError,
    ExpiredSignatureError,
    FreshTokenRequiredError,
    InvalidClaimsError,
    InvalidHeaderError,
    InvalidTokenError,
    JWTDecodeError,
    JWTExtendedException,
    KeySetUnavailableError,
    NoAuthorizationError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    TokenRefusedError,
    TokenVerificationError,
    UserNotFoundError,
    WrongTokenError,
)
from jwt_core.manager import TokenManager
from jwt_core.policy import CsrfProof, Policy
from jwt_core.sessions import TokenPair
from jwt_core.token import Token

__version__ = "2.0.0"

__all__ = [
    "AccessDeniedError",
    "BlacklistABC",
    "BodyTooLargeError",
    "CSRFError",
    "Config",
    "ConfigFrozenError",
    "ConfigurationConflictError",
    "ConfigurationError",
    "CsrfProof",
    "ExpiredSignatureError",
    "FreshTokenRequiredError",
    "InMemoryBlacklist",
    "InvalidClaimsError",
    "InvalidHeaderError",
    "InvalidTokenError",
    "JWTDecodeError",
    "JWTExtendedException",
    "KeySetUnavailableError",
    "NoAuthorizationError",
    "Policy",
    "RedisBlacklist",
    "RevocationStoreUnavailableError",
    "RevokedTokenError",
    "SQLiteBlacklist",
    "Token",
    "TokenManager",
    "TokenPair",
    "TokenRefusedError",
    "TokenVerificationError",
    "UserNotFoundError",
    "WrongTokenError",
]


def __getattr__(name: str) -> Any:
    if name == "check_role_options":  # public until the Policy object took its job
        from jwt_core import policy

        return policy.check_role_options
    raise AttributeError(f"module 'jwt_core' has no attribute {name!r}")
