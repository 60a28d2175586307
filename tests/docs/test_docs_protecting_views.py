"""docs/protecting-views.md: function views, class-based views, websockets, optional auth."""

from __future__ import annotations

from typing import Any

import pytest

from tests.docs.example_files import load_app
from tests.support.apps import bearer


@pytest.fixture
def app() -> Any:
    return load_app("protecting_views.py")


def tokens(app: Any) -> tuple[str, str, str]:
    """A fresh access token, a non-fresh one and a refresh token for alice."""
    manager = app.ctx.jwt.manager
    return (
        manager.create_access_token("alice", fresh=True),
        manager.create_access_token("alice"),
        manager.create_refresh_token("alice"),
    )


def test_function_views(app: Any) -> None:
    fresh, stale, refresh = tokens(app)
    _, response = app.test_client.get("/private", headers=bearer(stale))
    assert (response.status, response.json) == (200, {"identity": "alice"})
    _, response = app.test_client.get("/private", headers=bearer(refresh))
    assert response.status == 422  # a refresh token is not an access token

    _, response = app.test_client.post("/password", headers=bearer(stale))
    assert response.status == 401
    _, response = app.test_client.post("/password", headers=bearer(fresh))
    assert (response.status, response.json) == (200, {"changed_for": "alice"})

    _, response = app.test_client.get("/sync", headers=bearer(stale))
    assert (response.status, response.json) == (200, {"sync": "alice"})


def test_optional_view(app: Any) -> None:
    _, stale, _ = tokens(app)
    _, response = app.test_client.get("/greeting")
    assert response.json == {"hello": "stranger"}
    _, response = app.test_client.get("/greeting", headers=bearer(stale))
    assert response.json == {"hello": "alice"}
    _, response = app.test_client.get("/greeting", headers={"Authorization": "Basic YTpi"})
    assert response.json == {"hello": "stranger"}  # another scheme is not our token
    _, response = app.test_client.get("/greeting", headers=bearer("not.a.token"))
    assert response.status == 422  # a present but bad token is refused


def test_class_based_views(app: Any) -> None:
    fresh, stale, _ = tokens(app)
    _, response = app.test_client.get("/profile")
    assert response.status == 401
    _, response = app.test_client.get("/profile", headers=bearer(stale))
    assert response.json == {"profile_of": "alice"}

    _, response = app.test_client.get("/article")
    assert response.json == {"article": "text"}
    _, response = app.test_client.delete("/article", headers=bearer(stale))
    assert response.status == 401
    _, response = app.test_client.delete("/article", headers=bearer(fresh))
    assert response.json == {"deleted_by": "alice"}


def test_websocket_with_a_token(app: Any) -> None:
    _, stale, _ = tokens(app)

    async def talk(ws: Any) -> None:
        await ws.recv()
        await ws.send("hi")
        await ws.recv()

    _, ws = app.test_client.websocket("/feed", extra_headers=bearer(stale), mimic=talk)
    assert ws.client_received == ["hello alice", "alice: hi"]


def test_websocket_without_a_token_is_refused_before_the_handshake(app: Any) -> None:
    async def talk(ws: Any) -> None:
        await ws.recv()

    with pytest.raises(ValueError, match="InvalidStatusCode") as raised:
        app.test_client.websocket("/feed", mimic=talk)
    assert "InvalidStatusCode(401" in str(raised.value)  # HTTP refusal, no socket opened
