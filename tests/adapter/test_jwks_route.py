"""The opt-in JWKS route publishes the public keys, cacheably, and nothing secret."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sanic import HTTPResponse, Request, Sanic
from sanic.response import text

from sanic_jwt_extended import JWKS_URI, JWT, add_jwks_route
from tests.support.apps import SECRET, new_app


def _pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _es256_app(**route: Any) -> Sanic[Any, Any]:
    app = new_app("jwks")
    with JWT.initialize(app) as manager:
        manager.config.algorithm = "ES256"
        manager.config.private_key = _pem()
        manager.config.key_id = "es-1"
    add_jwks_route(app, **route)
    return app


def test_the_route_serves_the_public_key_set_with_caching_headers() -> None:
    app = _es256_app()
    _, response = app.test_client.get(JWKS_URI)
    assert response.status == 200
    assert response.headers["content-type"] == "application/jwk-set+json"
    assert response.headers["cache-control"] == "public, max-age=300"
    (key,) = response.json["keys"]
    assert (key["kid"], key["alg"], key["use"], key["kty"]) == ("es-1", "ES256", "sig", "EC")
    assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & set(key)


def test_a_matching_etag_gets_304() -> None:
    app = _es256_app(max_age=60)
    _, first = app.test_client.get(JWKS_URI)
    etag = first.headers["etag"]
    _, again = app.test_client.get(JWKS_URI, headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.headers["cache-control"] == "public, max-age=60"


def test_an_hmac_app_publishes_no_key_material() -> None:
    app = new_app("jwks-hmac")
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
    add_jwks_route(app, "/keys")
    _, response = app.test_client.get("/keys")
    assert response.status == 200
    assert response.json == {"keys": []}
    assert SECRET not in response.text


async def home(request: Request) -> HTTPResponse:
    return text("home")


def test_the_route_is_opt_in() -> None:
    app = new_app("jwks-none")
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
    # An app with routes of its own: Sanic answers 500 when an app has no route at all (the
    # OpenAPI routes sanic-ext adds used to hide that), which would test Sanic, not the opt-in.
    app.get("/")(home)
    _, response = app.test_client.get(JWKS_URI)
    assert response.status == 404


def test_a_negative_max_age_is_refused() -> None:
    with pytest.raises(ValueError, match="max_age"):
        add_jwks_route(new_app("jwks-bad"), max_age=-1)
