"""The demo app (examples/demo_app.py), walked through as the README's curl lines do."""

from __future__ import annotations

import importlib.util
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import sanic

from tests.adapter.test_multiple_workers import _free_port, _stop_group
from tests.support.apps import set_cookies

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo_app.py"


def load_demo(data: Path) -> ModuleType:
    """Import examples/demo_app.py afresh with its data in `data` (DEMO_DATA_DIR)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JWT_SECRET_KEY", "demo-walkthrough-secret-of-at-least-32-bytes")
        env.setenv("DEMO_DATA_DIR", str(data))
        spec = importlib.util.spec_from_file_location("demo_app_under_test", DEMO)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    data = tmp_path_factory.mktemp("demo") / "data"  # not there yet: the demo creates it
    module = load_demo(data)
    module.app.config.TOUCHUP = False
    module.data_dir = data
    return module


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

    _, response = await client.post("/login", json={"username": "alice", "password": "wonderland"})
    assert response.headers["cache-control"] == "no-store"  # it carries tokens
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
    assert response.headers["cache-control"] == "no-store"
    rotated = dict(response.json)
    assert rotated["refresh_token"] != alice["refresh_token"]  # the old one is used up
    refreshed = {"Authorization": f"Bearer {rotated['access_token']}"}
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

    # logout with the current refresh token: the whole session ends, the first access
    # token (not sent) included; bob's session is another family and stays
    alice_refresh = {"X-Refresh-Token": f"Bearer {rotated['refresh_token']}"}
    _, response = await client.post("/logout", headers={**refreshed, **alice_refresh})
    assert response.json == {"msg": "logged out: the session's tokens are revoked"}
    for headers in (as_alice, refreshed):
        _, response = await client.get("/protected", headers=headers)
        assert response.status == 401
        assert response.json == {"msg": "the token has been revoked"}
    # the refresh token can no longer buy access tokens
    _, response = await client.post("/refresh", headers=alice_refresh)
    assert response.status == 401
    assert response.json == {"msg": "the token has been revoked"}
    as_bob = {"Authorization": f"Bearer {bob['access_token']}"}
    _, response = await client.get("/protected", headers=as_bob)
    assert response.status == 200  # only alice's session is refused

    # logout without the refresh token (none sent) still ends it: the family is revoked
    _, response = await client.post("/logout", headers=as_bob)
    assert response.status == 200
    _, response = await client.post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {bob['refresh_token']}"}
    )
    assert response.json == {"msg": "the token has been revoked"}

    # the refresh token may also come as {"refresh_token": ...} in the body; it is read and
    # checked there: a broken one refuses the logout (and revokes nothing)
    again = await _login(client, "alice", "wonderland")
    as_again = {"Authorization": f"Bearer {again['access_token']}"}
    _, response = await client.post(
        "/logout", headers=as_again, json={"refresh_token": "not.a-token.at-all"}
    )
    assert response.status == 422
    _, response = await client.get("/protected", headers=as_again)
    assert response.status == 200
    _, response = await client.post(
        "/logout",
        headers={"Authorization": f"Bearer {again['access_token']}"},
        json={"refresh_token": again["refresh_token"]},
    )
    assert response.status == 200
    _, response = await client.post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {again['refresh_token']}"}
    )
    assert response.json == {"msg": "the token has been revoked"}


async def test_a_reused_refresh_token_ends_the_session(demo: ModuleType) -> None:
    client = demo.app.asgi_client
    alice = await _login(client, "alice", "wonderland")
    old = {"X-Refresh-Token": f"Bearer {alice['refresh_token']}"}
    _, response = await client.post("/refresh", headers=old)
    rotated = dict(response.json)
    _, response = await client.post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {rotated['refresh_token']}"}
    )
    assert response.status == 200
    # the first refresh token again, after its successor was used: a copy, so reuse
    _, response = await client.post("/refresh", headers=old)
    assert response.status == 401
    _, response = await client.get(
        "/protected", headers={"Authorization": f"Bearer {rotated['access_token']}"}
    )
    assert response.json == {"msg": "the token has been revoked"}


async def test_walkthrough_with_cookies(demo: ModuleType) -> None:
    client = demo.app.asgi_client
    _, response = await client.post(
        "/cookie/login", json={"username": "bob", "password": "builder"}
    )
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    cookies = set_cookies(response)
    assert "httponly" in cookies["access_token_cookie"]
    jar = "; ".join(f"{name}={entry['value']}" for name, entry in cookies.items())
    csrf = cookies["csrf_access_token"]["value"]
    refresh_csrf = cookies["csrf_refresh_token"]["value"]
    both_csrf = {"X-CSRF-Token": csrf, "X-CSRF-Refresh-Token": refresh_csrf}

    _, response = await client.post("/cookie/protected", headers={"Cookie": jar})
    assert response.status == 401
    assert response.json == {"msg": "the CSRF value is missing"}
    _, response = await client.post(
        "/cookie/protected", headers={"Cookie": jar, "X-CSRF-Token": csrf}
    )
    assert response.json == {"msg": "hello bob, your CSRF header matched"}
    _, response = await client.get("/protected", headers={"Cookie": jar})
    assert response.json["identity"] == "bob"  # GET needs no CSRF header

    # rotation through the refresh cookie needs its own CSRF value; it sets all four anew
    _, response = await client.post(
        "/cookie/refresh", headers={"Cookie": jar, "X-CSRF-Token": csrf}
    )
    assert response.status == 401
    assert response.json == {"msg": "the CSRF value is missing"}
    _, response = await client.post("/cookie/refresh", headers={"Cookie": jar, **both_csrf})
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    rotated = set_cookies(response)
    assert set(rotated) == set(cookies)
    assert all(rotated[name]["value"] != cookies[name]["value"] for name in cookies)
    old_jar, cookies = jar, rotated
    jar = "; ".join(f"{name}={entry['value']}" for name, entry in cookies.items())
    csrf = cookies["csrf_access_token"]["value"]
    refresh_csrf = cookies["csrf_refresh_token"]["value"]
    both_csrf = {"X-CSRF-Token": csrf, "X-CSRF-Refresh-Token": refresh_csrf}
    _, response = await client.post(
        "/cookie/protected", headers={"Cookie": jar, "X-CSRF-Token": csrf}
    )
    assert response.status == 200

    # the refresh cookie's own CSRF value is needed to revoke it
    _, response = await client.post("/cookie/logout", headers={"Cookie": jar, "X-CSRF-Token": csrf})
    assert response.status == 401
    _, response = await client.post("/cookie/logout", headers={"Cookie": jar, **both_csrf})
    assert response.status == 200
    assert all(entry["max-age"] == "0" for entry in set_cookies(response).values())
    _, response = await client.post(
        "/cookie/protected", headers={"Cookie": jar, "X-CSRF-Token": csrf}
    )
    assert response.status == 401
    assert response.json == {"msg": "the token has been revoked"}
    _, response = await client.post("/cookie/refresh", headers={"Cookie": jar, **both_csrf})
    assert response.status == 401
    assert response.json == {"msg": "the token has been revoked"}
    _, response = await client.get("/protected", headers={"Cookie": old_jar})
    assert response.json == {"msg": "the token has been revoked"}  # the whole family


async def test_revocations_live_in_the_demo_data_folder(demo: ModuleType) -> None:
    # The store opens with the app: serve one request first, so that this test does not
    # depend on another one having started the app before it (the order is random).
    _, response = await demo.app.asgi_client.get("/optional")
    assert response.status == 200
    store = type(demo.app.ctx.jwt.manager.blacklist).__name__
    if store == "SQLiteBlacklist":
        assert (demo.data_dir / "revoked.sqlite3").is_file()
    else:
        assert store == "InMemoryBlacklist"


def test_the_data_folder_is_created_private(demo: ModuleType) -> None:
    info = demo.data_dir.lstat()
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == os.getuid()


def _refused(data: Path, why: str) -> None:
    with pytest.raises(SystemExit, match="refusing to keep data in") as refusal:
        load_demo(data)
    assert why in str(refusal.value)
    assert str(data) in str(refusal.value)


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o701, 0o777, 0o1777], ids=oct)
def test_a_data_folder_open_to_others_is_refused(tmp_path: Path, mode: int) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(mode)
    _refused(data, f"has mode {mode:04o}")
    assert not (data / "revoked.sqlite3").exists()


def test_a_data_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a folder to another user")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    os.chown(data, 65534, 65534)
    _refused(data, "belongs to uid 65534")


def test_a_data_folder_that_is_a_symlink_or_a_file_is_refused(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(private)
    _refused(link, "is not a directory")
    file = tmp_path / "file"
    file.write_text("")
    _refused(file, "is not a directory")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_demo_says_once_where_it_listens(tmp_path: Path, workers: str) -> None:
    """`python examples/demo_app.py`, as `hatch run demo:run` starts it: one ready line, true."""
    port = _free_port()
    log = tmp_path / "demo.log"
    environment = {
        **os.environ,
        "PORT": str(port),
        "WORKERS": workers,
        "DEMO_DATA_DIR": str(tmp_path / "data"),
        "JWT_SECRET_KEY": "demo-walkthrough-secret-of-at-least-32-bytes",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(DEMO)],
            cwd=tmp_path,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers go down with it
        )
    ready = f"demo: listening on http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while ready not in log.read_text(errors="replace"):
            assert process.poll() is None, f"the demo stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no ready line:\n{log.read_text()}"
            time.sleep(0.1)
        # It said so: it answers now (a worker still starting makes the request wait, not fail).
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/optional", timeout=30)
        except httpx.HTTPError as exc:  # say what the demo said, not only what the client saw
            pytest.fail(f"the demo did not answer ({exc!r}):\n{log.read_text(errors='replace')}")
        assert response.json() == {"hello": "anonymous visitor"}
        # Stopped once every worker is up: a SIGINT while a worker still imports hangs Sanic's
        # main process (seen with Sanic 25.12), and _stop_group would have to SIGKILL it.
        # Sanic 25 logs "Worker ready" then; 24.12 logs only "Starting worker", once serving.
        up = "Worker ready" if int(sanic.__version__.split(".")[0]) >= 25 else "Starting worker"
        while log.read_text(errors="replace").count(up) < int(workers):
            assert time.monotonic() < deadline, f"workers did not start:\n{log.read_text()}"
            time.sleep(0.1)
    finally:
        _stop_group(process)
    assert log.read_text(errors="replace").count("listening on") == 1
