"""Each store behind a real `TokenManager`, built from blacklist_class/blacklist_init_kwargs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

from jwt_core import Config, TokenManager
from jwt_core.blacklist import InMemoryBlacklist, RedisBlacklist, SQLiteBlacklist
from jwt_core.errors import (
    ConfigurationConflictError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
)
from tests.stores.store_cases import STORE_KINDS, delete_keys, eventually
from tests.support.redis_server import RedisServer

SECRET = "a-test-secret-of-more-than-thirty-two-bytes"


@pytest.fixture(params=STORE_KINDS)
async def manager(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TokenManager]:
    kind: str = request.param
    prefix = f"jwt-test-{uuid.uuid4().hex[:12]}:"
    options: dict[str, Any]
    if kind == "memory":
        options = {"blacklist_class": InMemoryBlacklist}
    elif kind == "sqlite":
        options = {
            "blacklist_class": SQLiteBlacklist,
            "blacklist_init_kwargs": {"path": str(tmp_path / "revoked.sqlite3")},
        }
    else:
        url: str = request.getfixturevalue("redis_url")
        options = {
            "blacklist_class": RedisBlacklist,
            "blacklist_init_kwargs": {"url": url, "prefix": prefix},
        }
    result = TokenManager(Config(secret_key=SECRET, use_blacklist=True, **options))
    await result.open()
    try:
        yield result
    finally:
        await result.close()
        if kind == "redis":
            client = redis.asyncio.from_url(request.getfixturevalue("redis_url"))
            await delete_keys(client, prefix)
            await client.aclose()


async def test_revoke_then_verify_refuses(manager: TokenManager) -> None:
    raw, other = manager.create_access_token("alice"), manager.create_access_token("alice")
    token = await manager.verify(raw)
    await manager.revoke(token)
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)
    assert (await manager.verify(other)).sub == "alice"


async def test_revoke_all_refuses_what_was_issued_before(manager: TokenManager) -> None:
    before = manager.create_access_token({"id": 7})
    refresh = manager.create_refresh_token({"id": 7})
    bob = manager.create_access_token("bob")
    await manager.revoke_all({"id": 7})
    # minted at once: revoke_all returns only after the millisecond of its cut-off has passed
    after = manager.create_access_token({"id": 7})
    with pytest.raises(RevokedTokenError):
        await manager.verify(before)
    with pytest.raises(RevokedTokenError):
        await manager.verify(refresh, token_type="refresh")
    assert (await manager.verify(bob)).sub == "bob"
    assert (await manager.verify(after)).identity == {"id": 7}


async def test_a_dead_redis_means_503_and_service_resumes(own_redis_server: RedisServer) -> None:
    manager = TokenManager(
        Config(
            secret_key=SECRET,
            use_blacklist=True,
            blacklist_class=RedisBlacklist,
            blacklist_init_kwargs={"url": own_redis_server.url},
            blacklist_timeout=5.0,
        )
    )
    await manager.open()
    try:
        raw = manager.create_access_token("alice")
        await manager.verify(raw)
        own_redis_server.stop()

        async def refused() -> bool:  # the replica stays current for at most 250 ms
            try:
                await manager.verify(raw)
            except RevocationStoreUnavailableError:
                return True
            return False

        await eventually(refused, "503 once the server is gone")
        own_redis_server.start()

        async def served() -> bool:
            try:
                return (await manager.verify(raw)).sub == "alice"
            except RevocationStoreUnavailableError:
                return False

        await eventually(served, "served again once the server is back")
    finally:
        await manager.close()


@pytest.mark.parametrize(
    ("given", "margin"),
    [
        (None, timedelta(seconds=60)),
        (timedelta(minutes=5), timedelta(minutes=5)),
        (0, timedelta(0)),
        (12.5, timedelta(seconds=12.5)),
    ],
    ids=["default", "timedelta", "zero", "seconds"],
)
def test_the_skew_margin_reaches_the_store(given: Any, margin: timedelta) -> None:
    options = {} if given is None else {"blacklist_skew_margin": given}
    manager = TokenManager(Config(secret_key=SECRET, use_blacklist=True, leeway=5, **options))
    assert manager.blacklist is not None
    assert manager.blacklist.skew_margin == margin
    assert manager.blacklist.leeway == timedelta(seconds=5)


@pytest.mark.parametrize("bad", [-1, timedelta(seconds=-1), "60", True, None])
def test_a_skew_margin_that_is_no_duration_is_refused(bad: Any) -> None:
    with pytest.raises(ConfigurationConflictError, match="blacklist_skew_margin"):
        TokenManager(Config(secret_key=SECRET, use_blacklist=True, blacklist_skew_margin=bad))


async def test_a_revoked_token_stays_revoked_within_the_margin_after_exp(
    manager: TokenManager,
) -> None:
    """End to end: the entry of a token past exp + leeway is still kept for the margin."""
    assert manager.blacklist is not None
    token = manager.decode(manager.create_access_token("alice"))
    await manager.revoke(token)
    expiry = manager.blacklist.entry_expiry(token)
    assert token.exp is not None
    assert expiry == token.exp + timedelta(seconds=60)
