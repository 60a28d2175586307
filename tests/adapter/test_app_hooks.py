"""The app's claims loader and token verification hook."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    InvalidClaimsError,
    Token,
    jwt_required,
    refresh_jwt_required,
)
from tests.support.apps import SECRET, bearer, new_app


def _app(**hooks: Any) -> Sanic[Any, Any]:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        for name, hook in hooks.items():
            getattr(jwt, name)(hook)

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({"claims": token.private_claims})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> HTTPResponse:
        return json({"claims": token.private_claims})

    return app


async def test_additional_claims_go_into_every_token_of_the_app() -> None:
    app = _app(additional_claims_loader=lambda identity: {"tenant": f"t-{identity}", "x": 1})
    named = JWT.for_app(app)
    _, response = await app.asgi_client.get(
        "/me", headers=bearer(named.create_access_token("alice", private_claims={"x": 2}))
    )
    assert response.json == {"claims": {"tenant": "t-alice", "x": 2}}  # the call's own win
    with JWT.for_app(app):
        refresh = JWT.create_refresh_token("bob")
    headers = {"X-Refresh-Token": f"Bearer {refresh}"}
    _, response = await app.asgi_client.post("/refresh", headers=headers)
    assert response.json == {"claims": {"tenant": "t-bob", "x": 1}}
    other = _app()  # another app: no loader, no claims
    token = JWT.for_app(other).create_access_token("alice")
    assert JWT.for_app(other).decode(token).private_claims == {}


@pytest.mark.parametrize("reserved", ["exp", "sub", "jti", "type", "identity", "iat"])
def test_a_reserved_claim_from_the_loader_is_refused(reserved: str) -> None:
    app = _app(additional_claims_loader=lambda identity: {reserved: "x"})
    with pytest.raises(InvalidClaimsError):
        JWT.for_app(app).create_access_token("alice")


def test_the_claims_loader_must_be_plain_and_return_a_mapping() -> None:
    async def claims(identity: Any) -> dict[str, Any]:
        return {}

    with pytest.raises(ConfigurationConflictError, match="must be a plain function"):
        _app(additional_claims_loader=claims)
    app = _app(additional_claims_loader=lambda identity: claims(identity))
    with pytest.raises(ConfigurationConflictError, match="must return a mapping"):
        JWT.for_app(app).create_access_token("alice")


def _verifiers() -> dict[str, Callable[[Token], Any]]:
    async def async_yes(token: Token) -> bool:
        await asyncio.sleep(0)
        return token.identity == "alice"

    async def forgot_await(token: Token) -> Any:
        return async_yes(token)  # a coroutine, truthy: must not pass

    def sync_returns_coroutine(token: Token) -> Any:
        return async_yes(token)  # awaited: its answer counts

    return {
        "sync": lambda token: token.identity == "alice",
        "async": async_yes,
        "sync returning a coroutine": sync_returns_coroutine,
        "forgot await": forgot_await,
        "truthy object": lambda token: "yes",
        "None": lambda token: None,
        "1": lambda token: 1,
    }


ACCEPTS_ALICE = {"sync", "async", "sync returning a coroutine"}


@pytest.mark.parametrize("kind", list(_verifiers()))
async def test_the_verification_hook_accepts_only_on_true(kind: str) -> None:
    app = _app(token_verification_loader=_verifiers()[kind])
    named = JWT.for_app(app)
    for identity in ("alice", "bob"):
        _, response = await app.asgi_client.get(
            "/me", headers=bearer(named.create_access_token(identity))
        )
        if identity == "alice" and kind in ACCEPTS_ALICE:
            assert response.status == 200, (kind, response.text)
            continue
        assert response.status == 401, (kind, identity)
        assert response.json == {"msg": "the token was refused by the app's verification"}
        assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
        assert response.headers["cache-control"] == "no-store"


async def test_the_verification_refusal_has_its_own_handler() -> None:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        jwt.token_verification_loader(lambda token: False)
        jwt.handler.token_verification_failed = lambda request, exc: json({"no": 1}, status=403)

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({})

    _, response = await app.asgi_client.get(
        "/me", headers=bearer(JWT.for_app(app).create_access_token("a"))
    )
    assert (response.status, response.json) == (403, {"no": 1})
