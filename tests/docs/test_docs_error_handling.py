"""docs/error-handling.md: every handler with its status, and replacing handlers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt_core.errors
from sanic_jwt_extended.handlers import HANDLED
from tests.docs.example_files import DOCS, EXAMPLES, load_app
from tests.docs.markdown_tables import code, rows_of
from tests.support.apps import bearer

PAGE = DOCS / "error-handling.md"


def challenge_cell(challenge: str | None) -> str:
    if challenge is None:
        return "none"
    if not challenge:
        return "`Bearer`"
    return f'`Bearer error="{challenge}"`'


def test_handler_table_matches_the_registered_handlers() -> None:
    rows = rows_of(PAGE, ["handler", "exception", "status", "WWW-Authenticate"])
    documented = {
        code(name): (code(exc), int(status), header) for name, exc, status, header in rows
    }
    assert len(documented) == len(rows)
    registered = {
        name: (refusal.exception.__name__, refusal.status, challenge_cell(refusal.challenge))
        for name, refusal in HANDLED.items()
    }
    assert documented == registered


def test_exception_table_lists_every_library_exception() -> None:
    rows = rows_of(PAGE, ["exception", "raised when"])
    assert {code(name) for name, _ in rows} == set(jwt_core.errors.__all__)


def test_replaced_handlers_and_the_message_key() -> None:
    app = load_app("error_handling.py")
    _, response = app.test_client.get("/me")
    assert response.status == 401
    assert response.json["error"]["code"] == "login_required"
    assert "missing access token" in response.json["error"]["detail"]

    expired = app.ctx.jwt.manager.create_access_token("alice", expires_delta=timedelta(seconds=-5))
    _, response = app.test_client.get("/me", headers=bearer(expired))
    assert response.status == 401
    assert response.json == {"error": {"code": "token_expired", "action": "POST /refresh"}}
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'

    _, response = app.test_client.get("/me", headers=bearer("a.b.c"))
    assert response.status == 422  # a handler left alone: the default body, under "error"
    assert set(response.json) == {"error"}


def test_default_bodies_statuses_and_headers() -> None:
    app: Any = load_app("first_app.py")
    manager = app.ctx.jwt.manager
    expired = manager.create_access_token("alice", expires_delta=timedelta(seconds=-5))
    _, response = app.test_client.get("/me", headers=bearer(expired))
    assert response.status == 401
    assert response.json == {"msg": "the token has expired"}
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')

    _, response = app.test_client.get("/me", headers={"Authorization": "Bearer"})
    assert response.status == 422
    assert "www-authenticate" not in response.headers


def test_exception_tree_is_the_class_hierarchy() -> None:
    lines = (EXAMPLES / "error_tree.txt").read_text(encoding="utf-8").splitlines()
    parents: list[type] = []
    shown = []
    for line in lines:
        name = line.lstrip("│├└─ ").split()[0]
        depth = (len(line) - len(line.lstrip("│├└─ "))) // 4
        error = getattr(jwt_core.errors, name)
        parents[depth:] = [error]
        if depth:
            assert error.__bases__[0] is parents[depth - 1], name
        shown.append(name)
    assert set(shown) == set(jwt_core.errors.__all__)
