"""`SQLiteBlacklist`: revocations in one SQLite file, shared by every process of one machine."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import mmap
import os
import sqlite3
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from uuid import UUID

from jwt_core.blacklist.base import (
    BlacklistABC,
    Consumed,
    cutoff_seconds,
    family_of,
    issued_ms,
    millisecond_of,
    process_id,
    within_grace,
)
from jwt_core.blacklist.replica import Replica
from jwt_core.errors import ConfigurationConflictError, RevocationStoreUnavailableError
from jwt_core.token import Token

__all__ = ["SQLiteBlacklist"]

logger = logging.getLogger("jwt_core")

T = TypeVar("T")

# `expires_at` is when the row may be deleted (epoch seconds); NULL means never.
# `revoked_before` is the cut-off millisecond k as the epoch seconds k / 1000 (what earlier
# versions stored too): compared with an `iat` written the same way, it orders exactly as
# the milliseconds do.
# `seq` numbers the changes in commit order, from the one-row `revision` table: triggers in
# the file set it on every insert and every raised cut-off, whoever writes (even a version of
# this store that knows nothing of it), so that a replica pulls only rows with a newer `seq`.
# Files of earlier versions (without `seq`) gain it on first open, their rows at seq 0.
_TABLES = (
    """CREATE TABLE IF NOT EXISTS revoked_token (
        jti BLOB PRIMARY KEY,
        expires_at REAL,
        seq INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS revoked_token_expires_at ON revoked_token (expires_at)",
    """CREATE TABLE IF NOT EXISTS revoked_subject (
        subject TEXT PRIMARY KEY,
        revoked_before REAL NOT NULL,
        expires_at REAL,
        seq INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS revoked_subject_expires_at ON revoked_subject (expires_at)",
    # sessions: revoked families (replicated like tokens), and consumed refresh tokens with
    # the successor each was rotated to (read by rotations only, never replicated)
    """CREATE TABLE IF NOT EXISTS revoked_family (
        family TEXT PRIMARY KEY,
        expires_at REAL,
        seq INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS revoked_family_expires_at ON revoked_family (expires_at)",
    """CREATE TABLE IF NOT EXISTS consumed_refresh (
        jti BLOB PRIMARY KEY,
        successor BLOB NOT NULL,
        successor_iat_ms INTEGER NOT NULL,
        successor_exp_ms INTEGER,
        consumed_at_ms INTEGER NOT NULL,
        expires_at REAL
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS consumed_refresh_expires_at ON consumed_refresh (expires_at)",
)

_SEQUENCING = (
    """CREATE TABLE IF NOT EXISTS revision (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        seq INTEGER NOT NULL
    )""",
    "INSERT OR IGNORE INTO revision (id, seq) VALUES (0, 0)",
    "CREATE INDEX IF NOT EXISTS revoked_token_seq ON revoked_token (seq)",
    "CREATE INDEX IF NOT EXISTS revoked_subject_seq ON revoked_subject (seq)",
    """CREATE TRIGGER IF NOT EXISTS revoked_token_sequenced AFTER INSERT ON revoked_token BEGIN
        UPDATE revision SET seq = seq + 1;
        UPDATE revoked_token SET seq = (SELECT seq FROM revision) WHERE jti = NEW.jti;
    END""",
    """CREATE TRIGGER IF NOT EXISTS revoked_subject_sequenced AFTER INSERT ON revoked_subject
    BEGIN
        UPDATE revision SET seq = seq + 1;
        UPDATE revoked_subject SET seq = (SELECT seq FROM revision) WHERE subject = NEW.subject;
    END""",
    """CREATE TRIGGER IF NOT EXISTS revoked_subject_resequenced
    AFTER UPDATE OF revoked_before, expires_at ON revoked_subject BEGIN
        UPDATE revision SET seq = seq + 1;
        UPDATE revoked_subject SET seq = (SELECT seq FROM revision) WHERE subject = NEW.subject;
    END""",
    "CREATE INDEX IF NOT EXISTS revoked_family_seq ON revoked_family (seq)",
    """CREATE TRIGGER IF NOT EXISTS revoked_family_sequenced AFTER INSERT ON revoked_family BEGIN
        UPDATE revision SET seq = seq + 1;
        UPDATE revoked_family SET seq = (SELECT seq FROM revision) WHERE family = NEW.family;
    END""",
    """CREATE TRIGGER IF NOT EXISTS revoked_family_resequenced
    AFTER UPDATE OF expires_at ON revoked_family BEGIN
        UPDATE revision SET seq = seq + 1;
        UPDATE revoked_family SET seq = (SELECT seq FROM revision) WHERE family = NEW.family;
    END""",
)

# What a file prepared by this version has: checked first, so that an up-to-date file is
# only read when a connection opens.
_PREPARED = """
SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN
        ('revoked_token_sequenced', 'revoked_subject_sequenced',
         'revoked_subject_resequenced', 'revoked_family_sequenced',
         'revoked_family_resequenced')) = 5
   AND (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'consumed_refresh') = 1
   AND (SELECT count(*) FROM pragma_table_info('revoked_token') WHERE name = 'seq') = 1
   AND (SELECT count(*) FROM pragma_table_info('revoked_subject') WHERE name = 'seq') = 1
"""

# The replica's pull, in one read transaction: the revision, then what changed after `?`.
_CHANGED_TOKENS = "SELECT jti, expires_at FROM revoked_token WHERE seq > ?"
_CHANGED_SUBJECTS = "SELECT subject, revoked_before, expires_at FROM revoked_subject WHERE seq > ?"
_CHANGED_FAMILIES = "SELECT family, expires_at FROM revoked_family WHERE seq > ?"
# The replica's first load: every row, tokens in expiry order (from the covering index).
_ALL_TOKENS_FOR_GOOD = "SELECT jti FROM revoked_token WHERE expires_at IS NULL"
_ALL_TOKENS_EXPIRING = (
    "SELECT jti, expires_at FROM revoked_token WHERE expires_at IS NOT NULL ORDER BY expires_at"
)

_CHECK = """
SELECT EXISTS (SELECT 1 FROM revoked_token WHERE jti = ?)
    OR EXISTS (SELECT 1 FROM revoked_subject WHERE subject = ? AND revoked_before >= ?)
    OR EXISTS (SELECT 1 FROM revoked_family WHERE family = ?)
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

# A family's row only ever lives longer.
_REGISTER_FAMILY = """
INSERT INTO revoked_family (family, expires_at) VALUES (?, ?)
ON CONFLICT (family) DO UPDATE SET
    expires_at = CASE
        WHEN expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
        ELSE max(expires_at, excluded.expires_at)
    END
"""

_CONSUMED = """
SELECT successor, successor_iat_ms, successor_exp_ms, consumed_at_ms
FROM consumed_refresh WHERE jti = ?
"""
_IS_CONSUMED = "SELECT EXISTS (SELECT 1 FROM consumed_refresh WHERE jti = ?)"
_CONSUME = """
INSERT INTO consumed_refresh
    (jti, successor, successor_iat_ms, successor_exp_ms, consumed_at_ms, expires_at)
VALUES (?, ?, ?, ?, ?, ?)
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


class _MappedIndex:
    """The WAL index (the "-shm" file) of one database, mapped read-only, and how many open
    stores of this process read it."""

    __slots__ = ("fd", "users", "view")

    def __init__(self, fd: int, view: mmap.mmap) -> None:
        self.fd, self.view, self.users = fd, view, 0


# By the identity of the -shm file. A mapping and its file descriptor are closed only when no
# store of this process reads them any more, after the stores' own connections are closed:
# closing any descriptor of a file drops every POSIX lock this process holds on it, including
# those SQLite's connections hold on the -shm (the one saying this process uses it), which
# would let another process start the index over under them.
_wal_indexes: dict[tuple[int, int], _MappedIndex] = {}
_wal_indexes_lock = threading.Lock()  # (stores may open and close on several threads)
# descriptors that cannot be closed safely (a forked child's copies of its parent's mappings,
# a file that could not be mapped after it was opened): kept open for the process's life
_kept_open: list[object] = []


def _forget_wal_indexes() -> None:
    """In a forked child: the parent's mappings are not the child's to close."""
    global _wal_indexes_lock
    _wal_indexes_lock = threading.Lock()  # it may have been held when the fork happened
    _kept_open.extend(_wal_indexes.values())
    _wal_indexes.clear()


if hasattr(os, "register_at_fork"):  # (not on Windows, which cannot fork)
    os.register_at_fork(after_in_child=_forget_wal_indexes)

# a WAL-index header is two copies of 48 bytes; a commit writes the second, then the first
_WAL_HEADER = 96
# How often (seconds) a check answered from the replica looks whether the file (and its -wal)
# is still the one opened. Every write and every read on a thread looks each time; a check
# looks at most this often, since each look is two system calls, which cost a busy worker
# more than the rest of the check.
IDENTITY_INTERVAL = 0.01


def _map_wal_index(path: str, users: set[tuple[int, int]]) -> mmap.mmap | None:
    """The WAL index of the database at `path` (a connection to it being open), mapped for a
    store whose mappings are `users`; None where it cannot be mapped (then every check asks
    SQLite)."""
    shm = path + "-shm"
    try:
        key: tuple[int, int] | None = _identity(shm)
    except OSError:
        return None
    with _wal_indexes_lock:
        entry = None if key is None else _wal_indexes.get(key)
        if key is None or entry is None:
            mapped = _new_mapping(shm)
            if mapped is None:
                return None
            key, entry = mapped
        if key not in users:
            users.add(key)
            entry.users += 1
        return entry.view


def _new_mapping(shm: str) -> tuple[tuple[int, int], _MappedIndex] | None:
    """Map the -shm file `shm`; once opened, its descriptor is never closed but by
    `_release_wal_indexes`."""
    try:
        fd = os.open(shm, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        stat = os.fstat(fd)
        key = (stat.st_dev, stat.st_ino)
        if key in _wal_indexes:  # the name was given to a file mapped already
            _kept_open.append(fd)
            return key, _wal_indexes[key]
        if stat.st_size < _WAL_HEADER:
            raise ValueError("not a WAL index")
        options = {"trackfd": False} if sys.version_info >= (3, 13) else {}
        view = mmap.mmap(fd, _WAL_HEADER, access=mmap.ACCESS_READ, **options)
    except (OSError, ValueError):
        _kept_open.append(fd)
        return None
    entry = _wal_indexes[key] = _MappedIndex(fd, view)
    return key, entry


def _release_wal_indexes(users: set[tuple[int, int]]) -> None:
    """A store no longer reads the mappings `users` (its connections are closed): close those
    no other store of this process reads."""
    with _wal_indexes_lock:
        for key in users:
            entry = _wal_indexes.get(key)
            if entry is None:
                continue
            entry.users -= 1
            if entry.users <= 0:
                del _wal_indexes[key]
                entry.view.close()
                with contextlib.suppress(OSError):
                    os.close(entry.fd)
        users.clear()


def _identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


class _Link:
    """One sqlite3 connection to the store's file, checked on every use to be still on it."""

    def __init__(
        self,
        guard: _FileGuard,
        busy_timeout: float,
        *,
        watch: set[tuple[int, int]] | None = None,
    ) -> None:
        self._guard = guard
        self._path = guard.path
        self._busy_timeout = busy_timeout
        self._db: sqlite3.Connection | None = None
        self._wal_id: tuple[int, int] | None = None
        self._watch = watch
        # the file's WAL index, mapped once connected (with `watch`): see `wal_header`
        self._wal_index: mmap.mmap | None = None
        self._checked_at = -math.inf  # (monotonic) when the file was last seen to be the same

    def use(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation` with the connection; after an error the next use reconnects."""
        try:
            return operation(self._connection())
        except _FileChanged:
            raise
        except (sqlite3.Error, OSError):
            self.disconnect()  # start from a fresh connection next time
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
            self._checked_at = time.monotonic()
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
            _use_wal(db, self._busy_timeout)
            db.execute("PRAGMA synchronous = FULL")
            _prepare(db)
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
        self._checked_at = time.monotonic()
        if self._watch is not None:
            self._wal_index = _map_wal_index(self._path, self._watch)
        return db

    def unchanged(self, db: sqlite3.Connection, header: bytes | None) -> bool:
        """Whether `db` is still this link's connection, nothing was committed to its file
        since its WAL-index header read `header`, and the file was seen to be the same less
        than `IDENTITY_INTERVAL` ago (nor found replaced by another connection since):
        answered from memory, without a system call."""
        return (
            header is not None
            and db is self._db
            and not self._guard.failing
            and time.monotonic() - self._checked_at < IDENTITY_INTERVAL
            and self.wal_header() == header
        )

    def wal_header(self) -> bytes | None:
        """The WAL-index header of the open connection's file, read from memory (no system
        call), or None when it is not mapped or a writer is writing it.

        SQLite rewrites it at every commit (two copies, the second first), and a connection's
        `PRAGMA data_version` changes exactly when it finds the header changed, so an
        unchanged header means nothing was committed since it was last read. The mapping is
        read only while this connection is open: SQLite then keeps the index from being
        started over (truncated) by another process.
        """
        index = self._wal_index
        if index is None or self._db is None:
            return None
        header = index[:_WAL_HEADER]
        return header if header[:48] == header[48:] else None

    def abandon(self) -> None:
        """Forget the connection without closing it (in a forked child: it is the parent's)."""
        if self._db is not None:
            _abandoned.append(self._db)
        self._db, self._wal_index = None, None

    def disconnect(self) -> None:
        db, self._db, wal_id, self._wal_id = self._db, None, self._wal_id, None
        self._wal_index = None
        if db is None:
            return
        if _identity(self._path) != self._guard.file_id or (
            wal_id is not None and _identity(self._path + "-wal") != wal_id
        ):
            _abandoned.append(db)
            return
        with contextlib.suppress(sqlite3.Error):
            db.close()


class _DatabaseThread:
    """One worker thread owning one `_Link`, so that its disk I/O never runs on the event loop."""

    def __init__(self, guard: _FileGuard, busy_timeout: float, name: str) -> None:
        self._link = _Link(guard, busy_timeout)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation` with the connection on the worker thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._link.use, operation)

    async def close(self) -> None:
        """Close the connection on its thread, then let the thread end."""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._link.disconnect)
        finally:
            self._executor.shutdown(wait=False)

    def abandon(self) -> None:
        """Forget the connection without closing it (in a forked child: it is the parent's)."""
        self._link.abandon()


def _use_wal(db: sqlite3.Connection, busy_timeout: float) -> None:
    """Put the file in WAL mode, waiting up to `busy_timeout` seconds for other connections.

    The first switch of a new file changes it for good, and it needs the write lock. SQLite
    does not call the busy handler for it: when another connection holds the write lock at
    that moment (another worker starting at the same time, creating the tables), the switch
    fails at once with "database is locked", which made a worker of a multi-worker app die
    at its first start now and then. So the switch is tried again until the lock is free.
    """
    deadline = time.monotonic() + busy_timeout
    pause = 0.001
    while True:
        try:
            if str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower() == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        if time.monotonic() >= deadline:
            raise sqlite3.OperationalError(
                f"database is locked: could not switch it to WAL within {busy_timeout} s"
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _prepare(db: sqlite3.Connection) -> None:
    """Create the tables, or bring those of an earlier version up to date, keeping every row.

    An up-to-date file is only read; otherwise it all happens in one write transaction, so
    that processes opening one file at once cannot both add a column.
    """
    if db.execute(_PREPARED).fetchone()[0]:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _TABLES:
            db.execute(statement)
        for table in ("revoked_token", "revoked_subject"):
            columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            if "seq" not in columns:
                db.execute(f"ALTER TABLE {table} ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
        for statement in _SEQUENCING:
            db.execute(statement)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def _is_blacklisted(
    db: sqlite3.Connection, jti: bytes, subject: str, iat: float, family: str | None
) -> bool:
    row = db.execute(_CHECK, (jti, subject, iat, family)).fetchone()
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


def _register_family(db: sqlite3.Connection, family: str, until: float | None) -> None:
    db.execute(_REGISTER_FAMILY, (family, until))


def _consume(
    db: sqlite3.Connection,
    jti: bytes,
    family: str,
    successor: Consumed,
    now_ms: int,
    grace_ms: int,
    until: float | None,
) -> Consumed:
    """`BlacklistABC.consume_refresh` in one write transaction: of the processes that race
    for one `jti`, the first to take the write lock inserts its row; the others then see it."""
    with db:  # one transaction, as in _purge (the connection is in autocommit mode otherwise)
        db.execute("BEGIN IMMEDIATE")
        row = db.execute(_CONSUMED, (jti,)).fetchone()
        if row is None:
            next_jti = successor.successor_jti.bytes
            iat_ms, exp_ms = successor.successor_iat_ms, successor.successor_exp_ms
            db.execute(_CONSUME, (jti, next_jti, iat_ms, exp_ms, now_ms, until))
            return successor
        recorded_jti, iat_ms, exp_ms, consumed_at_ms = row
        recorded = Consumed("retry", UUID(bytes=recorded_jti), iat_ms, exp_ms)
        if (
            within_grace(consumed_at_ms, now_ms, grace_ms)
            and not (db.execute(_IS_CONSUMED, (recorded_jti,)).fetchone()[0])
        ):
            return recorded
        db.execute(_REGISTER_FAMILY, (family, until))
        return recorded._replace(outcome="reused")


def _purge(db: sqlite3.Connection, now: float) -> int:
    """Delete every row whose token can no longer be accepted at `now`; return how many."""
    with db:  # one transaction (the connection is in autocommit mode otherwise)
        db.execute("BEGIN IMMEDIATE")
        tokens = db.execute("DELETE FROM revoked_token WHERE expires_at <= ?", (now,)).rowcount
        subjects = db.execute("DELETE FROM revoked_subject WHERE expires_at <= ?", (now,)).rowcount
        families = db.execute("DELETE FROM revoked_family WHERE expires_at <= ?", (now,)).rowcount
        consumed = db.execute("DELETE FROM consumed_refresh WHERE expires_at <= ?", (now,))
    return tokens + subjects + families + consumed.rowcount


_Changes = tuple[
    int,
    list[tuple[bytes, float | None]],
    list[tuple[str, float, float | None]],
    list[tuple[str, float | None]],
]


def _snapshot(db: sqlite3.Connection) -> tuple[int, Replica]:
    """Everything in the file, read in one transaction, as a replica and the revision it is at."""
    db.execute("BEGIN")
    try:
        revision = int(db.execute("SELECT seq FROM revision").fetchone()[0])
        from_bytes = int.from_bytes
        for_good = [from_bytes(row[0], "big") for row in db.execute(_ALL_TOKENS_FOR_GOOD)]
        rows = db.execute(_ALL_TOKENS_EXPIRING).fetchall()
        subjects = db.execute(_CHANGED_SUBJECTS, (-1,)).fetchall()
        families = db.execute(_CHANGED_FAMILIES, (-1,)).fetchall()
    finally:
        db.execute("COMMIT")
    expiring = [from_bytes(jti, "big") for jti, _ in rows]
    until = [at for _, at in rows]
    del rows
    cutoffs = [(s, millisecond_of(before), at) for s, before, at in subjects]
    return revision, Replica.from_snapshot(for_good, expiring, until, cutoffs, families)


def _changes(db: sqlite3.Connection, since: int) -> _Changes:
    """The revision of the file and the rows changed after revision `since`, read at once."""
    db.execute("BEGIN")
    try:
        revision = int(db.execute("SELECT seq FROM revision").fetchone()[0])
        if revision == since:
            return revision, [], [], []
        tokens = db.execute(_CHANGED_TOKENS, (since,)).fetchall()
        subjects = db.execute(_CHANGED_SUBJECTS, (since,)).fetchall()
        families = db.execute(_CHANGED_FAMILIES, (since,)).fetchall()
    finally:
        db.execute("COMMIT")
    return revision, tokens, subjects, families


class SQLiteBlacklist(BlacklistABC):
    """Revocations in one SQLite database file: shared by all workers, kept across restarts.

    The file is opened in WAL mode so checks never wait for a writer. Writes run off the event
    loop, on a thread with a connection of its own. Rows are deleted once their token has
    expired (at most every `purge_interval` seconds, on a write), so the file does not grow
    with old revocations. For several machines use `RedisBlacklist`.

    With `replica=True` (the default) each worker keeps the revocations in memory (a
    `Replica`, loaded in `open()`) and answers a check from it. Before each answer it looks
    whether any process committed since its last look: it compares the file's WAL-index
    header (mapped from the -shm file; SQLite rewrites it at every commit) with the one it
    saw, and only when it changed asks its own connection, on the event loop (`PRAGMA
    data_version`, a read that never waits for a writer), and reads the rows changed since
    (by their `seq`). A revocation committed by any process is therefore refused by the very
    next check everywhere, as with `replica=False`, which instead queries the file on a
    thread for every check.

    Only the store's first connection may create the file (logged at info with its path).
    Once opened, the store remembers which file it is: if it is deleted, replaced (by another
    file or a directory), loses its -wal file or can no longer be opened, every call fails
    with `RevocationStoreUnavailableError` and an error is logged, even after `close()` and
    `open()` or in a forked child, rather than starting over with an empty store. Writes
    notice it at once; checks answered from the replica within `IDENTITY_INTERVAL`.

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
        replica: bool = True,
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
        self._pid = process_id()
        self.replicated = replica
        # A check answered from the replica only reads the file on the loop, never waiting.
        self.performs_io = not replica
        self._replica: Replica | None = None
        self._revision = 0  # the file's `revision` the replica has every change up to
        self._on_loop: _Link | None = None  # the connection the event loop checks with
        # (connection, its data_version, the WAL-index header read before it) at the last look
        self._seen: tuple[sqlite3.Connection, int, bytes | None] | None = None
        self._checks = 0
        self._mapped: set[tuple[int, int]] = set()  # the WAL indexes its checks read

    def __repr__(self) -> str:
        return f"SQLiteBlacklist({self.path!r})"

    @property
    def replica(self) -> Replica | None:
        """This worker's replica (None until loaded, and with `replica=False`)."""
        return self._replica

    async def open(self) -> None:
        """Start the threads, create the file and its tables if needed, drop old rows, and
        load the replica."""
        await self.purge()
        if self.replicated:
            await self._load()

    async def close(self) -> None:
        threads = (self._reader, self._writer)
        self._reader = self._writer = None
        on_loop, self._on_loop, self._seen = self._on_loop, None, None
        if on_loop is not None:
            on_loop.disconnect()
        for thread in threads:
            if thread is not None:
                await thread.close()
        # only once every connection of the store is closed (not after a failed or cancelled
        # close: a write may still hold the file's locks); else they stay open
        _release_wal_indexes(self._mapped)

    async def register(self, token: Token) -> None:
        expiry = self.entry_expiry(token)
        until = None if expiry is None else expiry.timestamp()
        now = self._clock()
        purge_at = None
        if now >= self._next_purge:
            purge_at, self._next_purge = now, now + self._purge_interval
        jti = token.jti.bytes
        await self._write(lambda db: _register(db, jti, until, purge_at))
        if self._replica is not None:  # (the next check would read it from the file too)
            self._replica.revoke_token(token.jti.int, until)

    async def register_cutoff(
        self, subject: str, revoked_before_ms: int, expires_at_ms: int | None
    ) -> None:
        before = cutoff_seconds(revoked_before_ms)
        until = None if expires_at_ms is None else expires_at_ms / 1000
        await self._write(lambda db: _register_subject(db, subject, before, until))
        if self._replica is not None:
            self._replica.raise_cutoff(subject, revoked_before_ms, until)

    async def register_family(self, family: str, expires_at_ms: int | None) -> None:
        until = None if expires_at_ms is None else expires_at_ms / 1000
        await self._write(lambda db: _register_family(db, family, until))
        if self._replica is not None:
            self._replica.revoke_family(family, until)

    async def consume_refresh(
        self,
        jti: UUID,
        family: str,
        successor_jti: UUID,
        successor_iat_ms: int,
        successor_exp_ms: int | None,
        now_ms: int,
        grace_ms: int,
        until_ms: int | None,
    ) -> Consumed:
        until = None if until_ms is None else until_ms / 1000
        successor = Consumed("rotated", successor_jti, successor_iat_ms, successor_exp_ms)
        found = await self._write(
            lambda db: _consume(db, jti.bytes, family, successor, now_ms, grace_ms, until)
        )
        if found.outcome == "reused" and self._replica is not None:
            self._replica.revoke_family(family, until)
        return found

    async def is_blacklisted(self, token: Token) -> bool:
        if not self.replicated:
            jti, subject, family = token.jti.bytes, token.sub, family_of(token)
            iat = cutoff_seconds(issued_ms(token))  # compared as milliseconds, exactly
            return await self._read(lambda db: _is_blacklisted(db, jti, subject, iat, family))
        self._forget_if_forked()
        replica = self._replica
        if replica is None:
            replica = await self._load()
        elif not self._catch_up(replica):
            replica = await self._catch_up_off_loop(replica)
        return replica.is_revoked(token.jti.int, token.sub, issued_ms(token), family_of(token))

    async def purge(self) -> int:
        """Delete the rows of tokens that have expired now; return how many went."""
        now = self._clock()
        self._next_purge = now + self._purge_interval
        return await self._write(lambda db: _purge(db, now))

    async def _load(self) -> Replica:
        """Read the whole file into a new replica, on the checking thread."""
        revision, replica = await self._read(_snapshot)
        self._replica, self._revision, self._seen = replica, revision, None
        return replica

    def _catch_up(self, replica: Replica) -> bool:
        """On the loop: apply what other processes committed since the last look.

        Answered from memory while the file's WAL-index header is the one seen at the last
        look (nothing was committed since) and the file was checked recently; otherwise the
        connection is asked. False when the file could not be read without waiting (a lock
        held for a recovery): the caller then reads on the thread.
        """
        link = self._on_loop
        if link is None:
            # busy timeout 0: never wait on the loop
            link = self._on_loop = _Link(self._guard, 0.0, watch=self._mapped)
        seen = self._seen
        if seen is not None and link.unchanged(seen[0], seen[2]):
            changes = None
        else:
            try:
                changes = link.use(self._changes_if_any)
            except _FileChanged as exc:
                raise self._unavailable(exc) from exc
            except sqlite3.OperationalError:
                return False
            except (sqlite3.Error, OSError) as exc:
                raise self._unavailable(exc) from exc
        if changes is not None:
            self._apply(replica, changes)
        else:
            self._checks += 1
            if self._checks & 1023 == 0:  # nothing new for a while: forget what expired
                replica.purge(self._clock())
        return True

    async def _catch_up_off_loop(self, replica: Replica) -> Replica:
        """The same pull, on the checking thread, which may wait `busy_timeout`."""
        self._seen = None
        since = self._revision
        self._apply(replica, await self._read(lambda db: _changes(db, since)))
        return replica

    def _changes_if_any(self, db: sqlite3.Connection) -> _Changes | None:
        """The changes since `_revision`, or None if `db` says no other process committed.

        The WAL-index header is read before the data version, and both before the rows: a
        commit in between is read now and seen as a change next time, never missed.
        """
        seen = self._seen
        header = None if self._on_loop is None else self._on_loop.wal_header()
        version = int(db.execute("PRAGMA data_version").fetchone()[0])
        if seen is not None and seen[0] is db and seen[1] == version:
            self._seen = (db, version, header)
            return None
        changes = _changes(db, self._revision)
        self._seen = (db, version, header)
        return changes

    def _apply(self, replica: Replica, changes: _Changes) -> None:
        revision, tokens, subjects, families = changes
        if revision < self._revision:  # another file's history: the guard should have said so
            raise self._unavailable(sqlite3.DatabaseError("the revision of its file went back"))
        for jti, until in tokens:
            replica.revoke_token(int.from_bytes(jti, "big"), until)
        for subject, before, until in subjects:
            replica.raise_cutoff(subject, millisecond_of(before), until)
        for family, until in families:
            replica.revoke_family(family, until)
        self._revision = max(self._revision, revision)
        if replica.purge_due(now := self._clock()):
            replica.purge(now)

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
        since the parent opened it. So does the replica, with the revision it is at.
        """
        if self._pid != process_id():
            for thread in (self._reader, self._writer):
                if thread is not None:
                    thread.abandon()
            if self._on_loop is not None:
                self._on_loop.abandon()
            self._reader = self._writer = self._on_loop = None
            self._seen = None
            self._mapped.clear()  # the parent's (see _forget_wal_indexes)
            self._guard.lock = threading.Lock()  # it may have been held when the fork happened
            self._pid = process_id()

    async def _run(
        self, thread: _DatabaseThread, operation: Callable[[sqlite3.Connection], T]
    ) -> T:
        """Await `operation` on `thread`; a file that cannot be used becomes a library error."""
        try:
            return await thread.run(operation)
        except (sqlite3.Error, OSError) as exc:
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: BaseException) -> RevocationStoreUnavailableError:
        return RevocationStoreUnavailableError(
            f"the SQLite revocation store {self.path} cannot be used: {exc}"
        )
