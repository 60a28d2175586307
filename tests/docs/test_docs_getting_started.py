"""The getting-started app: log in, call the protected route, and be refused without a token."""

from __future__ import annotations

from tests.docs.example_files import load_app
from tests.support.apps import bearer


def test_login_then_protected_route() -> None:
    app = load_app("first_app.py")
    _, response = app.test_client.post("/login", json={"username": "alice"})
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"  # it carries a token
    access = response.json["access_token"]

    _, response = app.test_client.get("/me", headers=bearer(access))
    assert response.status == 200
    assert response.json == {"identity": "alice"}


def test_protected_route_refuses_a_request_without_token() -> None:
    app = load_app("first_app.py")
    _, response = app.test_client.get("/me")
    assert response.status == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "missing access token" in response.json["msg"]


def test_protected_route_refuses_a_forged_token() -> None:
    app = load_app("first_app.py")
    _, response = app.test_client.post("/login", json={"username": "alice"})
    header, payload, _ = response.json["access_token"].split(".")
    _, response = app.test_client.get("/me", headers=bearer(f"{header}.{payload}.AAAA"))
    assert response.status == 422
