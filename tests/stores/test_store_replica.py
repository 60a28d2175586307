"""The replica each worker keeps: what it holds, and that it never answers from a stale state.

Real worker processes (replica_worker.py) on one SQLite file or one Redis server. No timing
assertions: a replica "eventually" reaching a state is polled with a generous functional
timeout (store_cases.EVENTUALLY), and every answer seen on the way is checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

import jwt_core
from jwt_core.blacklist import RedisBlacklist, SQLiteBlacklist
from jwt_core.blacklist.redis import FEED_CLIENT_NAME
from jwt_core.blacklist.replica import ExpiringIds, Replica, UnknownChangeError
from tests.stores.store_cases import EVENTUALLY, delete_keys, eventually, outcome
from tests.support.clock import ManualClock
from tests.support.redis_server import RedisServer
from tests.support.tokens import make_token

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]  # the repository: `tests` is importable from there
CORE_SRC = Path(jwt_core.__file__).resolve().parent.parent


def jti() -> str:
    return str(uuid.uuid4())


# -- the structure ---------------------------------------------------------------------------
def test_an_id_goes_with_its_latest_expiry_whatever_order_it_came_in() -> None:
    ids = ExpiringIds()
    ids.add(1, 100.0)
    ids.add(1, 200.0)  # again, later: kept until 200
    ids.add(2, 200.0)
    ids.add(2, 100.0)  # again, earlier: still kept until 200
    ids.add(3, 100.0)
    ids.add(3, None)  # again, for good
    ids.add(3, 50.0)
    ids.add(4, None)
    ids.add(4, 10.0)
    assert ids.purge(150) == 0
    assert [i for i in (1, 2, 3, 4) if i in ids] == [1, 2, 3, 4]
    assert ids.purge(200) == 2
    assert [i for i in (1, 2, 3, 4) if i in ids] == [3, 4]
    assert ids.purge(10**12) == 0


def test_a_bulk_load_expires_in_order_and_accepts_more() -> None:
    ids = ExpiringIds()
    ids.load([9], [1, 2, 3, 4], [10.0, 20.0, 20.0, 30.0])
    ids.add(5, 15.0)
    ids.add(4, 40.0)  # loaded with 30, added again with 40
    assert ids.next_expiry() == 10.0
    assert ids.purge(20) == 4
    assert [i for i in (1, 2, 3, 4, 5, 9) if i in ids] == [4, 9]
    assert ids.purge(35) == 0
    assert ids.purge(40) == 1
    assert [i for i in (4, 9) if i in ids] == [9]


def test_a_bulk_load_of_an_id_given_twice_keeps_it_until_its_latest_expiry() -> None:
    ids = ExpiringIds()
    ids.load([7], [1, 2, 1, 7], [10.0, 20.0, 30.0, 40.0])  # 1 twice, 7 also for good
    assert len(ids) == 3
    assert ids.purge(25) == 1  # 2; not 1, whose later expiry is still to come
    assert [i for i in (1, 2, 7) if i in ids] == [1, 7]
    assert ids.purge(30) == 1
    assert ids.purge(10**12) == 0
    assert [i for i in (1, 7) if i in ids] == [7]


def test_the_replica_applies_feed_changes_and_refuses_unknown_kinds() -> None:
    replica = Replica()
    token = uuid.uuid4()
    replica.apply("jti", token.hex, 0, None)
    replica.apply("cutoff", "bob", 5_000, None)
    replica.apply("cutoff", "bob", 4_000, None)  # never moves back
    assert replica.is_revoked(token.int, "alice", 0)
    assert replica.is_revoked(uuid.uuid4().int, "bob", 5_000)
    assert not replica.is_revoked(uuid.uuid4().int, "bob", 5_001)
    family = uuid.uuid4().hex
    replica.apply("family", family, 0, None)
    assert replica.is_revoked(uuid.uuid4().int, "carol", 0, family)
    assert not replica.is_revoked(uuid.uuid4().int, "carol", 0, uuid.uuid4().hex)
    with pytest.raises(UnknownChangeError, match="grant"):
        replica.apply("grant", "x", 0, None)


# -- SQLite ----------------------------------------------------------------------------------
class Worker:
    """One replica_worker.py process."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, spec: dict[str, Any]) -> Worker:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(CORE_SRC)]))
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE / "replica_worker.py"), json.dumps(spec),
            env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        worker = cls(process)
        assert await worker._read() == {"ready": True}
        return worker

    async def _read(self) -> Any:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), EVENTUALLY)
        assert line, f"the worker exited ({self.process.returncode})"
        return json.loads(line)

    async def ask(self, **command: Any) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command).encode() + b"\n")
        await self.process.stdin.drain()
        return await self._read()

    async def revoke(self, token_id: str, iat: float) -> None:
        assert await self.ask(op="revoke", jti=token_id, iat=iat) == {"ok": True}

    async def check(self, token_ids: list[str], iat: float) -> list[bool | str]:
        result: list[bool | str] = (await self.ask(op="check", jtis=token_ids, iat=iat))["result"]
        return result

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGCONT)
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), EVENTUALLY)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()


async def test_two_sqlite_workers_see_each_others_revocations_at_the_very_next_check(
    tmp_path: Path,
) -> None:
    spec = {"kind": "sqlite", "path": str(tmp_path / "shared.sqlite3")}
    one, two = await Worker.start(spec), await Worker.start(spec)
    try:
        iat = time.time()
        for round_ in range(150):
            writer, reader = (one, two) if round_ % 2 == 0 else (two, one)
            revoked, untouched = jti(), jti()
            await writer.revoke(revoked, iat)
            assert await reader.check([revoked, untouched], iat) == [True, False], round_
    finally:
        await one.stop()
        await two.stop()


# The schema of the version before the replica (no seq, no revision, no triggers).
OLD_SCHEMA = """
CREATE TABLE revoked_token (jti BLOB PRIMARY KEY, expires_at REAL) WITHOUT ROWID;
CREATE INDEX revoked_token_expires_at ON revoked_token (expires_at);
CREATE TABLE revoked_subject (
    subject TEXT PRIMARY KEY, revoked_before REAL NOT NULL, expires_at REAL
) WITHOUT ROWID;
CREATE INDEX revoked_subject_expires_at ON revoked_subject (expires_at);
"""


async def test_a_file_of_the_previous_schema_is_migrated_keeping_every_row(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    now = time.time()
    old_token, old_subject = make_token("alice", iat=now, exp=now + 900), "bob"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("INSERT INTO revoked_token VALUES (?, ?)", (old_token.jti.bytes, now + 960))
        db.execute("INSERT INTO revoked_subject VALUES (?, ?, NULL)", (old_subject, now))
    store = SQLiteBlacklist(path)
    await store.open()
    try:
        assert await store.is_blacklisted(old_token) is True
        assert await store.is_blacklisted(make_token("bob", iat=now - 1, exp=None)) is True
        assert await store.is_blacklisted(make_token("alice", iat=now, exp=None)) is False
        # a writer of the previous version, knowing nothing of seq, is still seen at once
        late = make_token("carol", iat=now, exp=now + 900)
        with sqlite3.connect(path) as db:
            db.execute("INSERT OR REPLACE INTO revoked_token (jti, expires_at) VALUES (?, ?)",
                       (late.jti.bytes, now + 960))  # fmt: skip
        assert await store.is_blacklisted(late) is True
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM revoked_token").fetchone()[0] == 2


async def test_sqlite_replica_entries_go_with_their_tokens(tmp_path: Path) -> None:
    clock = ManualClock.from_wall_time()
    store = SQLiteBlacklist(tmp_path / "db.sqlite3", clock=clock)
    store.skew_margin = store.leeway  # zero: the entry goes with exp
    await store.open()
    try:
        short = make_token("alice", iat=clock.now, exp=clock.now + 10)
        long = make_token("alice", iat=clock.now, exp=clock.now + 1000)
        await store.register(short)
        await store.register(long)
        assert store.replica is not None
        assert len(store.replica.tokens) == 2
        clock.advance(11)
        await store.register(make_token("x", iat=clock.now, exp=clock.now + 1000))  # a change
        assert await store.is_blacklisted(long) is True
        assert len(store.replica.tokens) == 2  # short went, x came
        assert short.jti.int not in store.replica.tokens
    finally:
        await store.close()


async def test_sqlite_replica_loads_what_was_there_before_it_opened(tmp_path: Path) -> None:
    path, now = tmp_path / "db.sqlite3", time.time()
    first = SQLiteBlacklist(path)
    await first.open()
    tokens = [make_token("alice", iat=now, exp=now + 900) for _ in range(50)]
    for_good = make_token("alice", iat=now, exp=None)
    for token in [*tokens, for_good]:
        await first.register(token)
    await first.register_cutoff("bob", int(now * 1000), None)
    await first.close()
    second = SQLiteBlacklist(path)
    await second.open()
    try:
        assert second.replica is not None
        assert len(second.replica.tokens) == 51
        assert all([await second.is_blacklisted(t) for t in [*tokens, for_good]])
        assert await second.is_blacklisted(make_token("bob", iat=now - 1, exp=None))
    finally:
        await second.close()


async def test_a_commit_after_the_wal_started_over_is_seen_at_the_next_check(
    tmp_path: Path,
) -> None:
    """Checks compare the file's WAL-index header; a WAL started over after a checkpoint holds
    as many frames again, and must still count as a change."""
    path, now = tmp_path / "db.sqlite3", time.time()
    store = SQLiteBlacklist(path)
    await store.open()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        for round_ in range(30):
            token = make_token("alice", iat=now, exp=now + 900)
            assert await store.is_blacklisted(token) is False, round_
            # empty the WAL, so that this commit writes its frames from the start again
            other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            other.execute(
                "INSERT INTO revoked_token (jti, expires_at) VALUES (?, ?)",
                (token.jti.bytes, now + 960),
            )
            assert await store.is_blacklisted(token) is True, round_
    finally:
        other.close()
        await store.close()


def open_files() -> set[tuple[int, int]]:
    """The files this process has descriptors of, by identity, deleted ones too (Linux)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            stat = os.stat(f"/proc/self/fd/{fd}")
            found.add((stat.st_dev, stat.st_ino))
    return found


def identity(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="lists descriptors in /proc")
async def test_the_wal_index_is_mapped_while_a_store_reads_it_and_closed_after(
    tmp_path: Path,
) -> None:
    path, now = tmp_path / "db.sqlite3", time.time()
    one, two = SQLiteBlacklist(path), SQLiteBlacklist(path)
    await one.open()
    await two.open()
    token = make_token("alice", iat=now, exp=now + 900)
    assert await one.is_blacklisted(token) is False
    assert await two.is_blacklisted(token) is False
    shm = identity(f"{path}-shm")
    assert shm in open_files()
    await one.close()  # the other store still reads it: it stays mapped, and is kept current
    with sqlite3.connect(path) as other:
        other.execute(
            "INSERT INTO revoked_token (jti, expires_at) VALUES (?, ?)",
            (token.jti.bytes, now + 960),
        )
    other.close()
    assert await two.is_blacklisted(token) is True
    assert shm in open_files()
    await two.close()
    assert shm not in open_files()  # nothing left open once no store reads it (even deleted)


# -- Redis -----------------------------------------------------------------------------------
@pytest.fixture
async def redis_spec(redis_url: str) -> AsyncIterator[dict[str, Any]]:
    prefix = f"jwt-test-{uuid.uuid4().hex[:12]}:"
    yield {"kind": "redis", "url": redis_url, "prefix": prefix}
    client = redis.asyncio.from_url(redis_url)
    await delete_keys(client, prefix)
    await client.aclose()


# RedisBlacklist's default max_staleness: a check that starts later than this after a revoke
# returned must refuse the token (or be refused itself), in every other worker.
BOUND = 0.25


async def refused_by(worker: Worker, token_ids: list[str], iat: float, since: float) -> None:
    """Poll `worker` until it refuses all of `token_ids`, revoked by monotonic time `since`.

    It may accept one only in a check sent within `BOUND` of `since`; after that the staleness
    bound says it refuses, or fails closed. (The monotonic clock is the machine's, shared by
    all processes; a loaded machine only makes the checks later, never the rule false.)
    """

    async def all_refused() -> bool:
        sent = time.monotonic()
        answers = await worker.check(token_ids, iat)
        if False in answers:
            assert sent - since <= BOUND, "a revoked token was accepted past the bound"
        return all(answer is True for answer in answers)

    await eventually(all_refused, "the revocations reached the other worker")


async def test_redis_revoked_in_one_worker_is_refused_by_another(
    redis_spec: dict[str, Any],
) -> None:
    one, two = await Worker.start(redis_spec), await Worker.start(redis_spec)
    try:
        iat = time.time()
        for _ in range(20):
            revoked = jti()
            await one.revoke(revoked, iat)
            await refused_by(two, [revoked], iat, since=time.monotonic())
            assert await two.check([jti()], iat) == [False]
    finally:
        await one.stop()
        await two.stop()


async def feed_connection(url: str, pid: int, other_than: int | None = None) -> int:
    """The id of the connection worker `pid` reads its feed with (once it has one)."""
    found: list[int] = []

    async def connected() -> bool:
        client = redis.asyncio.from_url(url)
        try:
            found[:] = [
                int(entry["id"])
                for entry in await client.client_list()
                if entry.get("name") == f"{FEED_CLIENT_NAME}:{pid}"
                and int(entry["id"]) != other_than
            ]
        finally:
            await client.aclose()
        return bool(found)

    await eventually(connected, f"a feed connection of worker {pid}")
    return found[0]


async def test_a_killed_feed_connection_loses_nothing(redis_spec: dict[str, Any]) -> None:
    one, two = await Worker.start(redis_spec), await Worker.start(redis_spec)
    admin = redis.asyncio.from_url(redis_spec["url"])
    try:
        iat = time.time()
        for _ in range(5):
            victim = await feed_connection(redis_spec["url"], two.process.pid)
            revoked = jti()
            await one.revoke(revoked, iat)
            since = time.monotonic()
            assert await admin.client_kill_filter(_id=victim) == 1
            await refused_by(two, [revoked], iat, since)  # nothing lost on the reconnect
            await feed_connection(redis_spec["url"], two.process.pid, other_than=victim)
    finally:
        await admin.aclose()
        await one.stop()
        await two.stop()


async def test_a_stream_trimmed_past_a_worker_makes_it_load_everything_again(
    redis_spec: dict[str, Any],
) -> None:
    spec = {**redis_spec, "options": {"stream_maxlen": 10}}
    one, two = await Worker.start(spec), await Worker.start(spec)
    try:
        iat = time.time()
        assert (await two.ask(op="feed"))["resyncs"] == 1
        two.signal(signal.SIGSTOP)  # it reads nothing while the stream is trimmed
        revoked = [jti() for _ in range(400)]
        for token_id in revoked:
            await one.revoke(token_id, iat)
        since = time.monotonic()
        client = redis.asyncio.from_url(redis_spec["url"])
        try:
            store = RedisBlacklist(redis_spec["url"], prefix=redis_spec["prefix"])
            assert await client.xlen(store.stream_key) < 400  # trimmed
        finally:
            await client.aclose()
        two.signal(signal.SIGCONT)
        await refused_by(two, revoked, iat, since)
        assert (await two.ask(op="feed"))["resyncs"] == 2
    finally:
        await one.stop()
        await two.stop()


async def test_a_frozen_or_stopped_server_means_unavailable_then_recovery(
    own_redis_server: RedisServer,
) -> None:
    spec = {"kind": "redis", "url": own_redis_server.url, "prefix": "jwt:"}
    one, two = await Worker.start(spec), await Worker.start(spec)
    try:
        iat = time.time()
        revoked = jti()
        await one.revoke(revoked, iat)
        await refused_by(two, [revoked], iat, since=time.monotonic())

        async def unavailable() -> bool:
            answers = await two.check([revoked, jti()], iat)
            assert answers[0] is not False
            return answers == ["unavailable", "unavailable"]

        own_redis_server.freeze()
        try:
            await eventually(unavailable, "503 while the server is frozen")
        finally:
            own_redis_server.thaw()
        await refused_by(two, [revoked], iat, since=-BOUND)  # recovered, nothing forgotten
        assert await two.check([jti()], iat) == [False]

        own_redis_server.stop()
        await eventually(unavailable, "503 while the server is down")
        own_redis_server.start()  # empty: it kept no data
        later = jti()

        async def revoked_again() -> bool:  # the writer may need a moment to reconnect
            return bool(await one.ask(op="revoke", jti=later, iat=iat) == {"ok": True})

        await eventually(revoked_again, "revoking works again")
        await refused_by(two, [later], iat, since=time.monotonic())
    finally:
        await one.stop()
        await two.stop()


async def test_a_store_not_opened_here_checks_with_a_round_trip(redis_url: str) -> None:
    prefix = f"jwt-test-{uuid.uuid4().hex[:12]}:"
    writer = RedisBlacklist(redis_url, prefix=prefix)
    reader = RedisBlacklist(redis_url, prefix=prefix)  # never opened: no feed runs
    await writer.open()
    try:
        token = make_token("alice", iat=time.time(), exp=time.time() + 60)
        await writer.register(token)
        assert await outcome(reader.is_blacklisted(token)) is True  # at once: strict
    finally:
        await reader.close()
        await writer.close()
        client = redis.asyncio.from_url(redis_url)
        await delete_keys(client, prefix)
        await client.aclose()
