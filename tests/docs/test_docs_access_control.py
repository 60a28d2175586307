"""docs/access-control.md: allow and deny lists, and the startup errors for misuse."""

from __future__ import annotations

from typing import Any

import pytest

from tests.docs.example_files import expected_output, load_app, run_example
from tests.support.apps import bearer


@pytest.fixture
def app() -> Any:
    return load_app("access_control.py")


def token_of(app: Any, name: str) -> str:
    _, response = app.test_client.post(f"/login/{name}")
    return str(response.json["access_token"])


@pytest.mark.parametrize(
    ("name", "path", "status"),
    [
        ("alice", "/admin", 200),
        ("bob", "/admin", 403),
        ("alice", "/reports", 200),
        ("bob", "/reports", 200),
        ("carol", "/reports", 403),
        ("carol", "/shop", 200),
        ("mallory", "/shop", 403),
    ],
)
def test_roles_decide_access(app: Any, name: str, path: str, status: int) -> None:
    _, response = app.test_client.get(path, headers=bearer(token_of(app, name)))
    assert response.status == status
    if status == 403:
        assert response.headers["www-authenticate"].startswith('Bearer error="insufficient_scope"')


def test_a_token_without_role_is_not_allowed(app: Any) -> None:
    roleless = app.ctx.jwt.manager.create_access_token("dave")
    _, response = app.test_client.get("/reports", headers=bearer(roleless))
    assert response.status == 403
    _, response = app.test_client.get("/shop", headers=bearer(roleless))
    assert response.status == 200  # deny lists let everyone else in


def test_misuse_is_refused_at_startup() -> None:
    _, printed = run_example("access_control_errors.py")
    assert printed == expected_output("access_control_errors.py")
