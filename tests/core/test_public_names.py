"""The names API.md section 8 fixes are importable from `jwt_core` itself."""

from __future__ import annotations

import jwt_core

NAMES = [
    "Config",
    "TokenManager",
    "Token",
    "BlacklistABC",
    "InMemoryBlacklist",
    "SQLiteBlacklist",
    "RedisBlacklist",
    "JWTExtendedException",
    "JWTDecodeError",
    "InvalidHeaderError",
    "NoAuthorizationError",
    "WrongTokenError",
    "RevokedTokenError",
    "FreshTokenRequiredError",
    "AccessDeniedError",
    "ConfigurationConflictError",
    "CSRFError",
    "ExpiredSignatureError",
    "InvalidTokenError",
]


def test_every_contract_name_is_exported() -> None:
    missing = [name for name in NAMES if name not in jwt_core.__all__]
    assert missing == []
    for name in NAMES:
        assert getattr(jwt_core, name).__name__ == name
