"""docs/refresh-tokens.md: refresh with rotation, fresh tokens for sensitive routes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.docs.example_files import load_app
from tests.support.apps import bearer


@pytest.fixture
def app() -> Any:
    return load_app("refresh_tokens.py")


def refresh_header(token: str) -> dict[str, str]:
    return {"X-Refresh-Token": f"Bearer {token}"}


def test_wrong_password_gets_no_tokens(app: Any) -> None:
    _, response = app.test_client.post("/login", json={"password": "guess"})
    assert response.status == 401


def test_refresh_rotation_and_freshness(app: Any) -> None:
    _, response = app.test_client.post("/login", json={"password": "wonderland"})
    assert response.headers["cache-control"] == "no-store"  # token responses are not cached
    first = response.json
    _, response = app.test_client.post("/settings/email", headers=bearer(first["access_token"]))
    assert response.status == 200

    _, response = app.test_client.post("/refresh", headers=refresh_header(first["refresh_token"]))
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    second = response.json

    # a refreshed access token is valid but not fresh
    _, response = app.test_client.post("/settings/email", headers=bearer(second["access_token"]))
    assert response.status == 401
    assert response.json == {"msg": "a fresh token is required"}

    # the used refresh token was revoked; the new one works once
    _, response = app.test_client.post("/refresh", headers=refresh_header(first["refresh_token"]))
    assert response.status == 401
    assert response.json == {"msg": "the token has been revoked"}
    _, response = app.test_client.post("/refresh", headers=refresh_header(second["refresh_token"]))
    assert response.status == 200

    # asking for the password again gives a fresh token
    _, response = app.test_client.post("/fresh-login", json={"password": "wonderland"})
    _, response = app.test_client.post(
        "/settings/email", headers=bearer(response.json["access_token"])
    )
    assert response.json == {"msg": "e-mail changed for alice"}


def test_token_types_are_not_interchangeable(app: Any) -> None:
    _, response = app.test_client.post("/login", json={"password": "wonderland"})
    tokens = response.json
    _, response = app.test_client.post("/refresh", headers=refresh_header(tokens["access_token"]))
    assert response.status == 422
    _, response = app.test_client.post("/refresh", headers=bearer(tokens["refresh_token"]))
    assert response.status == 401  # the refresh token is looked for in X-Refresh-Token
    _, response = app.test_client.post("/settings/email", headers=bearer(tokens["refresh_token"]))
    assert response.status == 422
