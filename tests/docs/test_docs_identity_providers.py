"""docs/identity-providers.md: the Keycloak/Auth0 example runs against loopback providers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import jwt as pyjwt
import pytest

from tests.docs.example_files import load_app
from tests.remote.jwks_provider import JWKSProvider, SigningKey, new_key
from tests.support.apps import bearer


@pytest.fixture
async def providers() -> AsyncIterator[tuple[JWKSProvider, JWKSProvider]]:
    keycloak = JWKSProvider(keys=[new_key("RS256", "kc-1")])
    auth0 = JWKSProvider(keys=[new_key("RS256", "a0-1")])
    for provider in (keycloak, auth0):
        await provider.start()
    auth0.issuer = auth0.url + "/"  # Auth0's issuer ends with a slash
    yield keycloak, auth0
    for provider in (keycloak, auth0):
        await provider.stop()


def token(key: SigningKey, **claims: Any) -> str:
    now = int(time.time())
    typ = claims.pop("typ", "JWT")
    body = {"sub": "user-7", "iat": now, "exp": now + 300, **claims}
    return pyjwt.encode(body, key.private, algorithm=key.alg, headers={"kid": key.kid, "typ": typ})


async def test_the_identity_providers_example(
    providers: tuple[JWKSProvider, JWKSProvider],
) -> None:
    keycloak, auth0 = providers
    app = load_app(
        "identity_providers.py", KEYCLOAK_ISSUER=keycloak.url, AUTH0_ISSUER=auth0.issuer or ""
    )
    kc = token(
        keycloak.keys[0],
        iss=keycloak.url,
        aud=["orders-api", "account"],
        scope="openid orders:read",
        realm_access={"roles": ["admin"]},
    )
    _, response = await app.asgi_client.get("/orders", headers=bearer(kc))
    assert response.json == {"user": "user-7", "issuer": keycloak.url, "roles": ["admin"]}
    _, response = await app.asgi_client.delete("/orders/7", headers=bearer(kc))
    assert response.json == {"cancelled": 7, "by": "user-7"}

    a0 = {
        "iss": auth0.issuer,
        "aud": "https://orders.acme.example",
        "scope": "orders:read",
        "client_id": "web",
        "jti": "j-1",
        "https://orders.acme.example/roles": ["clerk"],
    }
    _, response = await app.asgi_client.get(
        "/orders", headers=bearer(token(auth0.keys[0], typ="at+jwt", **a0))
    )
    assert response.json["roles"] == ["clerk"]
    _, response = await app.asgi_client.delete(
        "/orders/7", headers=bearer(token(auth0.keys[0], typ="at+jwt", **a0))
    )
    assert response.status == 403
    _, response = await app.asgi_client.get(
        "/orders",
        headers=bearer(token(auth0.keys[0], **a0)),  # not typ at+jwt
    )
    assert response.status == 422

    own = app.ctx.jwt.manager.create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers=bearer(own))
    assert response.json == {"sub": "alice"}

    _, response = await app.asgi_client.get("/health/keys")
    health = response.json
    assert {iss: h["keys"] for iss, h in health.items()} == {keycloak.url: 1, auth0.issuer: 1}
    assert keycloak.fetches == 1
    assert auth0.fetches == 1


def test_the_issuer_and_key_set_tables_match_the_code() -> None:
    import dataclasses
    import inspect

    from jwt_core.remote import Issuer, RemoteKeySet

    from .example_files import DOCS
    from .markdown_tables import code, rows_of

    page = DOCS / "configuration.md"
    missing = dataclasses.MISSING
    fields = {f.name: f.default for f in dataclasses.fields(Issuer) if f.default is not missing}
    rows = rows_of(page, ["`Issuer` field", "default", "what it does"])
    assert [code(name) for name, _, _ in rows] == [f.name for f in dataclasses.fields(Issuer)]
    for name, default, _ in rows:
        if code(name) in fields:
            assert eval(code(default)) == fields[code(name)], name
    options = inspect.signature(RemoteKeySet).parameters
    rows = rows_of(page, ["`key_set` option", "default", "what it does"])
    from jwt_core.remote._issuers import _KEY_SET_OPTIONS

    assert {code(name) for name, _, _ in rows} == _KEY_SET_OPTIONS
    for name, default, _ in rows:
        assert eval(code(default)) == options[code(name)].default, name
