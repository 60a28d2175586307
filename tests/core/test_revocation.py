"""Revoking a token (manager.revoke or token.revoke) makes verify refuse it; needs use_blacklist."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwt_core import (
    ConfigurationConflictError,
    InMemoryBlacklist,
    RevokedTokenError,
    TokenManager,
)
from tests.core.conftest import MakeManager
from tests.support.clock import ManualClock


@pytest.fixture
def manager(make_manager: MakeManager) -> TokenManager:
    return make_manager(use_blacklist=True)


def test_default_blacklist_is_in_memory(manager: TokenManager) -> None:
    assert isinstance(manager.blacklist, InMemoryBlacklist)


async def test_revoked_access_token_is_refused(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    token = await manager.verify(raw)
    await manager.revoke(token)
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)


async def test_revoked_refresh_token_is_refused(manager: TokenManager) -> None:
    raw = manager.create_refresh_token("alice")
    await manager.revoke(manager.decode(raw))
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw, "refresh")


async def test_token_revoke_method(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    await (await manager.verify(raw)).revoke()
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)


async def test_other_tokens_stay_valid(manager: TokenManager) -> None:
    revoked = manager.create_access_token("alice")
    same_user = manager.create_access_token("alice")
    other_user = manager.create_access_token("bob")
    await manager.revoke(manager.decode(revoked))
    assert (await manager.verify(same_user)).identity == "alice"
    assert (await manager.verify(other_user)).identity == "bob"


async def test_revoking_twice_is_harmless(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    await manager.revoke(manager.decode(raw))
    await manager.revoke(manager.decode(raw))
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)


async def test_decode_applies_no_revocation_policy(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    await manager.revoke(manager.decode(raw))
    assert manager.decode(raw).identity == "alice"


async def test_token_without_exp_stays_revoked(manager: TokenManager, clock: ManualClock) -> None:
    raw = manager.create_access_token("alice", expires_delta=False)
    await manager.revoke(manager.decode(raw))
    clock.advance(50 * 365 * 24 * 3600)
    for _ in range(5):  # later registrations give the store a chance to forget expired entries
        await manager.revoke(manager.decode(manager.create_access_token("x")))
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)


async def test_revoked_token_stays_revoked_until_it_expires(
    manager: TokenManager, clock: ManualClock
) -> None:
    raw = manager.create_access_token("alice", expires_delta=timedelta(minutes=10))
    await manager.revoke(manager.decode(raw))
    for _ in range(9):
        clock.advance(60)
        await manager.revoke(manager.decode(manager.create_access_token("x")))
        with pytest.raises(RevokedTokenError):
            await manager.verify(raw)


async def test_revoke_without_use_blacklist_is_a_conflict(make_manager: MakeManager) -> None:
    manager = make_manager()
    assert manager.blacklist is None
    token = manager.decode(manager.create_access_token("alice"))
    with pytest.raises(ConfigurationConflictError, match="use_blacklist"):
        await manager.revoke(token)
    with pytest.raises(ConfigurationConflictError, match="use_blacklist"):
        await token.revoke()
    with pytest.raises(ConfigurationConflictError, match="use_blacklist"):
        await manager.revoke_all("alice")
    assert (await manager.verify(token.raw_jwt)).identity == "alice"
