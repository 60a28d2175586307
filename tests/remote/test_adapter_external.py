"""Routes of a real Sanic app that accept provider tokens: JSON refusals, challenges, 503."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.response import json

from jwt_core import Token
from jwt_core.remote import ExternalToken, Issuer, TrustedIssuers
from sanic_jwt_extended import JWT
from sanic_jwt_extended.external import external_jwt_required, trust_issuers
from tests.remote.conftest import AUDIENCE, claims, sign
from tests.remote.jwks_provider import JWKSProvider
from tests.support.clock import ManualClock

SECRET = "remote-adapter-tests-secret-of-at-least-32-bytes"
_count = 0


@pytest.fixture
async def app(provider: JWKSProvider, clock: ManualClock) -> AsyncIterator[Sanic[Any, Any]]:
    global _count
    _count += 1
    Sanic.test_mode = True
    app: Sanic[Any, Any] = Sanic(f"remote-{_count}")
    app.config.TOUCHUP = False
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
    issuer = Issuer(
        provider.url,
        audiences=[AUDIENCE],
        jwks_uri=provider.jwks_uri,
        roles_claim="realm_access.roles",
        key_set={"retry_interval": 10},
    )
    issuers = TrustedIssuers([issuer], clock=clock)
    trust_issuers(app, issuers)

    @app.get("/orders")
    @external_jwt_required(scopes=["orders:read"])
    async def orders(request: Request, token: ExternalToken) -> Any:
        return json({"sub": token.sub, "iss": token.iss, "roles": list(token.roles)})

    @app.get("/admin")
    @external_jwt_required(roles=["admin"])
    async def admin(request: Request, token: ExternalToken) -> Any:
        return json({"ok": True})

    @app.get("/both")
    @external_jwt_required(also_own=True)
    async def both(request: Request, token: ExternalToken | Token) -> Any:
        return json({"kind": type(token).__name__, "sub": token.sub})

    yield app
    await issuers.aclose()


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


async def test_a_provider_token_reaches_the_view(
    app: Sanic[Any, Any], provider: JWKSProvider, clock: ManualClock
) -> None:
    raw = sign(provider.keys[0], claims(provider.url, clock.now, scope="orders:read"))
    _, response = await app.asgi_client.get("/orders", headers=bearer(raw))
    assert response.status == 200, response.text
    assert response.json == {"sub": "user-1", "iss": provider.url, "roles": []}


async def test_refusals_keep_the_json_and_challenge_conventions(
    app: Sanic[Any, Any], provider: JWKSProvider, clock: ManualClock
) -> None:
    key = provider.keys[0]
    cases = [
        ({}, "/orders", 401, "Bearer"),
        (bearer("junk"), "/orders", 422, None),
        (bearer(sign(key, claims(provider.url, clock.now))), "/orders", 403, "insufficient_scope"),
        (
            bearer(sign(key, claims(provider.url, clock.now, exp=int(clock.now) - 1))),
            "/orders",
            401,
            "invalid_token",
        ),
        (
            bearer(sign(key, claims(provider.url, clock.now, realm_access={"roles": ["user"]}))),
            "/admin",
            403,
            "insufficient_scope",
        ),
        (bearer(sign(key, claims("https://evil.example", clock.now))), "/orders", 422, None),
    ]
    for headers, path, status, challenge in cases:
        _, response = await app.asgi_client.get(path, headers=headers)
        assert response.status == status, (path, response.text)
        assert set(response.json) == {"msg"}
        seen = response.headers.get("www-authenticate")
        if challenge is None:
            assert seen is None
        else:
            assert seen is not None
            assert seen.startswith("Bearer")
            assert challenge in seen


async def test_keys_unavailable_is_a_503(
    app: Sanic[Any, Any], provider: JWKSProvider, clock: ManualClock
) -> None:
    await provider.stop()
    raw = sign(provider.keys[0], claims(provider.url, clock.now, scope="orders:read"))
    _, response = await app.asgi_client.get("/orders", headers=bearer(raw))
    assert response.status == 503
    assert response.headers["retry-after"] == "1"
    assert "keys" in response.json["msg"]


async def test_own_and_external_tokens_on_one_route(
    app: Sanic[Any, Any], provider: JWKSProvider, clock: ManualClock
) -> None:
    own = app.ctx.jwt.manager.create_access_token("alice")
    _, response = await app.asgi_client.get("/both", headers=bearer(own))
    assert response.json == {"kind": "Token", "sub": "alice"}
    external = sign(provider.keys[0], claims(provider.url, clock.now))
    _, response = await app.asgi_client.get("/both", headers=bearer(external))
    assert response.json == {"kind": "ExternalToken", "sub": "user-1"}
    # an own token is not accepted where only provider tokens are
    _, response = await app.asgi_client.get("/orders", headers=bearer(own))
    assert response.status == 422
    assert provider.fetches == 1
