"""sanic_jwt_extended: JSON Web Tokens for Sanic, a thin layer over `jwt_core`.

```python
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "..."

@app.get("/protected")
@jwt_required
async def protected(request, token: Token): ...
```
"""

from __future__ import annotations

from jwt_core import (
    AccessDeniedError,
    BlacklistABC,
    BodyTooLargeError,
    Config,
    ConfigFrozenError,
    ConfigurationConflictError,
    ConfigurationError,
    CSRFError,
    ExpiredSignatureError,
    FreshTokenRequiredError,
    InMemoryBlacklist,
    InvalidClaimsError,
    InvalidHeaderError,
    InvalidTokenError,
    JWTDecodeError,
    JWTExtendedException,
    KeySetUnavailableError,
    NoAuthorizationError,
    RedisBlacklist,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    SQLiteBlacklist,
    Token,
    TokenManager,
    TokenPair,
    TokenRefusedError,
    TokenVerificationError,
    UserNotFoundError,
    WrongTokenError,
)
from sanic_jwt_extended._state import JWTState
from sanic_jwt_extended.context import (
    get_current_user,
    get_jwt,
    get_jwt_header,
    get_jwt_identity,
    get_token,
)
from sanic_jwt_extended.cookies import (
    set_access_cookies,
    set_refresh_cookies,
    unset_access_cookies,
    unset_jwt_cookies,
    unset_refresh_cookies,
)
from sanic_jwt_extended.decorators import (
    jwt_optional,
    jwt_required,
    refresh_jwt_required,
    verify_jwt_in_request,
)
from sanic_jwt_extended.facade import JWT, AppJWT
from sanic_jwt_extended.handlers import Handler
from sanic_jwt_extended.http_config import HttpConfig
from sanic_jwt_extended.jwks import JWKS_URI, add_jwks_route
from sanic_jwt_extended.protect import jwt_exempt, protect
from sanic_jwt_extended.sanic_ext import token_dependency

__version__ = "2.0.0"

__all__ = [
    "JWKS_URI",
    "JWT",
    "AccessDeniedError",
    "AppJWT",
    "BlacklistABC",
    "BodyTooLargeError",
    "CSRFError",
    "Config",
    "ConfigFrozenError",
    "ConfigurationConflictError",
    "ConfigurationError",
    "ExpiredSignatureError",
    "FreshTokenRequiredError",
    "Handler",
    "HttpConfig",
    "InMemoryBlacklist",
    "InvalidClaimsError",
    "InvalidHeaderError",
    "InvalidTokenError",
    "JWTDecodeError",
    "JWTExtendedException",
    "JWTState",
    "KeySetUnavailableError",
    "NoAuthorizationError",
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
    "add_jwks_route",
    "get_current_user",
    "get_jwt",
    "get_jwt_header",
    "get_jwt_identity",
    "get_token",
    "jwt_exempt",
    "jwt_optional",
    "jwt_required",
    "protect",
    "refresh_jwt_required",
    "set_access_cookies",
    "set_refresh_cookies",
    "token_dependency",
    "unset_access_cookies",
    "unset_jwt_cookies",
    "unset_refresh_cookies",
    "verify_jwt_in_request",
]
