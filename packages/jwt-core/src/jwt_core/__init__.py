"""jwt_core: framework-agnostic JSON Web Tokens: mint, verify and revoke."""

from __future__ import annotations

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
    NoAuthorizationError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    TokenRefusedError,
    TokenVerificationError,
    UserNotFoundError,
    WrongTokenError,
)
from jwt_core.manager import TokenManager, check_role_options
from jwt_core.token import Token

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError",
    "BodyTooLargeError",
    "BlacklistABC",
    "CSRFError",
    "Config",
    "ConfigFrozenError",
    "ConfigurationConflictError",
    "ConfigurationError",
    "ExpiredSignatureError",
    "FreshTokenRequiredError",
    "InMemoryBlacklist",
    "InvalidClaimsError",
    "InvalidHeaderError",
    "InvalidTokenError",
    "JWTDecodeError",
    "JWTExtendedException",
    "NoAuthorizationError",
    "RedisBlacklist",
    "RevocationStoreUnavailableError",
    "RevokedTokenError",
    "SQLiteBlacklist",
    "Token",
    "TokenManager",
    "TokenRefusedError",
    "TokenVerificationError",
    "UserNotFoundError",
    "WrongTokenError",
    "check_role_options",
]
