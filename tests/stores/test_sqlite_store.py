"""What only `SQLiteBlacklist` does: WAL file, work off the event loop, purging, its options."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from jwt_core.blacklist import SQLiteBlacklist
from jwt_core.errors import ConfigurationConflictError
from tests.support.clock import ManualClock
from tests.support.tokens import make_token

GUARD = 10.0


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


Clock = ManualClock.from_wall_time


async def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = SQLiteBlacklist(path)
    await store.open()
    await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_write_waiting_for_a_lock_does_not_block_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = SQLiteBlacklist(path, busy_timeout=GUARD)
    await store.open()
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # another process is writing
        token = make_token(iat=time.time(), exp=None)
        write = asyncio.create_task(store.register(token))
        ticks = 0
        for _ in range(5):  # the loop keeps running while the write waits on its thread
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 5
        assert not write.done()
        # Checks do not wait for a writer (WAL, own thread) while the write is pending.
        other = make_token(iat=time.time(), exp=None)
        assert await asyncio.wait_for(store.is_blacklisted(other), GUARD) is False
        assert not write.done()
        locker.execute("COMMIT")
        await asyncio.wait_for(write, GUARD)
        assert await store.is_blacklisted(token) is True
    finally:
        locker.close()
        await store.close()


async def test_expired_rows_are_purged_on_a_later_write(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "db.sqlite3"
    store = SQLiteBlacklist(path, purge_interval=60, clock=clock)
    await store.open()
    try:
        for _ in range(100):
            await store.register(make_token(iat=clock.now, exp=clock.now + 30))
        await store.register_identity("bob", at(clock.now), at(clock.now + 30))
        clock.now += 30 + 60 + 1  # past every entry (exp + skew margin) and the purge interval
        await store.register(make_token(iat=clock.now, exp=clock.now + 30))
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM revoked_token").fetchone()[0] == 1
            assert db.execute("SELECT count(*) FROM revoked_subject").fetchone()[0] == 0
    finally:
        await store.close()


async def test_purge_reports_what_went_and_keeps_the_rest(tmp_path: Path) -> None:
    clock = Clock()
    store = SQLiteBlacklist(tmp_path / "db.sqlite3", clock=clock)
    try:
        keep = make_token(iat=clock.now, exp=None)
        await store.register(keep)
        await store.register_identity("carol", at(clock.now), None)
        for _ in range(3):
            await store.register(make_token(iat=clock.now, exp=clock.now + 1))
        await store.register_identity("bob", at(clock.now), at(clock.now + 1))
        clock.now += 2 + 60  # past exp + the default skew margin
        assert await store.purge() == 4
        assert await store.purge() == 0
        assert await store.is_blacklisted(keep) is True
        assert await store.is_blacklisted(make_token("carol", iat=clock.now - 63, exp=None))
    finally:
        await store.close()


async def test_the_cutoff_never_moves_back_nor_dies_early(tmp_path: Path) -> None:
    clock = Clock()
    store = SQLiteBlacklist(tmp_path / "db.sqlite3", clock=clock)
    now = clock.now
    try:
        await store.register_identity("alice", at(now), at(now + 600))
        await store.register_identity("alice", at(now - 10), at(now + 60))
        assert await store.is_blacklisted(make_token("alice", iat=now - 1, exp=None)) is True
        clock.now = now + 100
        await store.purge()
        assert await store.is_blacklisted(make_token("alice", iat=now - 1, exp=None)) is True
        await store.register_identity("alice", at(now), None)
        await store.register_identity("alice", at(now), at(now + 200))
        clock.now = now + 10_000
        await store.purge()
        assert await store.is_blacklisted(make_token("alice", iat=now, exp=None)) is True
    finally:
        await store.close()


def test_built_from_keyword_arguments_alone(tmp_path: Path) -> None:
    """The TokenManager builds the store as blacklist_class(**blacklist_init_kwargs)."""
    store = SQLiteBlacklist(**{"path": str(tmp_path / "x.sqlite3"), "busy_timeout": 2.0})
    assert store.path == str(tmp_path / "x.sqlite3")
    assert Path(SQLiteBlacklist().path).is_absolute()


@pytest.mark.parametrize("path", [":memory:", ""])
def test_a_path_that_is_no_file_is_refused(path: str) -> None:
    with pytest.raises(ConfigurationConflictError, match="InMemoryBlacklist"):
        SQLiteBlacklist(path)
