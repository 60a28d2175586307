"""Revocation stores: what a check costs, what a replica costs to hold and to load, how fast
a revocation reaches another worker.

Prints
- the median microseconds of `is_blacklisted` (token not revoked, and revoked) for the memory,
  SQLite and Redis stores (replica, the default, and strict: `replica=False`), each already
  holding some revocations;
- the memory taken by an `InMemoryBlacklist` and by a worker's `Replica` holding 1,000,000
  revoked tokens (tracemalloc and RSS delta, measured in separate passes since tracemalloc
  inflates RSS);
- how long a worker takes to open (load its replica) against a store of 1,000,000 revocations
  and answer its first check, for SQLite and Redis;
- the propagation time between two worker processes on loopback (Redis replica): from
  `revoke()` returning in one to the token being refused in the other (p50, p99);
- the cost of one refresh-token rotation (`TokenManager.rotate`: verify, consume in the store,
  mint a pair) per store, as a ratio to minting a plain pair (`create_refresh_token +
  create_access_token`) measured in the same rounds.
The Redis stores talk to a valkey-server of their own on a loopback port (`REDIS_URL` is used
instead when set).

Run: `hatch run bench:stores` or `python benchmarks/stores.py [--revoked N]`;
`--rotation-only` prints the rotation rows alone.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import platform
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import MappingProxyType

from harness.machine import store_server_version
from harness.redis_server import RedisServer, start_server
from harness.report import table
from harness.tokens import make_token

from jwt_core import Config, TokenManager
from jwt_core.blacklist import (
    BlacklistABC,
    InMemoryBlacklist,
    RedisBlacklist,
    SQLiteBlacklist,
)
from jwt_core.blacklist.replica import Replica
from jwt_core.token import Token


def new_token(now: float, sub: str = "alice") -> Token:
    return make_token(sub, iat=now, exp=now + 900)


async def median_us(store: BlacklistABC, token: Token, rounds: int) -> float:
    """Median wall time of one awaited `is_blacklisted(token)`, in microseconds."""
    for _ in range(min(rounds, 200)):  # warm up connections, caches, the executor threads
        await store.is_blacklisted(token)
    samples = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        start = clock()
        await store.is_blacklisted(token)
        samples.append(clock() - start)
    return statistics.median(samples) / 1000


async def time_store(name: str, store: BlacklistABC, rounds: int, preload: int) -> list[str]:
    await store.open()
    try:
        now = time.time()
        for i in range(preload):
            await store.register(new_token(now, f"user{i % 100}"))
        revoked, clean = new_token(now), new_token(now)
        await store.register(revoked)
        assert await store.is_blacklisted(revoked) is True
        assert await store.is_blacklisted(clean) is False
        return [
            name,
            f"{await median_us(store, clean, rounds):.1f}",
            f"{await median_us(store, revoked, rounds):.1f}",
            str(rounds),
        ]
    finally:
        await store.close()


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; psutil elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import psutil

        return int(psutil.Process().memory_info().rss)


async def fill(store: InMemoryBlacklist, count: int) -> None:
    """Revoke `count` distinct tokens, built one at a time and dropped (only the store stays)."""
    now = time.time()
    claims = MappingProxyType({"sub": "alice", "iat": now, "nbf": now, "exp": now + 900})
    first = uuid.uuid4().int
    for i in range(count):
        token = Token(
            raw_jwt="x", raw_data=claims, type="access", identity="alice", sub="alice",
            jti=uuid.UUID(int=(first + i) % 2**128), iat=now, nbf=now, exp=now + 900,
            iss=None, aud=None, role=None, fresh=False, csrf=None,
        )  # fmt: skip
        await store.register(token)
    assert len(store) == count


async def memory_of_inmemory(count: int) -> tuple[float, float]:
    """(tracemalloc MiB, RSS delta MiB) of an InMemoryBlacklist holding `count` revocations."""
    gc.collect()
    before = rss_bytes()
    store = InMemoryBlacklist()
    await fill(store, count)
    gc.collect()
    rss_delta = rss_bytes() - before
    del store
    gc.collect()

    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    store = InMemoryBlacklist()
    await fill(store, count)
    gc.collect()
    traced = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del store
    return traced / 2**20, rss_delta / 2**20


def memory_of_replica(count: int) -> tuple[float, float]:
    """(tracemalloc MiB, RSS delta MiB) of a `Replica` holding `count` tokens, built as a
    worker builds it from a store (a bulk load, then ids as they come from a feed)."""

    def build() -> Replica:
        now = time.time()
        first = uuid.uuid4().int
        half = count // 2
        replica = Replica.from_snapshot(
            [],
            [(first + i) % 2**128 for i in range(half)],
            [now + 900 + i / 1000 for i in range(half)],
            [],
        )
        for i in range(half, count):
            replica.revoke_token((first + i) % 2**128, now + 900 + i / 1000)
        assert len(replica.tokens) == count
        return replica

    gc.collect()
    before = rss_bytes()
    replica = build()
    gc.collect()
    rss_delta = rss_bytes() - before
    del replica
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    replica = build()
    gc.collect()
    traced = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del replica
    return traced / 2**20, rss_delta / 2**20


async def startup_sqlite(path: Path, count: int) -> float:
    """Seconds for a new SQLiteBlacklist on a file of `count` revocations to open and answer."""
    store = SQLiteBlacklist(path)
    await store.open()  # creates the schema
    await store.close()
    now = time.time()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO revoked_token (jti, expires_at) VALUES (?, ?)",
            ((uuid.uuid4().bytes, now + 900 + i / 1000) for i in range(count)),
        )
    probe = new_token(now)
    gc.collect()
    start = time.perf_counter()
    store = SQLiteBlacklist(path)
    await store.open()
    assert await store.is_blacklisted(probe) is False
    elapsed = time.perf_counter() - start
    assert store.replica is not None
    assert len(store.replica.tokens) == count
    await store.close()
    return elapsed


# Make ARGV[2] revoked-token keys under prefix ARGV[1], expiring in about 15 minutes, each
# also in the index as the store writes it (KEYS[1]: its buckets, whose name ends in
# ":buckets"); the index is marked whole (KEYS[2]) up to the change counter (KEYS[3]).
_FILL = """
local tag = string.sub(KEYS[1], 1, #KEYS[1] - 8)
local now = redis.call('TIME')
local at = (tonumber(now[1]) + 900) * 1000
for i = 1, tonumber(ARGV[2]) do
  local id = ''
  for _ = 1, 8 do id = id .. string.format('%04x', math.random(0, 65535)) end
  redis.call('SET', ARGV[1] .. '{alice}:jti:' .. id, '1', 'PXAT', at + i)
  local bucket = math.ceil((at + i) / 60000) * 60000
  redis.call('APPEND', tag .. ':ids:' .. string.format('%d', bucket), id .. '\\n')
  redis.call('PEXPIREAT', tag .. ':ids:' .. string.format('%d', bucket), bucket)
  redis.call('ZADD', KEYS[1], bucket, string.format('%d', bucket))
end
redis.call('SET', KEYS[2], redis.call('GET', KEYS[3]) or '0')
return 0
"""


async def startup_redis(url: str, count: int) -> tuple[float, float]:
    """Seconds for a new RedisBlacklist on a server of `count` revocations to open and answer:
    from the index, and on the keys alone (as an earlier version left them: the first start
    after an upgrade, which reads every key and builds the index)."""
    import redis.asyncio

    prefix = "jwt-bench-start:"
    client = redis.asyncio.from_url(url)
    layout = RedisBlacklist(url, prefix=prefix)
    try:
        for done in range(0, count, 20_000):
            await client.eval(
                _FILL, 3, layout.buckets_key, layout.indexed_key, layout.counter_key,
                prefix, str(min(20_000, count - done)),
            )  # fmt: skip
        times = []
        for keys_only in (False, True):
            if keys_only:  # as an earlier version left them
                index = [key async for key in client.scan_iter(match=f"{layout.feed_tag}*")]
                await client.delete(*index)
            probe = new_token(time.time())
            gc.collect()
            start = time.perf_counter()
            store = RedisBlacklist(url, prefix=prefix)
            await store.open()
            assert await store.is_blacklisted(probe) is False
            times.append(time.perf_counter() - start)
            assert store.feed is not None
            loaded = len(store.feed.replica.tokens)
            resyncs = store.feed.resyncs
            await store.close()
            assert loaded >= count * 0.999, loaded  # (random ids: a collision is possible)
            assert resyncs == 1, resyncs
        assert await client.get(layout.indexed_key) is not None  # built by the second start
    finally:
        batch = []
        async for key in client.scan_iter(match=f"{prefix}*", count=10_000):
            batch.append(key)
            if len(batch) == 10_000:
                await client.unlink(*batch)
                batch = []
        if batch:
            await client.unlink(*batch)
        await client.aclose()
    return times[0], times[1]


def _reader(url: str, conn: Connection) -> None:
    """Worker B: for each token id received, check until refused; send when (monotonic)."""

    async def run() -> None:
        store = RedisBlacklist(url, prefix="jwt-bench-prop:")
        await store.open()
        conn.send("ready")
        while (jti := await asyncio.to_thread(conn.recv)) is not None:
            token = make_token("alice", iat=time.time(), exp=time.time() + 900, jti=jti)
            conn.send("polling")
            # a busy poll on purpose: the refusal is timed as soon as the feed has applied it
            while not await store.is_blacklisted(token):  # noqa: ASYNC110
                await asyncio.sleep(0)
            conn.send(time.monotonic())
        await store.close()

    asyncio.run(run())


def _writer(url: str, conn: Connection) -> None:
    """Worker A: revoke each token id received; send when revoke() returned (monotonic)."""

    async def run() -> None:
        store = RedisBlacklist(url, prefix="jwt-bench-prop:")
        await store.open()
        conn.send("ready")
        while (jti := await asyncio.to_thread(conn.recv)) is not None:
            now = time.time()
            await store.register(make_token("alice", iat=now, exp=now + 900, jti=jti))
            conn.send(time.monotonic())
        await store.close()

    asyncio.run(run())


def propagation_ms(url: str, rounds: int) -> tuple[float, float, float]:
    """(p50, p99, max) ms from revoke() returning in process A to refused in process B."""
    context = multiprocessing.get_context("spawn")
    (a_here, a_there), (b_here, b_there) = context.Pipe(), context.Pipe()
    writer = context.Process(target=_writer, args=(url, a_there))
    reader = context.Process(target=_reader, args=(url, b_there))
    writer.start()
    reader.start()
    try:
        assert a_here.recv() == "ready"
        assert b_here.recv() == "ready"
        samples = []
        for _ in range(rounds):
            jti = str(uuid.uuid4())
            b_here.send(jti)
            assert b_here.recv() == "polling"
            a_here.send(jti)
            returned = a_here.recv()
            refused = b_here.recv()
            samples.append(max(0.0, refused - returned) * 1000)
        a_here.send(None)
        b_here.send(None)
    finally:
        writer.join(30)
        reader.join(30)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1], samples[-1]


ROTATION_SECRET = "benchmark-secret-0123456789abcdef-0123456789abcdef"


def session_manager(store: type[BlacklistABC], **options: object) -> TokenManager:
    """A manager with sessions over `store` (HS256, the default options otherwise)."""
    config = Config(
        secret_key=ROTATION_SECRET,
        use_blacklist=True,
        blacklist_class=store,
        blacklist_init_kwargs=options,
    )
    return TokenManager(config)


async def rotation_costs(url: str, tmp: str, rounds: int, batch: int) -> list[list[str]]:
    """Median us per op over `rounds` round-robin rounds of `batch` ops: a plain pair minted,
    then one rotation per store (each of a login minted before the timing)."""
    managers = {
        "memory": session_manager(InMemoryBlacklist),
        "sqlite (replica)": session_manager(SQLiteBlacklist, path=str(Path(tmp, "rot.sqlite3"))),
        "redis (replica)": session_manager(RedisBlacklist, url=url, prefix="jwt-bench-rot:"),
    }
    for manager in managers.values():
        await manager.open()
    baseline = next(iter(managers.values()))
    samples: dict[str, list[float]] = {"plain pair": [], **{name: [] for name in managers}}
    clock = time.perf_counter_ns
    try:
        for _ in range(rounds):
            start = clock()
            for _ in range(batch):
                baseline.create_refresh_token("alice")
                baseline.create_access_token("alice")
            samples["plain pair"].append((clock() - start) / batch / 1000)
            for name, manager in managers.items():
                logins = [manager.start_session("alice").refresh_token for _ in range(batch)]
                start = clock()
                for raw in logins:
                    await manager.rotate(raw)
                samples[name].append((clock() - start) / batch / 1000)
    finally:
        for manager in managers.values():
            await manager.close()
    base = statistics.median(samples["plain pair"])
    rows = [["one operation", "us/op", "x plain pair"]]
    for name, values in samples.items():
        label = name if name == "plain pair" else f"rotate, {name}"
        median = statistics.median(values)
        rows.append([label, f"{median:.1f}", f"{median / base:.2f}"])
    return rows


def mib(traced: float, rss: float) -> list[str]:
    return [f"{traced:.1f}", f"{rss:.1f}"]


def per_token(traced: float, rss: float, per: float) -> list[str]:
    return [f"{traced * per:.0f}", f"{rss * per:.0f}"]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5000, help="timed checks per store")
    parser.add_argument("--preload", type=int, default=1000, help="revocations held when timed")
    parser.add_argument(
        "--revoked", type=int, default=1_000_000, help="tokens for the memory and startup rows"
    )
    parser.add_argument("--propagation", type=int, default=1000, help="revocations timed")
    parser.add_argument(
        "--redis-revoked", type=int, default=1_000_000, help="keys for the Redis startup rows"
    )
    parser.add_argument("--rotation-rounds", type=int, default=15, help="rounds of rotations")
    parser.add_argument("--rotation-batch", type=int, default=200, help="rotations per round")
    parser.add_argument(
        "--rotation-only", action="store_true", help="only the rotation rows (a quick run)"
    )
    parser.add_argument(
        "--redis-startup-only", action="store_true", help="only the Redis startup rows"
    )
    args = parser.parse_args()

    server: RedisServer | None = None
    url = os.environ.get("REDIS_URL")
    if not url:
        server = start_server()
        url = server.url
    try:
        if args.redis_startup_only:
            redis_start = await startup_redis(url, args.redis_revoked)
            print(table([STARTUP_HEADER, *redis_startup_rows(args.redis_revoked, redis_start)]))
            return
        with tempfile.TemporaryDirectory() as tmp:
            rotation = await rotation_costs(url, tmp, args.rotation_rounds, args.rotation_batch)
            if args.rotation_only:
                print_rotation(rotation, args.rotation_rounds, args.rotation_batch)
                return
            stores: list[tuple[str, Callable[[], BlacklistABC]]] = [
                ("memory", InMemoryBlacklist),
                ("sqlite (replica)", lambda: SQLiteBlacklist(Path(tmp, "bench.sqlite3"))),
                (
                    "sqlite strict",
                    lambda: SQLiteBlacklist(Path(tmp, "bench.sqlite3"), replica=False),
                ),
                ("redis (replica)", lambda: RedisBlacklist(url, prefix="jwt-bench:")),
                ("redis strict", lambda: RedisBlacklist(url, prefix="jwt-bench:", replica=False)),
            ]
            rows = [["store", "not revoked (us)", "revoked (us)", "checks"]]
            for name, make in stores:
                rows.append(await time_store(name, make(), args.rounds, args.preload))
            sqlite_start = await startup_sqlite(Path(tmp, "big.sqlite3"), args.revoked)
        redis_start = await startup_redis(url, args.redis_revoked)
        propagation = propagation_ms(url, args.propagation)
        version = store_server_version(url) if server is not None else "REDIS_URL"
    finally:
        if server is not None:
            server.cleanup()

    traced, rss = await memory_of_inmemory(args.revoked)
    replica_traced, replica_rss = memory_of_replica(args.revoked)

    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, server {version}")
    print(f"median of {args.rounds} sequential awaited checks; each store holds {args.preload}")
    print()
    print(table(rows))
    print()
    per = 1024 * 1024 / args.revoked
    print(
        table(
            [
                ["InMemoryBlacklist", "revoked tokens", "tracemalloc (MiB)", "RSS delta (MiB)"],
                ["", f"{args.revoked:,}", f"{traced:.1f}", f"{rss:.1f}"],
                ["per token (bytes)", "", f"{traced * per:.0f}", f"{rss * per:.0f}"],
                ["Replica (a worker's)", f"{args.revoked:,}", *mib(replica_traced, replica_rss)],
                ["per token (bytes)", "", *per_token(replica_traced, replica_rss, per)],
            ]
        )
    )
    print()
    print(
        table(
            [
                STARTUP_HEADER,
                ["SQLiteBlacklist", f"{args.revoked:,}", f"{sqlite_start:.2f}"],
                *redis_startup_rows(args.redis_revoked, redis_start),
            ]
        )
    )
    print()
    print_rotation(rotation, args.rotation_rounds, args.rotation_batch)
    print()
    p50, p99, worst = propagation
    print(
        f"Redis propagation, revoke() returned in one worker process -> refused in another "
        f"({args.propagation} revocations): p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms"
    )


STARTUP_HEADER = ["a worker starting against", "revocations", "open + first check (s)"]


def redis_startup_rows(count: int, seconds: tuple[float, float]) -> list[list[str]]:
    return [
        ["RedisBlacklist (replica)", f"{count:,}", f"{seconds[0]:.2f}"],
        ["  keys only (upgrade)", f"{count:,}", f"{seconds[1]:.2f}"],
    ]


def print_rotation(rows: list[list[str]], rounds: int, batch: int) -> None:
    print(
        f"refresh-token rotation (HS256; median of {rounds} round-robin rounds of {batch} ops; "
        "a rotation verifies the refresh token, consumes it in the store and mints a pair)"
    )
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
