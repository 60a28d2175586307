"""`SQLiteBlacklist`: revocations in one SQLite file, shared by every process of one machine."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from jwt_core.blacklist.base import BlacklistABC, cutoff_seconds, issued_ms
from jwt_core.errors import ConfigurationConflictError, RevocationStoreUnavailableError
from jwt_core.token import Token

__all__ = ["SQLiteBlacklist"]

logger = logging.getLogger("jwt_core")

T = TypeVar("T")

# `expires_at` is when the row may be deleted (epoch seconds); NULL means never.
# `revoked_before` is the cut-off millisecond k as the epoch seconds k / 1000 (what earlier
# versions stored too): compared with an `iat` written the same way, it orders exactly as
# the milliseconds do.
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


class _FileChanged(OSError):
    """The database file is gone or is another file than the one this store opened."""


class _FileGuard:
    """What the threads of one store share: the identity of its file, once it was opened.

    Only the first connection of a store may create the file; after that, a file that is
    missing or has another identity (deleted, replaced by another file or a directory) is
    refused, never re-created empty, so revocations cannot silently start over.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.file_id: tuple[int, int] | None = None
        self.lock = threading.Lock()
        self.failing = False

    def fail(self, reason: str) -> _FileChanged:
        """Log `reason` (once until the file is usable again) and return the error to raise."""
        if not self.failing:
            self.failing = True
            logger.error(
                "the SQLite revocation store %s: %s; every check is refused until it is back",
                self.path,
                reason,
            )
        return _FileChanged(f"{reason}; it is not started over empty")


# Connections whose file was deleted or replaced under them are never closed: closing the
# last connection of a database checkpoints it and deletes "<path>-wal" by its name, which
# would then be the -wal of another file.
_abandoned: list[sqlite3.Connection] = []


def _identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


class _DatabaseThread:
    """One worker thread owning one sqlite3 connection, so no disk I/O runs on the event loop."""

    def __init__(self, guard: _FileGuard, busy_timeout: float, name: str) -> None:
        self._guard = guard
        self._path = guard.path
        self._busy_timeout = busy_timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._db: sqlite3.Connection | None = None
        self._wal_id: tuple[int, int] | None = None

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
        except _FileChanged:
            raise
        except (sqlite3.Error, OSError):
            self._disconnect()  # start from a fresh connection next time
            raise

    def _connection(self) -> sqlite3.Connection:
        """The open connection, checked first to be still on the file the store opened.

        An open connection keeps using a file that was deleted or replaced (and its -wal) while
        the other workers would use a new, empty one: every operation checks both paths.
        """
        guard = self._guard
        if self._db is not None:
            if _identity(self._path) != guard.file_id:
                raise guard.fail("its file was deleted or replaced since it was opened")
            if self._wal_id is not None and _identity(self._path + "-wal") != self._wal_id:
                raise guard.fail("its -wal file was deleted or replaced since it was opened")
            guard.failing = False
            return self._db
        with guard.lock:
            db = self._connect()
        guard.failing = False
        return db

    def _connect(self) -> sqlite3.Connection:
        """Open the file; create it only when this store has never opened it (a first start)."""
        guard = self._guard
        created = False
        if guard.file_id is None:
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
                created = True
        elif _identity(self._path) != guard.file_id:
            raise guard.fail("its file was deleted or replaced since it was opened")
        # mode=rw: never let sqlite3 create a file in place of a missing one
        uri = f"file:{urllib.parse.quote(self._path)}?mode=rw"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=self._busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            if guard.file_id is None:
                raise
            # e.g. its permissions changed: it is still refused, and said so
            raise guard.fail(f"its file can no longer be opened ({exc})") from exc
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.executescript(_SCHEMA)
            file_id = _identity(self._path)
            wal_id = _identity(self._path + "-wal")
        except BaseException:
            db.close()
            raise
        if guard.file_id is None:
            guard.file_id = file_id
            if created:
                logger.info("created the SQLite revocation store %s", self._path)
        elif file_id != guard.file_id:  # replaced between the check and the open
            _abandoned.append(db)
            raise guard.fail("its file was deleted or replaced since it was opened")
        self._db, self._wal_id = db, wal_id
        return db

    def abandon(self) -> None:
        """Forget the connection without closing it (in a forked child: it is the parent's)."""
        if self._db is not None:
            _abandoned.append(self._db)
        self._db = None

    def _disconnect(self) -> None:
        db, self._db, wal_id, self._wal_id = self._db, None, self._wal_id, None
        if db is None:
            return
        if _identity(self._path) != self._guard.file_id or (
            wal_id is not None and _identity(self._path + "-wal") != wal_id
        ):
            _abandoned.append(db)
            return
        with contextlib.suppress(sqlite3.Error):
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

    Only the store's first connection may create the file (logged at info with its path).
    Once opened, the store remembers which file it is: if it is deleted, replaced (by another
    file or a directory), loses its -wal file or can no longer be opened, every call fails
    with `RevocationStoreUnavailableError` and an error is logged, even after `close()` and
    `open()` or in a forked child, rather than starting over with an empty store.

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
        self._guard = _FileGuard(self.path)
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

    async def register_cutoff(
        self, subject: str, revoked_before_ms: int, expires_at_ms: int | None
    ) -> None:
        before = cutoff_seconds(revoked_before_ms)
        until = None if expires_at_ms is None else expires_at_ms / 1000
        await self._write(lambda db: _register_subject(db, subject, before, until))

    async def is_blacklisted(self, token: Token) -> bool:
        jti, subject = token.jti.bytes, token.sub
        iat = cutoff_seconds(issued_ms(token))  # compared as milliseconds, exactly
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
            self._reader = _DatabaseThread(self._guard, self._busy_timeout, "jwt-core-sqlite-read")
        return await self._run(self._reader, operation)

    async def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation` on the writing thread (made on first use)."""
        self._forget_if_forked()
        if self._writer is None:
            self._writer = _DatabaseThread(self._guard, self._busy_timeout, "jwt-core-sqlite-write")
        return await self._run(self._writer, operation)

    def _forget_if_forked(self) -> None:
        """In a child forked after first use, drop the parent's threads and connections.

        Their threads do not exist in the child (work sent to them would never run) and SQLite
        connections must not cross a fork; they are kept unclosed, as they belong to the
        parent. The identity of the file stays: the child refuses a file deleted or replaced
        since the parent opened it.
        """
        if self._pid != os.getpid():
            for thread in (self._reader, self._writer):
                if thread is not None:
                    thread.abandon()
            self._reader = self._writer = None
            self._guard.lock = threading.Lock()  # it may have been held when the fork happened
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
