"""docs/current-user.md: accessors anywhere in the request, the user loader and the hooks."""

from __future__ import annotations

from typing import Any

import pytest

from sanic_jwt_extended import JWT
from tests.docs.example_files import load_app
from tests.support.apps import bearer


@pytest.fixture
def app() -> Any:
    return load_app("current_user.py")


def test_the_current_user_and_the_accessors(app: Any) -> None:
    token = JWT.for_app(app).create_access_token("alice")
    _, response = app.test_client.get("/me", headers=bearer(token))
    assert response.status == 200, response.text
    assert response.json == {"name": "Alice", "audit": "alice of acme did GET /me"}
    assert response.headers["x-user"] == "alice"


def test_the_hooks_refuse(app: Any) -> None:
    named = JWT.for_app(app)
    assert named.decode(named.create_access_token("alice")).private_claims == {
        "tenant": "acme",
        "session": "session-of-alice",
    }
    _, response = app.test_client.get("/me", headers=bearer(named.create_access_token("bob")))
    assert response.status == 401  # a closed session: the verification hook says no
    assert response.json == {"msg": "the token was refused by the app's verification"}
    assert "x-user" not in response.headers
    _, response = app.test_client.get("/me", headers=bearer(named.create_access_token("carol")))
    assert response.status == 401  # no such user: the loader returned None
    assert response.json == {"msg": "the token's user was not found"}
