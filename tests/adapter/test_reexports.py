"""sanic_jwt_extended re-exports the core's classes, so either import works in `except` clauses."""

from __future__ import annotations

import pytest

import jwt_core
import jwt_core.blacklist
import sanic_jwt_extended

CORE_NAMES = [
    "Config",
    "TokenManager",
    "Token",
    "BlacklistABC",
    "InMemoryBlacklist",
    "JWTExtendedException",
    "ConfigurationError",
    "ConfigurationConflictError",
    "InvalidClaimsError",
    "TokenRefusedError",
    "NoAuthorizationError",
    "InvalidHeaderError",
    "JWTDecodeError",
    "InvalidTokenError",
    "ExpiredSignatureError",
    "WrongTokenError",
    "CSRFError",
    "RevokedTokenError",
    "FreshTokenRequiredError",
    "AccessDeniedError",
    "RevocationStoreUnavailableError",
]


@pytest.mark.parametrize("name", CORE_NAMES)
def test_core_names_are_the_same_objects(name: str) -> None:
    assert getattr(sanic_jwt_extended, name) is getattr(jwt_core, name)
    assert name in sanic_jwt_extended.__all__


@pytest.mark.parametrize("name", ["SQLiteBlacklist", "RedisBlacklist"])
def test_shared_stores_are_re_exported_when_the_core_has_them(name: str) -> None:
    store = getattr(jwt_core.blacklist, name, None)
    assert getattr(sanic_jwt_extended, name, None) is store
    assert (name in sanic_jwt_extended.__all__) == (store is not None)


def test_adapter_api() -> None:
    for name in [
        "JWT",
        "jwt_required",
        "jwt_optional",
        "refresh_jwt_required",
        "set_access_cookies",
        "set_refresh_cookies",
        "unset_jwt_cookies",
        "unset_access_cookies",
        "unset_refresh_cookies",
        "Handler",
    ]:
        assert name in sanic_jwt_extended.__all__
        assert getattr(sanic_jwt_extended, name) is not None
