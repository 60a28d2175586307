"""Revocation stores: what a check costs per request, and what the memory store costs to hold.

Prints the median microseconds of `is_blacklisted` (token not revoked, and revoked) for the
memory, SQLite and Redis stores, each already holding some revocations, and the memory taken
by an `InMemoryBlacklist` holding 1,000,000 revoked tokens (tracemalloc and RSS delta, measured
in separate passes since tracemalloc inflates RSS). The Redis store talks to a valkey-server
of its own on a loopback port (`REDIS_URL` is used instead when set).

Run: `hatch run bench:stores` or `python benchmarks/stores.py [--revoked N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

from harness.machine import store_server_version
from harness.redis_server import RedisServer, start_server
from harness.report import table
from harness.tokens import make_token

from jwt_core.blacklist import (
    BlacklistABC,
    InMemoryBlacklist,
    RedisBlacklist,
    SQLiteBlacklist,
)
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5000, help="timed checks per store")
    parser.add_argument("--preload", type=int, default=1000, help="revocations held when timed")
    parser.add_argument("--revoked", type=int, default=1_000_000, help="tokens for the memory row")
    args = parser.parse_args()

    server: RedisServer | None = None
    url = os.environ.get("REDIS_URL")
    if not url:
        server = start_server()
        url = server.url
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stores: list[tuple[str, Callable[[], BlacklistABC]]] = [
                ("memory", InMemoryBlacklist),
                ("sqlite", lambda: SQLiteBlacklist(Path(tmp, "bench.sqlite3"))),
                ("redis", lambda: RedisBlacklist(url, prefix="jwt-bench:")),
            ]
            rows = [["store", "not revoked (us)", "revoked (us)", "checks"]]
            for name, make in stores:
                rows.append(await time_store(name, make(), args.rounds, args.preload))
        version = store_server_version(url) if server is not None else "REDIS_URL"
    finally:
        if server is not None:
            server.cleanup()

    traced, rss = await memory_of_inmemory(args.revoked)

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
            ]
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
