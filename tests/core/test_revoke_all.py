"""revoke_all(identity) revokes that identity's earlier tokens, not later ones, not others'."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from jwt_core import RevokedTokenError, TokenManager

from .conftest import MakeManager
from .manual_clock import ManualClock


@pytest.fixture
def manager(make_manager: MakeManager) -> TokenManager:
    return make_manager(use_blacklist=True)


async def test_earlier_tokens_are_revoked_later_ones_are_not(
    manager: TokenManager, clock: ManualClock
) -> None:
    early_access = manager.create_access_token("alice")
    early_refresh = manager.create_refresh_token("alice")
    clock.advance(10)
    await manager.revoke_all("alice")
    clock.advance(10)
    late_access = manager.create_access_token("alice")
    late_refresh = manager.create_refresh_token("alice")
    with pytest.raises(RevokedTokenError):
        await manager.verify(early_access)
    with pytest.raises(RevokedTokenError):
        await manager.verify(early_refresh, "refresh")
    assert (await manager.verify(late_access)).identity == "alice"
    assert (await manager.verify(late_refresh, "refresh")).identity == "alice"


async def test_order_within_one_second(manager: TokenManager, clock: ManualClock) -> None:
    clock.advance(0.1)
    early = manager.create_access_token("alice")
    clock.advance(0.1)
    await manager.revoke_all("alice")
    clock.advance(0.1)
    late = manager.create_access_token("alice")
    with pytest.raises(RevokedTokenError):
        await manager.verify(early)
    assert (await manager.verify(late)).identity == "alice"


async def test_token_issued_at_the_cut_off_is_revoked(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    await manager.revoke_all("alice")
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)


async def test_other_identities_are_untouched(manager: TokenManager, clock: ManualClock) -> None:
    bob = manager.create_access_token("bob")
    alice_dict = manager.create_access_token({"name": "alice"})
    clock.advance(1)
    await manager.revoke_all("alice")
    assert (await manager.verify(bob)).identity == "bob"
    assert (await manager.verify(alice_dict)).identity == {"name": "alice"}


@pytest.mark.parametrize(
    ("issued", "revoked"),
    [(7, 7), ({"id": 1, "org": "a"}, {"org": "a", "id": 1}), ([1, 2], [1, 2]), (True, True)],
    ids=repr,
)
async def test_non_string_identities(
    manager: TokenManager, clock: ManualClock, issued: Any, revoked: Any
) -> None:
    raw = manager.create_access_token(issued)
    clock.advance(1)
    await manager.revoke_all(revoked)
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)


async def test_a_second_revoke_all_moves_the_cut_off(
    manager: TokenManager, clock: ManualClock
) -> None:
    first = manager.create_access_token("alice")
    clock.advance(1)
    await manager.revoke_all("alice")
    clock.advance(1)
    second = manager.create_access_token("alice")
    clock.advance(1)
    await manager.revoke_all("alice")
    clock.advance(1)
    third = manager.create_access_token("alice")
    for raw in (first, second):
        with pytest.raises(RevokedTokenError):
            await manager.verify(raw)
    assert (await manager.verify(third)).identity == "alice"


async def _let_the_store_forget_what_has_expired(manager: TokenManager) -> None:
    """Register enough live tokens that InMemoryBlacklist runs its full sweep."""
    for i in range(1100):
        await manager.revoke(manager.decode(manager.create_access_token(f"filler-{i}")))


@pytest.mark.parametrize(
    "expires_delta", [False, timedelta(days=365)], ids=["no-exp", "longer-than-configured"]
)
async def test_cut_off_outlives_every_token_it_revokes(
    manager: TokenManager, clock: ManualClock, expires_delta: timedelta | bool
) -> None:
    raw = manager.create_refresh_token("alice", expires_delta=expires_delta)
    clock.advance(1)
    await manager.revoke_all("alice")
    clock.advance(60 * 24 * 3600)  # past the configured 30-day refresh lifetime
    await _let_the_store_forget_what_has_expired(manager)
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw, "refresh")


async def test_cut_off_holds_for_tokens_of_the_configured_lifetime(
    manager: TokenManager, clock: ManualClock
) -> None:
    raw = manager.create_refresh_token("alice")
    clock.advance(1)
    await manager.revoke_all("alice")
    clock.advance(29 * 24 * 3600)
    await _let_the_store_forget_what_has_expired(manager)
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw, "refresh")


class _UUIDEncoder(json.JSONEncoder):
    """Encodes UUIDs as their text, as an app with UUID user ids would configure."""

    def default(self, o: Any) -> Any:
        return str(o) if isinstance(o, uuid.UUID) else super().default(o)


@pytest.mark.parametrize("revoke_with", ["uuid", "token-identity"])
async def test_identity_made_json_by_the_encoder(
    make_manager: MakeManager, clock: ManualClock, revoke_with: str
) -> None:
    manager = make_manager(use_blacklist=True, json_encoder=_UUIDEncoder)
    user = uuid.UUID("12345678-1234-4678-9234-567812345678")
    raw = manager.create_access_token(user)
    token = manager.decode(raw)
    assert token.identity == str(user)
    clock.advance(1)
    await manager.revoke_all(user if revoke_with == "uuid" else token.identity)
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)
