"""`SQLiteBlacklist`: revocations in one SQLite file, shared by every process of one machine."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from jwt_core.blacklist.base import BlacklistABC
from jwt_core.errors import ConfigurationConflictError, RevocationStoreUnavailableError
from jwt_core.token import Token

__all__ = ["SQLiteBlacklist"]

T = TypeVar("T")

# `expires_at` is when the row may be deleted (epoch seconds); NULL means never.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS revoked_token (
    jti BLOB PRIMARY KEY,
    expires_at REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revoked_token_expires_at ON revoked_token (expires_at);
CREATE TABLE IF NOT EXISTS revoked_subject (
    subject TEXT PRIMARY KEY,
    revoked_before REAL NOT NULL,
    expires_at REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revoked_subject_expires_at ON revoked_subject (expires_at);
"""

_CHECK = """
SELECT EXISTS (SELECT 1 FROM revoked_token WHERE jti = ?)
    OR EXISTS (SELECT 1 FROM revoked_subject WHERE subject = ? AND revoked_before >= ?)
"""

_REGISTER = "INSERT OR REPLACE INTO revoked_token (jti, expires_at) VALUES (?, ?)"

# A cut-off only ever moves later and its row only ever lives longer, whatever order the
# workers (and their clocks) write in.
_REGISTER_SUBJECT = """
INSERT INTO revoked_subject (subject, revoked_before, expires_at) VALUES (?, ?, ?)
ON CONFLICT (subject) DO UPDATE SET
    revoked_before = max(revoked_before, excluded.revoked_before),
    expires_at = CASE
        WHEN expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
        ELSE max(expires_at, excluded.expires_at)
    END
"""


class _DatabaseThread:
    """One worker thread owning one sqlite3 connection, so no disk I/O runs on the event loop."""

    def __init__(self, path: str, busy_timeout: float, name: str) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._db: sqlite3.Connection | None = None
        self._file_id: tuple[int, int] | None = None

    async def run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation` with the connection on the worker thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, operation)

    async def close(self) -> None:
        """Close the connection on its thread, then let the thread end."""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._disconnect)
        finally:
            self._executor.shutdown(wait=False)

    def _run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return operation(self._connection())
        except (sqlite3.Error, OSError):
            self._disconnect()  # start from a fresh connection next time
            raise

    def _connection(self) -> sqlite3.Connection:
        """The open connection, reopened when the file at `path` is no longer the one it has open.

        An open connection keeps using a file that was deleted or replaced; the other workers
        would then use a different file, so every operation first checks the path.
        """
        try:
            stat = os.stat(self._path)
            file_id: tuple[int, int] | None = (stat.st_dev, stat.st_ino)
        except FileNotFoundError:
            file_id = None
        if self._db is not None and file_id == self._file_id:
            return self._db
        self._disconnect()
        db = sqlite3.connect(self._path, timeout=self._busy_timeout, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.executescript(_SCHEMA)
            stat = os.stat(self._path)
        except BaseException:
            db.close()
            raise
        self._db, self._file_id = db, (stat.st_dev, stat.st_ino)
        return db

    def _disconnect(self) -> None:
        db, self._db, self._file_id = self._db, None, None
        if db is not None:
            with contextlib.suppress(sqlite3.Error):  # the file may be gone already
                db.close()


def _is_blacklisted(db: sqlite3.Connection, jti: bytes, subject: str, iat: float) -> bool:
    row = db.execute(_CHECK, (jti, subject, iat)).fetchone()
    return bool(row[0])


def _register(
    db: sqlite3.Connection, jti: bytes, until: float | None, purge_at: float | None
) -> None:
    db.execute(_REGISTER, (jti, until))
    if purge_at is not None:
        _purge(db, purge_at)


def _register_subject(
    db: sqlite3.Connection, subject: str, revoked_before: float, until: float | None
) -> None:
    db.execute(_REGISTER_SUBJECT, (subject, revoked_before, until))


def _purge(db: sqlite3.Connection, now: float) -> int:
    """Delete every row whose token can no longer be accepted at `now`; return how many."""
    with db:  # one transaction (the connection is in autocommit mode otherwise)
        db.execute("BEGIN IMMEDIATE")
        tokens = db.execute("DELETE FROM revoked_token WHERE expires_at <= ?", (now,)).rowcount
        subjects = db.execute("DELETE FROM revoked_subject WHERE expires_at <= ?", (now,)).rowcount
    return tokens + subjects


class SQLiteBlacklist(BlacklistABC):
    """Revocations in one SQLite database file: shared by all workers, kept across restarts.

    The file is opened in WAL mode so checks never wait for a writer. Every sqlite3 call runs
    off the event loop, on two threads with a connection each: one for checks, one for writes,
    so that a write waiting for another process's lock does not hold up checks. Rows are
    deleted once their token has expired (at most every `purge_interval` seconds, on a write),
    so the file does not grow with old revocations. For several machines use `RedisBlacklist`.

    `path` is resolved against the current directory when the store is made; `busy_timeout`
    (seconds) is how long a write waits for another process's write; `clock` returns the
    current epoch time and is replaceable for tests.
    """

    multiprocess_safe = True

    def __init__(
        self,
        path: str | os.PathLike[str] = "jwt-blacklist.sqlite3",
        *,
        busy_timeout: float = 5.0,
        purge_interval: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        path = os.fspath(path)
        if path in ("", ":memory:"):
            raise ConfigurationConflictError(
                f"SQLiteBlacklist needs the path of a database file, not {path!r}; "
                "for a store in this process's memory use InMemoryBlacklist"
            )
        if busy_timeout < 0 or purge_interval < 0:
            raise ConfigurationConflictError(
                "SQLiteBlacklist: busy_timeout and purge_interval must not be negative"
            )
        self.path = os.path.abspath(path)
        self._busy_timeout = busy_timeout
        self._purge_interval = purge_interval
        self._clock = clock
        self._next_purge = -math.inf
        self._reader: _DatabaseThread | None = None
        self._writer: _DatabaseThread | None = None
        self._pid = os.getpid()

    def __repr__(self) -> str:
        return f"SQLiteBlacklist({self.path!r})"

    async def open(self) -> None:
        """Start the worker thread, create the file and its tables if needed, drop old rows."""
        await self.purge()

    async def close(self) -> None:
        threads = (self._reader, self._writer)
        self._reader = self._writer = None
        for thread in threads:
            if thread is not None:
                await thread.close()

    async def register(self, token: Token) -> None:
        expiry = self.entry_expiry(token)
        until = None if expiry is None else expiry.timestamp()
        now = self._clock()
        purge_at = None
        if now >= self._next_purge:
            purge_at, self._next_purge = now, now + self._purge_interval
        jti = token.jti.bytes
        await self._write(lambda db: _register(db, jti, until, purge_at))

    async def register_identity(
        self, subject: str, revoked_before: datetime, expires_at: datetime | None
    ) -> None:
        before = revoked_before.timestamp()
        until = None if expires_at is None else expires_at.timestamp()
        await self._write(lambda db: _register_subject(db, subject, before, until))

    async def is_blacklisted(self, token: Token) -> bool:
        jti, subject, iat = token.jti.bytes, token.sub, token.iat.timestamp()
        return await self._read(lambda db: _is_blacklisted(db, jti, subject, iat))

    async def purge(self) -> int:
        """Delete the rows of tokens that have expired now; return how many went."""
        now = self._clock()
        self._next_purge = now + self._purge_interval
        return await self._write(lambda db: _purge(db, now))

    async def _read(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation` on the checking thread (made on first use)."""
        self._forget_if_forked()
        if self._reader is None:
            self._reader = _DatabaseThread(self.path, self._busy_timeout, "jwt-core-sqlite-read")
        return await self._run(self._reader, operation)

    async def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation` on the writing thread (made on first use)."""
        self._forget_if_forked()
        if self._writer is None:
            self._writer = _DatabaseThread(self.path, self._busy_timeout, "jwt-core-sqlite-write")
        return await self._run(self._writer, operation)

    def _forget_if_forked(self) -> None:
        """In a child forked after first use, drop the parent's threads and connections.

        Their threads do not exist in the child (work sent to them would never run) and SQLite
        connections must not cross a fork; they are left unclosed, as they belong to the parent.
        """
        if self._pid != os.getpid():
            self._reader = self._writer = None
            self._pid = os.getpid()

    async def _run(
        self, thread: _DatabaseThread, operation: Callable[[sqlite3.Connection], T]
    ) -> T:
        """Await `operation` on `thread`; a file that cannot be used becomes a library error."""
        try:
            return await thread.run(operation)
        except (sqlite3.Error, OSError) as exc:
            raise RevocationStoreUnavailableError(
                f"the SQLite revocation store {self.path} cannot be used: {exc}"
            ) from exc
