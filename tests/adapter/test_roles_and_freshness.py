"""allow / deny roles and fresh_required, on access and refresh tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_required, refresh_jwt_required
from tests.support.apps import bearer


def _routes(app: Sanic[Any, Any]) -> None:
    @app.get("/admins")
    @jwt_required(allow=["ADMIN", "OWNER"])
    async def admins(request: Request, token: Token) -> object:
        return json({"role": token.role})

    @app.get("/not-guests")
    @jwt_required(deny=["GUEST"])
    async def not_guests(request: Request, token: Token) -> object:
        return json({"role": token.role})

    @app.get("/single-role")
    @jwt_required(allow="ADMIN")
    async def single_role(request: Request, token: Token) -> object:
        return json({"role": token.role})

    @app.get("/fresh")
    @jwt_required(fresh_required=True)
    async def fresh(request: Request, token: Token) -> object:
        return json({"fresh": token.fresh})

    @app.get("/fresh-admin")
    @jwt_required(fresh_required=True, allow=["ADMIN"])
    async def fresh_admin(request: Request, token: Token) -> object:
        return json({"fresh": token.fresh})

    @app.post("/refresh-admin")
    @refresh_jwt_required(allow=["ADMIN"])
    async def refresh_admin(request: Request, token: Token) -> object:
        return json({"role": token.role})

    @app.post("/refresh-not-guest")
    @refresh_jwt_required(deny=["GUEST"])
    async def refresh_not_guest(request: Request, token: Token) -> object:
        return json({"role": token.role})


@pytest.fixture
def app(make_app: Callable[..., Sanic[Any, Any]]) -> Sanic[Any, Any]:
    app = make_app(use_acl=True)
    _routes(app)
    return app


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/admins", "ADMIN", 200),
        ("/admins", "OWNER", 200),
        ("/admins", "USER", 403),
        ("/admins", None, 403),  # no role is not an allowed role
        ("/not-guests", "USER", 200),
        ("/not-guests", None, 200),
        ("/not-guests", "GUEST", 403),
        ("/single-role", "ADMIN", 200),
        ("/single-role", "ADMINISTRATOR", 403),
    ],
)
async def test_allow_and_deny(
    app: Sanic[Any, Any], path: str, role: str | None, status: int
) -> None:
    _, response = await app.asgi_client.get(
        path, headers=bearer(JWT.for_app(app).create_access_token("a", role))
    )
    assert response.status == status
    if status == 200:
        assert response.json == {"role": role}


@pytest.mark.parametrize(
    ("fresh", "status"), [(True, 200), (False, 401), (timedelta(minutes=5), 200)]
)
async def test_fresh_required(app: Sanic[Any, Any], fresh: bool | timedelta, status: int) -> None:
    token = JWT.for_app(app).create_access_token("alice", None, fresh)
    _, response = await app.asgi_client.get("/fresh", headers=bearer(token))
    assert response.status == status


async def test_freshness_is_checked_before_the_role(app: Sanic[Any, Any]) -> None:
    stale_user = JWT.for_app(app).create_access_token("bob", "USER", False)
    _, response = await app.asgi_client.get("/fresh-admin", headers=bearer(stale_user))
    assert response.status == 401
    fresh_user = JWT.for_app(app).create_access_token("bob", "USER", True)
    _, response = await app.asgi_client.get("/fresh-admin", headers=bearer(fresh_user))
    assert response.status == 403


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("/refresh-admin", "ADMIN", 200),
        ("/refresh-admin", "USER", 403),
        ("/refresh-not-guest", "USER", 200),
        ("/refresh-not-guest", "GUEST", 403),
    ],
)
async def test_refresh_roles(app: Sanic[Any, Any], path: str, role: str, status: int) -> None:
    refresh = JWT.for_app(app).create_refresh_token("alice", role)
    _, response = await app.asgi_client.post(path, headers={"X-Refresh-Token": f"Bearer {refresh}"})
    assert response.status == status
