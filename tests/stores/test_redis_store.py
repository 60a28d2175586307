"""What only `RedisBlacklist` does: key layout, hash slots, Redis Cluster, clients, prefixes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import redis.asyncio
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

import jwt_core
from jwt_core.blacklist import RedisBlacklist
from jwt_core.errors import ConfigurationConflictError
from tests.stores.store_cases import delete_keys
from tests.support.redis_server import RedisServer, free_port
from tests.support.tokens import make_token

AWKWARD_SUBJECTS = ["alice", "", "{", "}", "{}", "a}b{c", '{"id": 7}', "%", "ünï", "x:y"]


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    result = redis.asyncio.from_url(redis_url)
    yield result
    await result.aclose()


@pytest.fixture
def prefix() -> str:
    return f"jwt-test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture
async def store(
    redis_url: str, prefix: str, client: redis.asyncio.Redis
) -> AsyncIterator[RedisBlacklist]:
    result = RedisBlacklist(redis_url, prefix=prefix)
    await result.open()
    yield result
    await result.close()
    await delete_keys(client, prefix)


@pytest.mark.parametrize("subject", AWKWARD_SUBJECTS)
async def test_the_keys_of_one_check_share_a_hash_slot(
    store: RedisBlacklist, client: redis.asyncio.Redis, prefix: str, subject: str
) -> None:
    now = time.time()
    token = make_token(subject, iat=now, exp=now + 60)
    await store.register(token)
    await store.register_identity(subject, at(now), at(now + 60))
    keys = [key.decode() async for key in client.scan_iter(match=f"{prefix}*")]
    feed = [key for key in keys if key.startswith(store.feed_tag)]  # stream, index, ...
    keys = [key for key in keys if key not in feed]
    assert sorted(keys) == sorted([store.token_key(token), store.cutoff_key(subject)])
    assert key_slot(keys[0].encode()) == key_slot(keys[1].encode())
    assert len({key_slot(key.encode()) for key in feed}) == 1  # the feed's own slot
    tag = store.subject_tag(subject)
    assert tag.count("{") == 1
    assert tag.count("}") == 1
    assert not tag.endswith("{}")


async def test_the_cutoff_key_expires_when_the_last_token_could(
    store: RedisBlacklist, client: redis.asyncio.Redis
) -> None:
    now = time.time()
    await store.register_identity("alice", at(now), at(now + 600))
    pttl = await client.pttl(store.cutoff_key("alice"))
    assert 595_000 <= pttl <= 601_000


async def test_the_cutoff_never_moves_back_nor_dies_early(
    store: RedisBlacklist, client: redis.asyncio.Redis
) -> None:
    """Workers with skewed clocks may write an older cut-off after a newer one."""
    now = time.time()
    key = store.cutoff_key("alice")
    await store.register_identity("alice", at(now), at(now + 600))
    await store.register_identity("alice", at(now - 10), at(now + 60))
    assert await store.is_blacklisted(make_token("alice", iat=now - 1, exp=None)) is True
    assert await client.pttl(key) > 500_000
    await store.register_identity("alice", at(now + 5), at(now + 900))
    assert await store.is_blacklisted(make_token("alice", iat=now + 4, exp=None)) is True
    assert await client.pttl(key) > 800_000
    await store.register_identity("alice", at(now), None)
    assert await client.pttl(key) == -1
    await store.register_identity("alice", at(now), at(now + 60))
    assert await client.pttl(key) == -1  # "for ever" is not shortened either
    assert await store.is_blacklisted(make_token("alice", iat=now + 4, exp=None)) is True


async def test_prefixes_keep_apps_apart(redis_url: str, client: redis.asyncio.Redis) -> None:
    one = RedisBlacklist(redis_url, prefix=f"app1-{uuid.uuid4().hex}:")
    two = RedisBlacklist(redis_url, prefix=f"app2-{uuid.uuid4().hex}:")
    now = time.time()
    token = make_token(iat=now, exp=now + 60)
    try:
        await one.register(token)
        await one.register_identity("bob", at(now), None)
        assert await one.is_blacklisted(token) is True
        assert await two.is_blacklisted(token) is False
        assert await two.is_blacklisted(make_token("bob", iat=now - 1, exp=None)) is False
    finally:
        await one.close()
        await two.close()
        await delete_keys(client, one.prefix)
        await delete_keys(client, two.prefix)


async def test_a_ready_client_is_used_and_left_open(
    redis_url: str, prefix: str, client: redis.asyncio.Redis
) -> None:
    store = RedisBlacklist(client=client, prefix=prefix)
    await store.open()
    now = time.time()
    token = make_token(iat=now, exp=now + 60)
    await store.register(token)
    assert await store.is_blacklisted(token) is True
    await store.close()
    assert await client.exists(store.token_key(token)) == 1  # still usable: not ours to close
    await delete_keys(client, prefix)


def test_client_and_url_together_are_refused(client: redis.asyncio.Redis) -> None:
    with pytest.raises(ConfigurationConflictError):
        RedisBlacklist("redis://localhost", client=client)


def test_nonsense_options_are_refused() -> None:
    with pytest.raises(ConfigurationConflictError):
        RedisBlacklist(socket_timeout=0)
    with pytest.raises(ConfigurationConflictError):
        RedisBlacklist(max_connections=0)


def test_built_from_keyword_arguments_alone(redis_url: str) -> None:
    """The TokenManager builds the store as blacklist_class(**blacklist_init_kwargs)."""
    kwargs = {"url": redis_url, "prefix": "myapp:", "socket_timeout": 0.5, "db": 0}
    store = RedisBlacklist(**kwargs)  # type: ignore[arg-type]
    assert store.url == redis_url
    assert store.prefix == "myapp:"
    assert RedisBlacklist().url == "redis://localhost:6379/0"


async def started(url: str, prefix: str) -> RedisBlacklist:
    result = RedisBlacklist(url, prefix=prefix)
    await result.open()
    return result


async def test_a_worker_loads_the_index_not_the_keys(
    store: RedisBlacklist, client: redis.asyncio.Redis, redis_url: str, prefix: str
) -> None:
    now = time.time()
    tokens = [make_token("alice", iat=now, exp=now + 60), make_token("bob", iat=now, exp=None)]
    for token in tokens:
        await store.register(token)
    await store.register_identity("carol", at(now), at(now + 60))
    await client.delete(*(store.token_key(token) for token in tokens), store.cutoff_key("carol"))
    worker = await started(redis_url, prefix)
    try:  # the keys are gone: only the index can say so
        assert all([await worker.is_blacklisted(token) for token in tokens])
        assert await worker.is_blacklisted(make_token("carol", iat=now - 1, exp=now + 60)) is True
        assert await worker.is_blacklisted(make_token("alice", iat=now, exp=now + 60)) is False
    finally:
        await worker.close()


async def test_keys_of_an_earlier_version_are_read_and_indexed_on_the_first_start(
    client: redis.asyncio.Redis, redis_url: str, prefix: str
) -> None:
    now = time.time()
    old, older = make_token("alice", iat=now, exp=now + 60), make_token("bob", iat=now, exp=None)
    layout = RedisBlacklist(redis_url, prefix=prefix)
    try:  # as a version without the index wrote them: the keys alone
        await client.set(layout.token_key(old), "1", pxat=int((now + 120) * 1000))
        await client.set(layout.token_key(older), "1")
        await client.set(layout.cutoff_key("carol"), repr(now), pxat=int((now + 120) * 1000))
        cut_off = make_token("carol", iat=now - 1, exp=now + 60)
        first = await started(redis_url, prefix)
        try:
            assert await first.is_blacklisted(old) is True
            assert await first.is_blacklisted(older) is True
            assert await first.is_blacklisted(cut_off) is True
        finally:
            await first.close()
        assert await client.get(layout.indexed_key) is not None
        await client.delete(layout.token_key(old), layout.token_key(older))
        second = await started(redis_url, prefix)
        try:  # from the index built by the first
            assert await second.is_blacklisted(old) is True
            assert await second.is_blacklisted(older) is True
            assert await second.is_blacklisted(cut_off) is True
        finally:
            await second.close()
    finally:
        await delete_keys(client, prefix)


async def test_changes_that_skipped_the_index_are_taken_from_the_stream_or_the_keys(
    store: RedisBlacklist, client: redis.asyncio.Redis, redis_url: str, prefix: str
) -> None:
    """A writer of an earlier version feeds the stream but not the index: the next worker adds
    its changes from the stream, or, once the stream no longer holds them, reads the keys."""
    now = time.time()
    await store.register(make_token("alice", iat=now, exp=now + 60))  # the index is whole
    skipped = make_token("bob", iat=now, exp=now + 60)
    until = str(int((now + 120) * 1000))
    await client.set(store.token_key(skipped), "1", pxat=int(until))
    n = await client.incr(store.counter_key)
    fields = {"n": n, "k": "jti", "key": skipped.jti.hex, "v": "", "x": until}
    await client.xadd(store.stream_key, fields)  # type: ignore[arg-type]
    await client.delete(store.token_key(skipped))
    worker = await started(redis_url, prefix)
    try:  # not in the keys any more: from the stream
        assert await worker.is_blacklisted(skipped) is True
    finally:
        await worker.close()
    assert int(await client.get(store.indexed_key)) == n

    trimmed = make_token("carol", iat=now, exp=now + 60)
    await client.set(store.token_key(trimmed), "1", pxat=int(until))
    n = await client.incr(store.counter_key)
    fields = {"n": n, "k": "jti", "key": trimmed.jti.hex, "v": "", "x": until}
    await client.xadd(store.stream_key, fields)  # type: ignore[arg-type]
    later = {"n": n + 1, "k": "jti", "key": uuid.uuid4().hex, "v": "", "x": ""}
    await client.xadd(store.stream_key, later)  # type: ignore[arg-type]
    await client.incr(store.counter_key)
    await client.xtrim(store.stream_key, maxlen=1)  # the entry of `trimmed` is gone
    worker = await started(redis_url, prefix)
    try:  # from its key
        assert await worker.is_blacklisted(trimmed) is True
    finally:
        await worker.close()
    assert int(await client.get(store.indexed_key)) == n + 1


async def run_against_cluster(store: RedisBlacklist) -> None:
    now = time.time()
    tokens = [make_token(f"user{i % 5}", iat=now, exp=now + 60) for i in range(50)]
    for token in tokens[::2]:
        await store.register(token)
    await store.register_identity("user4", at(now), at(now + 60))
    results = [await store.is_blacklisted(token) for token in tokens]
    assert results == [i % 2 == 0 or i % 5 == 4 for i in range(50)]
    braces = make_token('{"id": 1}', iat=now, exp=None)
    await store.register(braces)
    assert await store.is_blacklisted(braces) is True


async def test_works_against_a_redis_cluster(cluster_node: RedisServer, prefix: str) -> None:
    store = RedisBlacklist(cluster_node.url, cluster=True, prefix=prefix)
    try:
        await store.open()
        await run_against_cluster(store)
    finally:
        await store.close()


async def test_works_with_a_ready_cluster_client(cluster_node: RedisServer, prefix: str) -> None:
    cluster = RedisCluster.from_url(cluster_node.url)
    store = RedisBlacklist(client=cluster, prefix=prefix)
    try:
        await run_against_cluster(store)
    finally:
        await store.close()
        await cluster.aclose()


async def test_the_cluster_node_refuses_keys_of_two_slots(cluster_node: RedisServer) -> None:
    """The server, not only the client, enforces one slot per command: the test node is real."""
    plain = redis.asyncio.from_url(cluster_node.url)
    try:
        with pytest.raises(redis.ResponseError, match="same slot"):
            await plain.execute_command("MGET", "{a}x", "{b}y")
        assert await plain.execute_command("MGET", "{a}x", "{a}y") == [None, None]
    finally:
        await plain.aclose()


def test_importable_without_redis_installed() -> None:
    """jwt_core.blacklist imports without redis-py; making a RedisBlacklist then says why not."""
    snippet = """
import sys
sys.modules["redis"] = None  # as if redis-py were not installed
from jwt_core.blacklist import RedisBlacklist, SQLiteBlacklist
import jwt_core
try:
    RedisBlacklist("redis://localhost")
except ImportError as exc:
    print(exc)
"""
    env = dict(os.environ, PYTHONPATH=str(Path(jwt_core.__file__).resolve().parent.parent))
    result = subprocess.run(
        [sys.executable, "-c", snippet], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'jwt-core[redis]'" in result.stdout


def test_a_port_for_a_cluster_node_leaves_room_for_its_bus_port() -> None:
    """A cluster node also listens on its port + 10000: its port is picked at most 55535
    (one start in five failed with "port number too high" when any free port would do)."""
    assert all(free_port(55535) <= 55535 for _ in range(50))
