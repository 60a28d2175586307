"""A running app whose SQLite revocation file is deleted answers 503, not 200 to revoked tokens."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

import pytest

from jwt_core import TokenManager
from jwt_core.blacklist import SQLiteBlacklist
from jwt_core.blacklist.sqlite import IDENTITY_INTERVAL
from tests.security.http_app import assert_refused, build_app, manager_of
from tests.support.sanic_server import RawResponse, RunningServer


def revoke_from_another_worker(path: Path, raw: str, manager: TokenManager) -> None:
    """Revoke the token through the file, as another worker process of the app would."""
    token = manager.decode(raw)

    async def revoke() -> None:
        other = SQLiteBlacklist(path)
        try:
            await other.register(token)
        finally:
            await other.close()

    asyncio.run(revoke())


def test_deleting_the_file_under_a_running_app_fails_closed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "revoked.sqlite3"
    app = build_app(
        use_blacklist=True,
        blacklist_class=SQLiteBlacklist,
        blacklist_init_kwargs={"path": str(path)},
    )
    caplog.set_level(logging.INFO, logger="jwt_core")
    with RunningServer(app) as server:
        manager = manager_of(app)
        revoked, kept = manager.create_access_token("alice"), manager.create_access_token("bob")

        def get(raw: str) -> RawResponse:
            return server.request("GET", "/access", [(b"Authorization", f"Bearer {raw}".encode())])

        assert get(kept).status_code == 200
        revoke_from_another_worker(path, revoked, manager)
        assert_refused(get(revoked), 401, revoked)

        for suffix in ("", "-wal", "-shm"):  # rm revoked.sqlite3*
            target = path.with_name(path.name + suffix)
            if target.exists():
                os.unlink(target)
        # checks answered from the replica look at the file at most every IDENTITY_INTERVAL
        time.sleep(2 * IDENTITY_INTERVAL)

        assert_refused(get(revoked), 503, revoked)
        assert_refused(get(kept), 503, kept)
        assert not path.exists()  # not re-created empty behind the operator's back
    errors = [r for r in caplog.records if r.name == "jwt_core" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert str(path) in message
    for raw in (revoked, kept):
        assert raw not in message
        assert raw.split(".")[1] not in message
