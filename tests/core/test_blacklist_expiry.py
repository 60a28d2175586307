"""InMemoryBlacklist forgets an entry once its token is past exp + leeway, and not before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwt_core import InMemoryBlacklist, RevokedTokenError, Token, TokenManager
from tests.core.conftest import MakeManager
from tests.support.clock import ManualClock


def _store(manager: TokenManager) -> InMemoryBlacklist:
    assert isinstance(manager.blacklist, InMemoryBlacklist)
    return manager.blacklist


def _tokens(manager: TokenManager, count: int, **options: object) -> list[Token]:
    return [manager.decode(manager.create_access_token(f"u{i}", **options)) for i in range(count)]  # type: ignore[arg-type]


async def test_entry_lives_until_exp_plus_leeway(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager(
        use_blacklist=True, leeway=timedelta(seconds=10), blacklist_skew_margin=timedelta(0)
    )
    store = _store(manager)
    raw = manager.create_access_token("alice", expires_delta=timedelta(seconds=60))
    await manager.revoke(manager.decode(raw))
    clock.advance(69)
    await manager.revoke(manager.decode(manager.create_access_token("bob")))
    assert len(store) == 2
    with pytest.raises(RevokedTokenError):  # still acceptable thanks to leeway: still revoked
        await manager.verify(raw)
    clock.advance(2)
    await manager.revoke(manager.decode(manager.create_access_token("carol")))
    assert len(store) == 2  # alice's entry went, carol's came


async def test_already_expired_tokens_do_not_accumulate(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager(use_blacklist=True)
    store = _store(manager)
    tokens = _tokens(manager, 3000, expires_delta=timedelta(seconds=30))
    clock.advance(3600)  # every one of them has expired
    sizes = []
    for token in tokens:
        await manager.revoke(token)
        sizes.append(len(store))
    assert max(sizes) <= 1100
    assert sizes[-1] <= 1100


async def test_expired_entries_behind_a_permanent_one_are_still_forgotten(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager(use_blacklist=True)
    store = _store(manager)
    forever = manager.decode(manager.create_access_token("root", expires_delta=False))
    tokens = _tokens(manager, 3000, expires_delta=timedelta(seconds=30))
    await manager.revoke(forever)
    clock.advance(3600)
    sizes = []
    for token in tokens:
        await manager.revoke(token)
        sizes.append(len(store))
    assert max(sizes) <= 1100
    with pytest.raises(RevokedTokenError):
        await manager.verify(forever.raw_jwt)


async def test_live_entries_are_all_kept(make_manager: MakeManager) -> None:
    manager = make_manager(use_blacklist=True)
    store = _store(manager)
    tokens = _tokens(manager, 1500)
    for token in tokens:
        await manager.revoke(token)
    assert len(store) == 1500
    for token in tokens[::100]:
        with pytest.raises(RevokedTokenError):
            await manager.verify(token.raw_jwt)
