"""A store that cannot be reached raises promptly (never hangs) and works again once it is back.

No timing assertions: `asyncio.wait_for(..., GUARD)` only turns a hang into a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import pytest

from jwt_core.blacklist import RedisBlacklist, SQLiteBlacklist
from jwt_core.errors import RevocationStoreUnavailableError
from jwt_core.token import Token
from tests.support.redis_server import RedisServer, free_port
from tests.support.tokens import make_token

GUARD = 10.0  # seconds: far above any timeout configured below

T = TypeVar("T")


async def guarded(call: Awaitable[T]) -> T:
    return await asyncio.wait_for(call, GUARD)


def fresh_token(sub: str = "alice") -> Token:
    now = time.time()
    return make_token(sub, iat=now, exp=now + 900)


async def test_redis_stopped_then_started_again(own_redis_server: RedisServer) -> None:
    """Strict mode (a round trip per check); the replica's side: test_store_replica.py."""
    store = RedisBlacklist(
        own_redis_server.url, socket_timeout=1, socket_connect_timeout=1, replica=False
    )
    await store.open()
    try:
        token = fresh_token()
        await store.register(token)
        assert await store.is_blacklisted(token) is True

        own_redis_server.stop()
        with pytest.raises(RevocationStoreUnavailableError, match="cannot be used"):
            await guarded(store.is_blacklisted(token))
        with pytest.raises(RevocationStoreUnavailableError):
            await guarded(store.register(fresh_token()))
        with pytest.raises(RevocationStoreUnavailableError):
            await guarded(store.register_identity("alice", token.iat, None))

        own_redis_server.start()  # same port; the server kept no data
        assert await guarded(store.is_blacklisted(token)) is False
        other = fresh_token()
        await guarded(store.register(other))
        assert await guarded(store.is_blacklisted(other)) is True
    finally:
        await store.close()


async def test_redis_frozen_then_thawed(own_redis_server: RedisServer) -> None:
    """A server that keeps its sockets open but answers nothing: the read timeout must fire.

    Strict mode (a round trip per check); the replica's side: test_store_replica.py.
    """
    store = RedisBlacklist(
        own_redis_server.url, socket_timeout=0.5, socket_connect_timeout=0.5, replica=False
    )
    await store.open()
    try:
        token = fresh_token()
        await store.register(token)

        own_redis_server.freeze()
        try:
            with pytest.raises(RevocationStoreUnavailableError):
                await guarded(store.is_blacklisted(token))
            # Many callers at once while hung: every one of them gets an error, none hangs.
            results = await guarded(
                asyncio.gather(
                    *(store.is_blacklisted(fresh_token()) for _ in range(20)),
                    return_exceptions=True,
                )
            )
            assert all(isinstance(r, RevocationStoreUnavailableError) for r in results)
        finally:
            own_redis_server.thaw()

        assert await guarded(store.is_blacklisted(token)) is True  # the data was kept
    finally:
        await store.close()


async def test_redis_that_never_was_there_raises() -> None:
    store = RedisBlacklist(f"redis://127.0.0.1:{free_port()}/0")
    await store.open()
    try:
        with pytest.raises(RevocationStoreUnavailableError):
            await guarded(store.is_blacklisted(fresh_token()))
    finally:
        await store.close()


def is_there(path: Path) -> bool:
    """Whether anything (a file, a directory, a link) is at `path`."""
    return os.path.lexists(path)


def remove_database(path: Path) -> None:
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        target = path.with_name(name)
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


async def test_sqlite_file_replaced_by_a_directory_or_garbage(tmp_path: Path) -> None:
    path = tmp_path / "revoked.sqlite3"
    store = SQLiteBlacklist(path)
    await store.open()
    try:
        token = fresh_token()
        await store.register(token)
        assert await store.is_blacklisted(token) is True

        remove_database(path)
        path.mkdir()
        # a write looks at the file every time, and checks refuse from then on (on their own
        # they look every IDENTITY_INTERVAL: test_sqlite_file_identity.py)
        with pytest.raises(RevocationStoreUnavailableError, match=str(path)):
            await guarded(store.register(fresh_token()))
        with pytest.raises(RevocationStoreUnavailableError, match=str(path)):
            await guarded(store.is_blacklisted(token))

        path.rmdir()
        path.write_bytes(os.urandom(8192))
        with pytest.raises(RevocationStoreUnavailableError):
            await guarded(store.is_blacklisted(token))

        path.unlink()  # the bad file is gone: the store still does not start over empty
        with pytest.raises(RevocationStoreUnavailableError, match="not started over empty"):
            await guarded(store.register(fresh_token()))
        assert not is_there(path)
    finally:
        await store.close()


async def test_sqlite_file_deleted_while_open_is_not_silently_kept(tmp_path: Path) -> None:
    """A deleted file must not live on in one worker, nor be replaced by an empty one."""
    path = tmp_path / "revoked.sqlite3"
    store = SQLiteBlacklist(path)
    await store.open()
    try:
        token = fresh_token()
        await store.register(token)
        remove_database(path)
        with pytest.raises(RevocationStoreUnavailableError, match="not started over empty"):
            await guarded(store.register(fresh_token()))
        with pytest.raises(RevocationStoreUnavailableError, match="not started over empty"):
            await guarded(store.is_blacklisted(token))
        assert not is_there(path)
    finally:
        await store.close()


async def test_sqlite_opening_a_garbage_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database"
    path.write_bytes(b"this is not SQLite" * 100)
    store = SQLiteBlacklist(path)
    try:
        with pytest.raises(RevocationStoreUnavailableError, match="not a database"):
            await guarded(store.open())
    finally:
        await store.close()


async def test_sqlite_in_a_missing_directory_raises(tmp_path: Path) -> None:
    store = SQLiteBlacklist(tmp_path / "missing" / "revoked.sqlite3")
    try:
        with pytest.raises(RevocationStoreUnavailableError):
            await guarded(store.is_blacklisted(fresh_token()))
    finally:
        await store.close()
