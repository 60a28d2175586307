"""Sessions in the persistent stores: faults while consuming fail closed, old SQLite files
gain the session tables, and a store opened later loads the revoked families."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

from jwt_core import Config, Policy, TokenManager
from jwt_core.blacklist import RedisBlacklist, SQLiteBlacklist
from jwt_core.errors import RevocationStoreUnavailableError, RevokedTokenError
from tests.stores.store_cases import delete_keys, eventually
from tests.support.clock import ManualClock
from tests.support.redis_server import RedisServer

SECRET = "a-test-secret-of-more-than-thirty-two-bytes"
REFRESH = Policy(token_type="refresh")


def manager_over(kind: str, where: str, **options: Any) -> TokenManager:
    store_options = options.pop("store", {})
    if kind == "sqlite":
        store: dict[str, Any] = {
            "blacklist_class": SQLiteBlacklist,
            "blacklist_init_kwargs": {"path": where, **store_options},
        }
    else:
        store = {
            "blacklist_class": RedisBlacklist,
            "blacklist_init_kwargs": {"url": where, **store_options},
        }
    return TokenManager(Config(secret_key=SECRET, use_blacklist=True, **store, **options))


# -- faults while consuming --------------------------------------------------------------------
async def test_sqlite_locked_while_consuming_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "revoked.sqlite3"
    manager = manager_over("sqlite", str(path), store={"busy_timeout": 0.05})
    await manager.open()
    try:
        login = manager.start_session("alice")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            await manager.verify(login.refresh_token, REFRESH)  # reads still work
            with pytest.raises(RevocationStoreUnavailableError):
                await manager.rotate(login.refresh_token)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        pair = await manager.rotate(login.refresh_token)  # nothing was consumed
        assert (await manager.verify(pair.refresh_token, REFRESH)).sub == "alice"
    finally:
        await manager.close()


async def test_sqlite_file_replaced_while_consuming_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "revoked.sqlite3"
    manager = manager_over("sqlite", str(path))
    await manager.open()
    try:
        login = manager.start_session("alice")
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
            path.with_name(name).unlink(missing_ok=True)
        path.write_bytes(b"not a database" * 600)
        store = manager.blacklist
        assert store is not None
        jti = manager.decode(login.refresh_token).jti
        with pytest.raises(RevocationStoreUnavailableError):
            await store.consume_refresh(jti, "a" * 32, uuid.uuid4(), 0, None, 0, 0, None)
        with pytest.raises(RevocationStoreUnavailableError):
            await manager.rotate(login.refresh_token)
    finally:
        await manager.close()


async def test_redis_stopped_while_consuming_fails_closed(own_redis_server: RedisServer) -> None:
    manager = manager_over("redis", own_redis_server.url, store={"replica": False})
    await manager.open()
    try:
        login = manager.start_session("alice")
        jti = manager.decode(login.refresh_token).jti
        store = manager.blacklist
        assert store is not None
        own_redis_server.stop()
        with pytest.raises(RevocationStoreUnavailableError):
            await store.consume_refresh(jti, "a" * 32, uuid.uuid4(), 0, None, 0, 0, None)
        with pytest.raises(RevocationStoreUnavailableError):
            await manager.rotate(login.refresh_token)
        own_redis_server.start()
        assert await manager.rotate(login.refresh_token)
    finally:
        await manager.close()


async def test_redis_pausing_writes_while_consuming_fails_closed(
    own_redis_server: RedisServer,
) -> None:
    """Checks answer (reads go on), the consuming script waits: the rotation gives up within
    `blacklist_timeout` and returns no tokens; a retry afterwards gets the successor."""
    slow = {"socket_timeout": 10.0}  # longer than the pause: only blacklist_timeout ends it
    manager = manager_over("redis", own_redis_server.url, blacklist_timeout=0.3, store=slow)
    await manager.open()
    admin = redis.asyncio.from_url(own_redis_server.url)
    try:
        login = manager.start_session("alice")
        await admin.execute_command("CLIENT", "PAUSE", "3000", "WRITE")
        try:
            with pytest.raises(RevocationStoreUnavailableError):
                await manager.rotate(login.refresh_token)
        finally:
            await admin.execute_command("CLIENT", "UNPAUSE")
        pair = await manager.rotate(login.refresh_token)  # within the grace either way
        assert (await manager.verify(pair.refresh_token, REFRESH)).sub == "alice"
    finally:
        await admin.aclose()
        await manager.close()


# -- how long consumed tokens are remembered ------------------------------------------------
async def test_a_long_lived_plain_refresh_token_stays_consumed_while_it_is_valid(
    tmp_path: Path,
) -> None:
    """One minted with a longer expires_delta than the configured lifetimes: the record of
    its consumption lives as long as the token, so it cannot be rotated afresh later."""
    clock = ManualClock.from_wall_time()
    path = str(tmp_path / "revoked.sqlite3")
    config = Config(
        secret_key=SECRET,
        use_blacklist=True,
        blacklist_class=SQLiteBlacklist,
        blacklist_init_kwargs={"path": path, "clock": clock},
        session_max_age=False,
    )
    manager = TokenManager(config, clock=clock)
    await manager.open()
    try:
        raw = manager.create_refresh_token("alice", expires_delta=timedelta(days=90))
        await manager.rotate(raw)
        clock.advance(60 * 86400)  # past every configured lifetime, within the token's own
        store = manager.blacklist
        assert isinstance(store, SQLiteBlacklist)
        await store.purge()
        with pytest.raises(RevokedTokenError):
            await manager.rotate(raw)
    finally:
        await manager.close()


# -- files of earlier versions ---------------------------------------------------------------
async def test_a_sqlite_file_without_the_session_tables_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "revoked.sqlite3"
    manager = manager_over("sqlite", str(path))
    await manager.open()
    old = await manager.verify(manager.create_access_token("alice"))
    await manager.revoke(old)
    await manager.close()
    with sqlite3.connect(path) as db:  # back to the schema of the version before sessions
        db.execute("DROP TABLE revoked_family")
        db.execute("DROP TABLE consumed_refresh")
    manager = manager_over("sqlite", str(path), refresh_reuse_grace=0)
    await manager.open()
    try:
        assert await manager.blacklist.is_blacklisted(old) is True  # type: ignore[union-attr]
        login = manager.start_session("alice")
        await manager.rotate(login.refresh_token)
        with pytest.raises(RevokedTokenError):
            await manager.rotate(login.refresh_token)  # no grace: reuse
        with pytest.raises(RevokedTokenError):
            await manager.verify(login.access_token)
    finally:
        await manager.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM revoked_token").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM revoked_family").fetchone()[0] == 1


# -- a store opened later ----------------------------------------------------------------------
async def test_a_store_opened_later_loads_the_revoked_families(
    persistent_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    prefix = f"jwt-test-{uuid.uuid4().hex[:12]}:"
    if persistent_kind == "sqlite":
        where, store = str(tmp_path / "revoked.sqlite3"), {}
    else:
        where, store = request.getfixturevalue("redis_url"), {"prefix": prefix}
    first = manager_over(persistent_kind, where, store=store)
    await first.open()
    try:
        login, other = first.start_session("alice"), first.start_session("alice")
        await first.logout(await first.verify(login.access_token))
        later = manager_over(persistent_kind, where, store=store)
        await later.open()  # a full load: the family is in it
        try:
            with pytest.raises(RevokedTokenError):
                await later.rotate(login.refresh_token)
            assert (await later.verify(other.access_token)).sub == "alice"
            # and a family revoked afterwards comes through the change feed
            await first.logout(await first.verify(other.access_token))

            async def refused() -> bool:
                try:
                    await later.verify(other.refresh_token, REFRESH)
                except RevokedTokenError:
                    return True
                return False

            await eventually(refused, "the other process's logout is refused here")
        finally:
            await later.close()
    finally:
        await first.close()
        if persistent_kind == "redis":
            client = redis.asyncio.from_url(where)
            await delete_keys(client, prefix)
            await client.aclose()


# -- a Redis Cluster -----------------------------------------------------------------------------
@pytest.mark.parametrize("replica", [True, False])
async def test_sessions_work_against_a_redis_cluster(
    cluster_node: RedisServer, replica: bool
) -> None:
    """The consumed keys, the successor's and the family's share one slot; the feed has its
    own, written after; a strict check asks the family's slot apart."""
    prefix = f"jwt-test-{uuid.uuid4().hex[:12]}:"
    store = {"cluster": True, "prefix": prefix, "replica": replica}
    manager = manager_over("redis", cluster_node.url, store=store)
    await manager.open()
    try:
        login, other = manager.start_session("alice"), manager.start_session("alice")
        pair = await manager.rotate(login.refresh_token)
        retry = await manager.rotate(login.refresh_token)  # inside the grace
        assert manager.decode(retry.refresh_token).jti == manager.decode(pair.refresh_token).jti
        await manager.rotate(pair.refresh_token)
        with pytest.raises(RevokedTokenError):
            await manager.rotate(login.refresh_token)  # its successor was used: reuse

        async def refused() -> bool:
            try:
                await manager.verify(pair.access_token)
            except RevokedTokenError:
                return True
            return False

        await eventually(refused, "the reused family is refused")
        assert (await manager.verify(other.access_token)).sub == "alice"
    finally:
        await manager.close()
