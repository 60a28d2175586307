"""docs/revocation.md: logout, revoke_all, shared stores, and failing closed with 503."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.docs.example_files import expected_output, load_app, run_example
from tests.support.apps import bearer
from tests.support.redis_server import RedisServer


def test_logout_revokes_the_token_in_the_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "revoked.sqlite3"
    app = load_app("revocation_app.py", REVOCATION_DB=str(database))
    _, response = app.test_client.post("/login")
    access = response.json["access_token"]
    _, other = app.test_client.post("/login")
    still_valid = other.json["access_token"]

    _, response = app.test_client.post("/logout", headers=bearer(access))
    assert response.json == {"msg": "logged out"}
    assert database.exists()
    _, response = app.test_client.get("/me", headers=bearer(access))
    assert response.status == 401
    assert response.json == {"msg": "the token has been revoked"}
    _, response = app.test_client.get("/me", headers=bearer(still_valid))
    assert response.status == 200

    # a restarted app (a new process, here a new app object) reads the same file
    restarted = load_app("revocation_app.py", REVOCATION_DB=str(database))
    _, response = restarted.test_client.get("/me", headers=bearer(access))
    assert response.status == 401


def test_logout_everywhere_revokes_every_earlier_token(tmp_path: Path) -> None:
    app = load_app("revocation_app.py", REVOCATION_DB=str(tmp_path / "revoked.sqlite3"))
    tokens = [app.test_client.post("/login")[1].json["access_token"] for _ in range(2)]
    _, response = app.test_client.post("/logout-everywhere", headers=bearer(tokens[0]))
    assert response.status == 200
    for token in tokens:
        _, response = app.test_client.get("/me", headers=bearer(token))
        assert response.status == 401
    _, response = app.test_client.post("/login")
    _, response = app.test_client.get("/me", headers=bearer(response.json["access_token"]))
    assert response.status == 200  # a later login is not affected


def test_two_workers_share_one_sqlite_file() -> None:
    _, printed = run_example("core_revocation.py")
    assert printed == expected_output("core_revocation.py")


def test_redis_store_revokes_and_fails_closed_when_down(valkey: RedisServer) -> None:
    app: Any = load_app("revocation_redis.py", REDIS_URL=valkey.url)
    manager = app.ctx.jwt.manager
    revoked, kept = manager.create_access_token("alice"), manager.create_access_token("bob")

    _, response = app.test_client.post("/logout", headers=bearer(revoked))
    assert response.status == 200
    _, response = app.test_client.get("/me", headers=bearer(revoked))
    assert response.status == 401

    valkey.stop()
    _, response = app.test_client.get("/me", headers=bearer(kept))
    assert response.status == 503
    assert response.headers["retry-after"] == "1"
    assert response.json == {"msg": "the revocation store is unavailable; try again shortly"}

    valkey.start()  # service resumes by itself
    _, response = app.test_client.get("/me", headers=bearer(kept))
    assert (response.status, response.json) == (200, {"identity": "bob"})
