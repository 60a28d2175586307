"""docs/protecting-views.md: protect(), per-route locations, verify_jwt_in_request."""

from __future__ import annotations

from typing import Any

import pytest

from sanic_jwt_extended import JWT
from tests.docs.example_files import load_app
from tests.support.apps import bearer


@pytest.fixture
def app() -> Any:
    return load_app("guarding.py")


def test_a_protected_blueprint_and_its_exemptions(app: Any) -> None:
    _, response = app.test_client.get("/api/orders")
    assert response.status == 401
    token = JWT.for_app(app).create_access_token("alice")
    _, response = app.test_client.get("/api/orders", headers=bearer(token))
    assert response.json == {"orders_of": "alice"}
    for path in ("/api/health", "/api/version"):
        _, response = app.test_client.get(path)
        assert response.status == 200, path


def test_a_route_with_its_own_locations(app: Any) -> None:
    named = JWT.for_app(app)
    token = named.create_access_token("alice")
    _, response = app.test_client.post("/cookie-session", headers=bearer(token))
    assert response.status == 401
    _, response = app.test_client.post(
        "/cookie-session",
        cookies={"access_token_cookie": token},
        headers={"X-CSRF-Token": named.decode(token).csrf or ""},
    )
    assert response.json == {"identity": "alice"}


def test_verifying_in_middleware_and_an_own_decorator(app: Any) -> None:
    named = JWT.for_app(app)
    _, response = app.test_client.get("/hello")
    assert response.json == {"hello": "stranger"}
    _, response = app.test_client.get("/hello", headers=bearer(named.create_access_token("bo")))
    assert response.json == {"hello": "bo"}
    stale_admin = named.create_access_token("root", "ADMIN")
    _, response = app.test_client.delete("/users/eve", headers=bearer(stale_admin))
    assert response.status == 401
    fresh_user = named.create_access_token("joe", "USER", True)
    _, response = app.test_client.delete("/users/eve", headers=bearer(fresh_user))
    assert response.status == 403
    fresh_admin = named.create_access_token("root", "ADMIN", True)
    _, response = app.test_client.delete("/users/eve", headers=bearer(fresh_admin))
    assert response.json == {"deleted": "eve", "by": "root"}
