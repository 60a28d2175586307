"""revoke_all(identity) revokes that identity's earlier tokens, not later ones, not others'."""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from jwt_core import BlacklistABC, RevokedTokenError, Token, TokenManager
from tests.core.conftest import MakeManager
from tests.support.clock import ManualClock


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


# Around the millisecond boundary of 1700000000.001 s: iat is written in whole milliseconds,
# so revoke_all must put its cut-off in the millisecond of its clock, with no rounding across.
BOUNDARY = 1_700_000_000_001 / 1000
JUST_BELOW = math.nextafter(BOUNDARY, 0)
JUST_ABOVE = math.nextafter(BOUNDARY, math.inf)


@pytest.mark.parametrize(
    "now",
    [
        math.nextafter(JUST_BELOW, 0),
        JUST_BELOW,
        BOUNDARY,
        JUST_ABOVE,
        1_700_000_000.0010002,
        1_700_000_000.0015,
    ],
    ids=["two-floats-below", "one-float-below", "on", "one-float-above", "0.2us-above", "mid"],
)
async def test_revoke_all_at_a_millisecond_boundary(
    manager: TokenManager, clock: ManualClock, now: float
) -> None:
    clock.now = now
    before = manager.create_access_token("alice")
    await manager.revoke_all("alice")
    clock.now = (math.floor(now * 1000) + 1) / 1000  # the next millisecond, not a hair later
    after = manager.create_access_token("alice")
    with pytest.raises(RevokedTokenError):
        await manager.verify(before)
    assert (await manager.verify(after)).identity == "alice"


class SteppingClock:
    """A clock that moves on by `step` seconds each time it is read."""

    def __init__(self, now: float, step: float) -> None:
        self.now, self.step = now, step

    def __call__(self) -> float:
        now = self.now
        self.now += self.step
        return now


async def test_many_revoke_alls_each_followed_by_a_login(make_manager: MakeManager) -> None:
    """What broke ~1 call in 2,000: a cut-off a hair below a millisecond rounded up onto it."""
    clock = SteppingClock(BOUNDARY, 0.0003)
    manager = make_manager(use_blacklist=True)
    manager._clock = clock  # the manager alone reads it (the memory store needs no clock here)
    for i in range(800):
        # a hair (1 to 8 floats, 0.24 to 1.9 microseconds) below the boundary of millisecond i
        clock.now = (1_700_000_000_001 + 7 * i) / 1000
        for _ in range(i % 8 + 1):
            clock.now = math.nextafter(clock.now, 0)
        before = manager.create_access_token("alice")
        await manager.revoke_all("alice")
        after = manager.create_access_token("alice")
        with pytest.raises(RevokedTokenError):
            await manager.verify(before)
        assert (await manager.verify(after)).identity == "alice", i


async def test_revoke_all_returns_although_the_clock_stands_still(
    manager: TokenManager, clock: ManualClock
) -> None:
    """A frozen clock is not waited for: tokens minted before it moves are under the cut-off."""
    clock.now = BOUNDARY
    await asyncio.wait_for(manager.revoke_all("alice"), 10)
    same_millisecond = manager.create_access_token("alice")
    with pytest.raises(RevokedTokenError):
        await manager.verify(same_millisecond)
    clock.now = 1_700_000_000_002 / 1000  # the next millisecond
    assert (await manager.verify(manager.create_access_token("alice"))).identity == "alice"


async def test_the_wait_reads_the_managers_clock(make_manager: MakeManager) -> None:
    """revoke_all keeps reading the injected clock until it has left the cut-off millisecond."""
    clock = SteppingClock(BOUNDARY - 0.0005, 0.0003)
    manager = make_manager(use_blacklist=True)
    manager._clock = clock
    await manager.revoke_all("alice")
    assert clock.now > BOUNDARY  # it read on until the next millisecond had begun


class DatetimeStore(BlacklistABC):
    """A store written for the earlier interface: register_identity takes datetimes."""

    performs_io = False

    def __init__(self) -> None:
        self.jtis: set[uuid.UUID] = set()
        self.cutoffs: dict[str, datetime] = {}

    async def register(self, token: Token) -> None:
        self.jtis.add(token.jti)

    async def register_identity(
        self, subject: str, revoked_before: datetime, expires_at: datetime | None
    ) -> None:
        self.cutoffs[subject] = revoked_before

    async def is_blacklisted(self, token: Token) -> bool:
        cutoff = self.cutoffs.get(token.sub)
        return token.jti in self.jtis or (cutoff is not None and token.iat <= cutoff)


class RegisterOnlyStore(BlacklistABC):
    """A store as the 1.0-dev docs show it: register and is_blacklisted only."""

    performs_io = False

    async def register(self, token: Token) -> None:
        pass

    async def is_blacklisted(self, token: Token) -> bool:
        return False


async def test_a_store_of_the_datetime_interface_gets_exact_milliseconds(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager(use_blacklist=True, blacklist_class=DatetimeStore)
    store = manager.blacklist
    assert isinstance(store, DatetimeStore)
    clock.now = math.nextafter(JUST_BELOW, 0)  # would round up onto the boundary as a datetime
    before = manager.create_access_token("alice")
    await manager.revoke_all("alice")
    assert store.cutoffs["alice"] == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    clock.now = BOUNDARY
    assert (await manager.verify(manager.create_access_token("alice"))).identity == "alice"
    with pytest.raises(RevokedTokenError):
        await manager.verify(before)


async def test_a_store_without_cut_offs_works_but_revoke_all_says_what_to_implement(
    make_manager: MakeManager,
) -> None:
    manager = make_manager(use_blacklist=True, blacklist_class=RegisterOnlyStore)
    raw = manager.create_access_token("alice")
    await manager.revoke(manager.decode(raw))
    assert (await manager.verify(raw)).identity == "alice"
    with pytest.raises(NotImplementedError, match=r"implement register_cutoff\(subject"):
        await manager.revoke_all("alice")
