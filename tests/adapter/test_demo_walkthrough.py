"""The demo app (examples/demo_app.py), walked through as the README's curl lines do."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sanic_apps import set_cookies

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo_app.py"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    data = tmp_path_factory.mktemp("demo-data")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JWT_SECRET_KEY", "demo-walkthrough-secret-of-at-least-32-bytes")
        env.setenv("DEMO_DATA_DIR", str(data))
        spec = importlib.util.spec_from_file_location("demo_app_under_test", DEMO)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.app.config.TOUCHUP = False
        module.data_dir = data
        yield module


async def _login(client: Any, user: str, password: str) -> dict[str, str]:
    _, response = await client.post("/login", json={"username": user, "password": password})
    assert response.status == 200, response.text
    return dict(response.json)


async def test_walkthrough_with_headers(demo: ModuleType) -> None:
    client = demo.app.asgi_client

    _, response = await client.post("/login", json={"username": "alice", "password": "nope"})
    assert response.status == 401
    _, response = await client.post("/login", content=b"not json")
    assert response.status == 400

    alice = await _login(client, "alice", "wonderland")
    bob = await _login(client, "bob", "builder")
    as_alice = {"Authorization": f"Bearer {alice['access_token']}"}

    _, response = await client.get("/protected", headers=as_alice)
    assert response.json == {"identity": "alice", "role": "ADMIN", "fresh": True}
    _, response = await client.get("/protected")
    assert response.status == 401

    _, response = await client.get("/admin", headers=as_alice)
    assert response.status == 200
    _, response = await client.get(
        "/admin", headers={"Authorization": f"Bearer {bob['access_token']}"}
    )
    assert response.status == 403

    _, response = await client.get("/fresh", headers=as_alice)
    assert response.status == 200

    _, response = await client.post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {alice['refresh_token']}"}
    )
    assert response.status == 200
    refreshed = {"Authorization": f"Bearer {response.json['access_token']}"}
    _, response = await client.get("/protected", headers=refreshed)
    assert response.json == {"identity": "alice", "role": "ADMIN", "fresh": False}
    _, response = await client.get("/fresh", headers=refreshed)
    assert response.status == 401
    _, response = await client.get("/admin", headers=refreshed)
    assert response.status == 200  # the role survives the refresh

    _, response = await client.get("/optional")
    assert response.json == {"hello": "anonymous visitor"}
    _, response = await client.get("/optional", headers=as_alice)
    assert response.json == {"hello": "alice"}

    _, response = await client.post("/logout", headers=as_alice)
    assert response.json == {"msg": "access token revoked"}
    _, response = await client.get("/protected", headers=as_alice)
    assert response.status == 401
    assert response.json == {"msg": "the token has been revoked"}
    _, response = await client.get("/protected", headers=refreshed)
    assert response.status == 200  # only the revoked token is refused


async def test_walkthrough_with_cookies(demo: ModuleType) -> None:
    client = demo.app.asgi_client
    _, response = await client.post(
        "/cookie/login", json={"username": "bob", "password": "builder"}
    )
    assert response.status == 200
    cookies = set_cookies(response)
    assert "httponly" in cookies["access_token_cookie"]
    jar = "; ".join(f"{name}={entry['value']}" for name, entry in cookies.items())
    csrf = cookies["csrf_access_token"]["value"]

    _, response = await client.post("/cookie/protected", headers={"Cookie": jar})
    assert response.status == 401
    assert response.json == {"msg": "the CSRF value is missing"}
    _, response = await client.post(
        "/cookie/protected", headers={"Cookie": jar, "X-CSRF-Token": csrf}
    )
    assert response.json == {"msg": "hello bob, your CSRF header matched"}
    _, response = await client.get("/protected", headers={"Cookie": jar})
    assert response.json["identity"] == "bob"  # GET needs no CSRF header

    _, response = await client.post("/cookie/logout", headers={"Cookie": jar, "X-CSRF-Token": csrf})
    assert response.status == 200
    assert all(entry["max-age"] == "0" for entry in set_cookies(response).values())
    _, response = await client.post(
        "/cookie/protected", headers={"Cookie": jar, "X-CSRF-Token": csrf}
    )
    assert response.status == 401
    assert response.json == {"msg": "the token has been revoked"}


def test_revocations_live_in_the_demo_data_folder(demo: ModuleType) -> None:
    store = type(demo.app.ctx.jwt.manager.blacklist).__name__
    if store == "SQLiteBlacklist":
        assert (demo.data_dir / "revoked.sqlite3").exists()
    else:
        assert store == "InMemoryBlacklist"
