"""A revoked session family reaches the Redis index, so that a worker started later refuses it.

Each way a family is revoked (reuse detected while consuming, logout, `register_family`) is
followed by a worker that starts after it and loads from the index: the family's key is
deleted first, so only the index can tell. The same after an upgrade (keys of an earlier
version, no index): the first worker reads the keys and builds the index, the next loads it.
On one server and on a (one-node) Redis Cluster, where the family's key and the index sit in
different slots.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio

from jwt_core import TokenManager
from jwt_core.blacklist import RedisBlacklist
from jwt_core.blacklist.base import family_of
from jwt_core.errors import RevokedTokenError
from tests.stores.test_sessions_stores import manager_over
from tests.support.redis_server import RedisServer

HOW = ["reuse", "logout", "register_family"]


@dataclass
class Where:
    """A fresh prefix on one server or on a cluster: the URL, store options and a client."""

    url: str
    store: dict[str, Any]
    client: Any

    @asynccontextmanager
    async def worker(self) -> AsyncIterator[TokenManager]:
        """A manager over the store, opened (its replica loaded) like a starting worker's."""
        manager = manager_over("redis", self.url, store=self.store)
        await manager.open()
        try:
            yield manager
        finally:
            await manager.close()

    async def delete(self, *keys: str) -> None:
        for key in keys:  # one at a time: on a cluster their slots differ
            await self.client.delete(key)

    async def drop_the_index(self, store: RedisBlacklist) -> None:
        """Leave the keys as a version without the index wrote them (stream, counter stay)."""
        buckets = [key async for key in self.client.scan_iter(match=f"{store.feed_tag}:ids:*")]
        await self.delete(store.buckets_key, store.other_key, store.indexed_key, *buckets)


@pytest.fixture(params=["server", "cluster"])
async def where(request: pytest.FixtureRequest) -> AsyncIterator[Where]:
    prefix = f"jwt-test-{uuid.uuid4().hex[:12]}:"
    if request.param == "server":
        url: str = request.getfixturevalue("redis_url")
        result = Where(url, {"prefix": prefix}, redis.asyncio.from_url(url))
    else:
        node: RedisServer = request.getfixturevalue("cluster_node")
        client = redis.asyncio.RedisCluster.from_url(node.url)
        result = Where(node.url, {"prefix": prefix, "cluster": True}, client)
    try:
        yield result
    finally:
        await result.delete(*[key async for key in result.client.scan_iter(match=f"{prefix}*")])
        await result.client.aclose()


def redis_store(manager: TokenManager) -> RedisBlacklist:
    assert isinstance(manager.blacklist, RedisBlacklist)
    return manager.blacklist


async def revoke_a_family(manager: TokenManager, how: str) -> tuple[str, str, str]:
    """Revoke a session's family by `how`: (its family, a token of it that nothing but the
    family revokes, a token of another session of the same subject)."""
    login, other = manager.start_session("alice"), manager.start_session("alice")
    family = family_of(manager.decode(login.access_token))
    assert family is not None
    pair = await manager.rotate(login.refresh_token)
    if how == "reuse":
        await manager.rotate(pair.refresh_token)
        with pytest.raises(RevokedTokenError):
            await manager.rotate(login.refresh_token)  # its successor was used: reuse
    elif how == "logout":
        await manager.logout(await manager.verify(pair.access_token))
    else:
        await redis_store(manager).register_family(family, None)
    return family, login.access_token, other.access_token


async def assert_refused(manager: TokenManager, token: str, other: str) -> None:
    with pytest.raises(RevokedTokenError):
        await manager.verify(token)
    assert (await manager.verify(other)).sub == "alice"


@pytest.mark.parametrize("how", HOW)
async def test_a_worker_started_later_refuses_the_family_from_the_index(
    where: Where, how: str
) -> None:
    async with where.worker() as first:
        family, token, other = await revoke_a_family(first, how)
        await where.delete(redis_store(first).family_key(family))
        async with where.worker() as later:  # the key is gone: only the index holds the family
            await assert_refused(later, token, other)


@pytest.mark.parametrize("how", HOW)
async def test_a_family_in_the_keys_of_an_earlier_version_goes_into_the_index(
    where: Where, how: str
) -> None:
    async with where.worker() as first:
        family, token, other = await revoke_a_family(first, how)
        await where.drop_the_index(redis_store(first))
        async with where.worker() as upgraded:  # no index: reads the keys, builds the index
            await assert_refused(upgraded, token, other)
        await where.delete(redis_store(first).family_key(family))
        async with where.worker() as later:  # from the index the upgraded worker built
            await assert_refused(later, token, other)


async def test_a_family_that_skipped_the_index_is_taken_from_the_stream(where: Where) -> None:
    """A writer of an earlier version feeds the stream but not the index: the next worker
    adds its family change to the index, which then holds it once the stream is trimmed."""
    async with where.worker() as first:
        family, token, other = await revoke_a_family(first, "logout")  # the index is whole
        skipped = first.start_session("alice")
        skipped_family = family_of(first.decode(skipped.access_token))
        assert skipped_family is not None
        blacklist = redis_store(first)
        n = await where.client.incr(blacklist.counter_key)
        fields = {"n": n, "k": "family", "key": skipped_family, "v": "", "x": ""}
        await where.client.xadd(blacklist.stream_key, fields)  # no key, no index entry
        await where.delete(blacklist.family_key(family))
        async with where.worker() as later:  # from the index, and the skipped from the stream
            await assert_refused(later, token, other)
            with pytest.raises(RevokedTokenError):
                await later.verify(skipped.access_token)
        assert int(await where.client.get(blacklist.indexed_key)) == n
        await where.client.xtrim(blacklist.stream_key, maxlen=0)
        async with where.worker() as last:  # from the index alone
            await assert_refused(last, token, other)
            with pytest.raises(RevokedTokenError):
                await last.verify(skipped.access_token)


async def test_a_family_known_only_by_its_key_is_refused_at_rotation_and_fed_again(
    where: Where,
) -> None:
    """Only the family's key, no feed or index entry: what a reuse leaves on a cluster when
    the append after it failed. A worker whose replica does not know the family still refuses
    to rotate it (the consume script trusts the key), and on a cluster appends the family
    again, so that a worker starting later refuses its tokens from the index."""
    async with where.worker() as first:
        login = first.start_session("alice")
        family = family_of(first.decode(login.access_token))
        assert family is not None
        key = redis_store(first).family_key(family)
        await where.client.set(key, "1")  # the key alone, as a failed append leaves it
        assert (await first.verify(login.access_token)).sub == "alice"  # its replica: unaware
        with pytest.raises(RevokedTokenError):
            await first.rotate(login.refresh_token)
        with pytest.raises(RevokedTokenError):
            await first.verify(login.access_token)  # this worker knows now
        if where.store.get("cluster"):
            await where.delete(key)
            async with where.worker() as later:  # fed again: the index holds it
                with pytest.raises(RevokedTokenError):
                    await later.verify(login.access_token)
