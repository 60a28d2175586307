"""Each refusal's default response: status, JSON body, and the RFC 6750 challenge on 401/403."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from sanic import Request, Sanic
from sanic.response import json

from jwt_core import BlacklistABC
from sanic_jwt_extended import (
    JWT,
    Config,
    Token,
    TokenManager,
    jwt_required,
    refresh_jwt_required,
)
from tests.support.apps import SECRET, bearer, manager_of


def _routes(app: Sanic[Any, Any]) -> None:
    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json({"identity": token.identity})

    @app.get("/fresh")
    @jwt_required(fresh_required=True)
    async def fresh(request: Request, token: Token) -> object:
        return json({"identity": token.identity})

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> object:
        return json({"identity": token.identity})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> object:
        return json({"identity": token.identity})


async def _get(app: Sanic[Any, Any], path: str, **kwargs: Any) -> Any:
    _, response = await app.asgi_client.get(path, **kwargs)
    return response


async def test_no_authorization_401_bare_challenge(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(use_acl=True)
    _routes(app)
    response = await _get(app, "/me")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"  # no credentials: no error code
    assert response.json == {
        "msg": "missing access token: none found in the Authorization header ('Bearer <token>')"
    }


async def test_expired_signature_401_invalid_token(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(use_acl=True)
    _routes(app)
    an_hour_ago = TokenManager(Config(secret_key=SECRET), clock=lambda: time.time() - 3600)
    response = await _get(app, "/me", headers=bearer(an_hour_ago.create_access_token("alice")))
    assert response.status == 401
    assert response.json == {"msg": "the token has expired"}
    assert response.headers["WWW-Authenticate"] == (
        'Bearer error="invalid_token", error_description="the token has expired"'
    )


async def test_invalid_header_422(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True)
    _routes(app)
    response = await _get(app, "/me", headers={"Authorization": "Bearer"})
    assert response.status == 422
    assert "expected 'Authorization: Bearer <token>'" in response.json["msg"]
    assert "WWW-Authenticate" not in response.headers


async def test_invalid_token_422(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True)
    _routes(app)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    token = manager_of(app).create_access_token("alice", nbf=later)
    response = await _get(app, "/me", headers=bearer(token))
    assert response.status == 422
    assert response.json == {"msg": "the token is not valid yet (nbf is in the future)"}


async def test_jwt_decode_error_422(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True)
    _routes(app)
    other = TokenManager(Config(secret_key="another-secret-of-at-least-32-bytes!!"))
    response = await _get(app, "/me", headers=bearer(other.create_access_token("alice")))
    assert response.status == 422
    assert response.json == {"msg": "the token's signature does not verify"}
    response = await _get(app, "/me", headers=bearer("a.b"))
    assert response.status == 422
    assert "compact form" in response.json["msg"]


async def test_wrong_token_422(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True)
    _routes(app)
    response = await _get(
        app, "/me", headers=bearer(JWT.for_app(app).create_refresh_token("alice"))
    )
    assert response.status == 422
    assert response.json == {"msg": "only access tokens are accepted here"}
    _, response = await app.asgi_client.post(
        "/refresh",
        headers={"X-Refresh-Token": f"Bearer {JWT.for_app(app).create_access_token('alice')}"},
    )
    assert response.status == 422
    assert response.json == {"msg": "only refresh tokens are accepted here"}


async def test_revoked_token_401_invalid_token(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True, use_blacklist=True)
    _routes(app)
    token = JWT.for_app(app).create_access_token("alice")
    await JWT.for_app(app).revoke(manager_of(app).decode(token))
    response = await _get(app, "/me", headers=bearer(token))
    assert response.status == 401
    assert response.json == {"msg": "the token has been revoked"}
    assert response.headers["WWW-Authenticate"] == (
        'Bearer error="invalid_token", error_description="the token has been revoked"'
    )


async def test_fresh_token_required_401(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True)
    _routes(app)
    response = await _get(
        app, "/fresh", headers=bearer(JWT.for_app(app).create_access_token("alice"))
    )
    assert response.status == 401
    assert response.json == {"msg": "a fresh token is required"}
    assert response.headers["WWW-Authenticate"].startswith(
        'Bearer error="insufficient_user_authentication"'
    )


async def test_access_denied_403_insufficient_scope(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(use_acl=True)
    _routes(app)
    response = await _get(
        app, "/admin", headers=bearer(JWT.for_app(app).create_access_token("bob", "USER"))
    )
    assert response.status == 403
    assert response.json == {"msg": "this role is not allowed here"}
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="insufficient_scope"')


async def test_csrf_error_401(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True, token_location=("cookies",))
    _routes(app)
    _, response = await app.asgi_client.post(
        "/refresh",
        headers={"Cookie": f"refresh_token_cookie={JWT.for_app(app).create_refresh_token('a')}"},
    )
    assert response.status == 401
    assert response.json == {"msg": "the CSRF value is missing"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


class _UnreachableStore(BlacklistABC):
    """A revocation store whose backend is down: every call fails like a refused connection."""

    async def register(self, token: Token) -> None:
        raise ConnectionRefusedError("store down")

    async def register_identity(
        self, subject: str, revoked_before: datetime, expires_at: datetime | None
    ) -> None:
        raise ConnectionRefusedError("store down")

    async def is_blacklisted(self, token: Token) -> bool:
        raise ConnectionRefusedError("store down")


async def test_revocation_store_unavailable_503(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(use_acl=True, use_blacklist=True, blacklist_class=_UnreachableStore)
    _routes(app)
    response = await _get(app, "/me", headers=bearer(JWT.for_app(app).create_access_token("alice")))
    assert response.status == 503
    assert response.json == {"msg": "the revocation store is unavailable; try again shortly"}
    assert response.headers["Retry-After"] == "1"


async def test_error_msg_key_is_configurable(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(use_acl=True, error_msg_key="error")
    _routes(app)
    response = await _get(app, "/me")
    assert response.status == 401
    assert set(response.json) == {"error"}
