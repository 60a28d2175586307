"""SQLiteBlacklist never starts over silently: once opened, a lost or replaced file fails closed.

Only a store's first connection may create its file (logged at info); a file deleted, replaced
(by another database or a directory), left without its -wal, or no longer openable afterwards
makes every call raise `RevocationStoreUnavailableError` and logs an error, also after
close/open of the same store object and in a child forked from it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from jwt_core.blacklist import SQLiteBlacklist
from jwt_core.errors import RevocationStoreUnavailableError
from jwt_core.token import Token
from tests.stores.store_cases import check_in_forked_child, eventually, outcome
from tests.support.tokens import make_token

T = TypeVar("T")


async def guarded(call: Awaitable[T]) -> T:
    """Fail the test instead of hanging."""
    return await asyncio.wait_for(call, 10)


def fresh_token(sub: str = "alice") -> Token:
    return make_token(sub, iat=time.time(), exp=time.time() + 600)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "revoked.sqlite3"


@pytest.fixture
async def store(path: Path) -> AsyncIterator[SQLiteBlacklist]:
    store = SQLiteBlacklist(path)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def is_there(path: Path) -> bool:
    """Whether anything (a file, a directory, a link) is at `path`."""
    return os.path.lexists(path)


def is_file(path: Path) -> bool:
    return path.is_file()


def remove(target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()


def delete_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        remove(path.with_name(path.name + suffix))


def another_database(path: Path) -> None:
    """Put a valid but empty revocation database at `path` (as a restored backup would be)."""
    staging = path.with_name("staging.sqlite3")
    with sqlite3.connect(staging) as db:
        db.execute("CREATE TABLE revoked_token (jti BLOB PRIMARY KEY, expires_at REAL)")
    delete_database(path)
    staging.rename(path)


def into_directory(path: Path) -> None:
    delete_database(path)
    path.mkdir()


def delete_wal(path: Path) -> None:
    path.with_name(path.name + "-wal").unlink()


CHANGES: dict[str, Callable[[Path], None]] = {
    "deleted": delete_database,
    "deleted-db-only": lambda path: path.unlink(),
    "wal-deleted": delete_wal,
    "replaced-by-another-database": another_database,
    "replaced-by-a-directory": into_directory,
}


async def assert_refused(store: SQLiteBlacklist, token: Token) -> None:
    """A write and a purge look at the file every time; a check answered from the replica
    looks at most every IDENTITY_INTERVAL, but at once once another call found it changed."""
    for call in (store.register(fresh_token("bob")), store.purge(), store.is_blacklisted(token)):
        with pytest.raises(RevocationStoreUnavailableError, match="not started over empty"):
            await guarded(call)


async def refused_by_checks_alone(store: SQLiteBlacklist, token: Token) -> list[bool | str]:
    """Check `token` (revoked) until the store refuses to answer; what it said until then."""
    said: list[bool | str] = []

    async def refused() -> bool:
        said.append(await outcome(guarded(store.is_blacklisted(token))))
        return said[-1] == "unavailable"

    await eventually(refused, "the checks noticed the file")
    return said


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "jwt_core" and r.levelno == logging.ERROR]


async def test_a_first_start_creates_the_file_and_says_where(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="jwt_core")
    store = SQLiteBlacklist(path)
    await store.open()
    await store.close()
    assert is_file(path)
    created = [r for r in caplog.records if r.name == "jwt_core"]
    assert [(r.levelno, r.getMessage()) for r in created] == [
        (logging.INFO, f"created the SQLite revocation store {path}")
    ]
    again = SQLiteBlacklist(path)  # a later start finds the file: nothing to say
    await again.open()
    await again.close()
    assert len([r for r in caplog.records if r.name == "jwt_core"]) == 1


async def test_a_first_start_waits_for_another_worker_creating_the_same_file(path: Path) -> None:
    """Two workers starting at once on a new file: one holds the write lock (creating the
    tables) while the other switches the file to WAL, a step SQLite does not retry by
    itself ("database is locked" at once). The second worker waits for the lock instead."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))  # the other made it
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # ... and holds its write lock
    released = threading.Timer(0.2, lambda: other.execute("COMMIT"))
    store = SQLiteBlacklist(path, busy_timeout=10.0)
    released.start()
    try:
        await store.open()
        token = fresh_token("alice")
        await store.register(token)
        assert await store.is_blacklisted(token)
    finally:
        released.join()
        await store.close()
        other.close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_first_start_that_cannot_get_the_lock_in_time_fails_closed(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    store = SQLiteBlacklist(path, busy_timeout=0.05)
    try:
        with pytest.raises(RevocationStoreUnavailableError, match="could not switch it to WAL"):
            await store.open()
    finally:
        await store.close()
        other.execute("COMMIT")
        other.close()


@pytest.mark.parametrize("noticed", ["by-a-write", "by-checks-alone"])
@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
async def test_a_lost_or_replaced_file_fails_closed_and_is_logged(
    store: SQLiteBlacklist, path: Path, change: str, noticed: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = fresh_token()
    await store.register(token)
    assert await store.is_blacklisted(token) is True
    caplog.set_level(logging.INFO, logger="jwt_core")
    CHANGES[change](path)
    if noticed == "by-checks-alone":  # a worker that only checks still stops answering
        said = await refused_by_checks_alone(store, token)
        assert set(said[:-1]) <= {True}  # until then it answered from what it had: never "no"
    await assert_refused(store, token)
    await assert_refused(store, token)
    logged = errors(caplog)
    assert len(logged) == 1  # once, not once per request
    message = logged[0].getMessage()
    assert str(path) in message
    assert "refused" in message
    assert token.raw_jwt not in message
    assert token.jti.hex not in message
    if change.startswith("deleted"):
        assert not is_there(path)  # not re-created empty


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
async def test_closing_and_opening_again_does_not_start_over(path: Path, change: str) -> None:
    store = SQLiteBlacklist(path)
    await store.open()
    token = fresh_token()
    await store.register(token)
    CHANGES[change](path)
    await store.close()
    if change == "wal-deleted":
        # what was written to the deleted -wal is lost: this process refuses the file
        try:
            with pytest.raises(RevocationStoreUnavailableError):
                await guarded(store.open())
            with pytest.raises(RevocationStoreUnavailableError):
                await guarded(store.is_blacklisted(token))
        finally:
            await store.close()
        return
    try:
        with pytest.raises(RevocationStoreUnavailableError, match="not started over empty"):
            await guarded(store.open())
        await assert_refused(store, token)
    finally:
        await store.close()
    if change.startswith("deleted"):
        assert not is_there(path)


async def test_the_file_moved_back_is_used_again(store: SQLiteBlacklist, path: Path) -> None:
    token = fresh_token()
    await store.register(token)
    aside = path.with_name("aside.sqlite3")
    os.rename(path, aside)
    await assert_refused(store, token)
    os.rename(aside, path)  # the same file (same inode) is back
    assert await guarded(store.is_blacklisted(token)) is True


@pytest.mark.parametrize("change", ["deleted", "replaced-by-another-database"])
async def test_a_child_forked_after_the_file_was_lost_refuses_too(
    store: SQLiteBlacklist, path: Path, change: str
) -> None:
    token = fresh_token()
    await store.register(token)
    CHANGES[change](path)
    result = await check_in_forked_child(store, token)
    assert isinstance(result, tuple), result
    assert result[0] == "unavailable"
    assert "not started over empty" in result[1]
    if change == "deleted":
        assert not is_there(path)


async def test_a_child_forked_before_the_file_was_lost_refuses_too(
    store: SQLiteBlacklist, path: Path
) -> None:
    token = fresh_token()
    await store.register(token)
    assert await check_in_forked_child(store, token) is True
    delete_database(path)
    result = await check_in_forked_child(store, token)
    assert isinstance(result, tuple), result
    assert result[0] == "unavailable"
    assert not is_there(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root opens files whatever their permissions")
async def test_a_file_that_can_no_longer_be_opened_fails_closed(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SQLiteBlacklist(path)
    await store.open()
    token = fresh_token()
    await store.register(token)
    await store.close()
    os.chmod(path, 0)
    try:
        with pytest.raises(RevocationStoreUnavailableError, match="can no longer be opened"):
            await guarded(store.open())
        assert len(errors(caplog)) == 1
    finally:
        os.chmod(path, 0o600)
        await store.close()
    with sqlite3.connect(path) as db:  # the revocation is still in it
        assert db.execute("SELECT count(*) FROM revoked_token").fetchone()[0] == 1


NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a child as another user")
async def test_permissions_taken_away_fail_closed_in_a_worker_of_another_user() -> None:
    """A worker (forked from the store, running as another user) loses access to the file."""
    folder = Path(tempfile.mkdtemp())
    try:
        os.chmod(folder, 0o777)
        path = folder / "revoked.sqlite3"
        store = SQLiteBlacklist(path)
        await store.open()
        token = fresh_token()
        await store.register(token)
        await store.close()  # the identity of the file is remembered
        os.chmod(path, 0o666)
        assert await check_in_forked_child(store, token, uid=NOBODY) is True
        os.chmod(path, 0)
        result = await check_in_forked_child(store, token, uid=NOBODY)
        assert isinstance(result, tuple), result
        assert result[0] == "unavailable"
        assert "can no longer be opened" in result[1]
        with sqlite3.connect(path) as db:  # not emptied: the revocation is still there
            assert db.execute("SELECT count(*) FROM revoked_token").fetchone()[0] == 1
    finally:
        shutil.rmtree(folder)
