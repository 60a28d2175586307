"""Sessions over every store (memory, a real SQLite file, the real Redis server), behind a real
`TokenManager` on a hand-moved clock: rotation, reuse detection, the grace window, the
absolute lifetime, logout, and concurrent rotations within one process."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

from jwt_core import Config, Policy, TokenManager, TokenPair
from jwt_core.blacklist import InMemoryBlacklist, RedisBlacklist, SQLiteBlacklist
from jwt_core.errors import (
    ExpiredSignatureError,
    InvalidTokenError,
    RevokedTokenError,
    WrongTokenError,
)
from jwt_core.token import Token
from tests.stores.store_cases import STORE_KINDS, delete_keys
from tests.support.clock import ManualClock
from tests.support.jose import header_of, hmac_token, payload_of

SECRET = "a-test-secret-of-more-than-thirty-two-bytes"
GRACE = 10.0  # seconds: the default refresh_reuse_grace


@dataclass
class Sessions:
    """A manager with sessions over one store, and the clock it runs on."""

    kind: str
    manager: TokenManager
    clock: ManualClock

    async def access(self, raw: str) -> Token:
        return await self.manager.verify(raw)

    async def refresh(self, raw: str) -> Token:
        return await self.manager.verify(raw, Policy(token_type="refresh"))


@pytest.fixture(params=STORE_KINDS)
async def make(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Build (and open) a session manager over the store of this parameter, with options."""
    kind: str = request.param
    prefix = f"jwt-test-{uuid.uuid4().hex[:12]}:"
    clock = ManualClock.from_wall_time()  # Redis expires keys by the wall clock
    opened: list[TokenManager] = []

    async def build(**options: Any) -> Sessions:
        store: dict[str, Any]
        if kind == "memory":
            store = {
                "blacklist_class": InMemoryBlacklist,
                "blacklist_init_kwargs": {"clock": clock},
            }
        elif kind == "sqlite":
            path = str(tmp_path / "revoked.sqlite3")
            store = {
                "blacklist_class": SQLiteBlacklist,
                "blacklist_init_kwargs": {"path": path, "clock": clock},
            }
        else:
            url: str = request.getfixturevalue("redis_url")
            store = {
                "blacklist_class": RedisBlacklist,
                "blacklist_init_kwargs": {"url": url, "prefix": prefix},
            }
        config = Config(secret_key=SECRET, use_blacklist=True, use_acl=True, **store, **options)
        manager = TokenManager(config, clock=clock)
        await manager.open()
        opened.append(manager)
        return Sessions(kind, manager, clock)

    try:
        yield build
    finally:
        for manager in opened:
            await manager.close()
        if kind == "redis":
            client = redis.asyncio.from_url(request.getfixturevalue("redis_url"))
            await delete_keys(client, prefix)
            await client.aclose()


def forged(raw: str, **changes: Any) -> str:
    return hmac_token(header_of(raw), {**payload_of(raw), **changes}, SECRET)


# -- rotation -----------------------------------------------------------------------------------
async def test_rotation_gives_a_new_pair_of_the_same_family(make: Any) -> None:
    s: Sessions = await make(public_claim_namespace="https://example.com/")
    login = s.manager.start_session(
        {"id": 7},
        "admin",
        public_claims={"org": {"name": "acme"}},
        private_claims={"plan": "pro"},
    )
    first = await s.refresh(login.refresh_token)
    s.clock.advance(60)
    pair = await s.manager.rotate(login.refresh_token)
    assert isinstance(pair, TokenPair)
    access, refresh = await s.access(pair.access_token), await s.refresh(pair.refresh_token)
    for token in (access, refresh):
        assert token.family == first.family
        assert token.auth_time == first.auth_time
        assert token.identity == {"id": 7}
        assert token.role == "admin"
        assert token.public_claims == {"org": {"name": "acme"}}
        assert token.private_claims == {"plan": "pro"}
    assert refresh.jti != first.jti
    assert refresh.iat > first.iat  # a new token, issued now
    assert access.fresh is False  # a rotation is not a login
    fresh = await s.manager.rotate(pair.refresh_token, fresh=True)
    assert (await s.access(fresh.access_token)).fresh is True


async def test_rotate_takes_a_verified_token_as_well(make: Any) -> None:
    s: Sessions = await make()
    login = s.manager.start_session("alice")
    pair = await s.manager.rotate(await s.refresh(login.refresh_token))
    family = (await s.access(login.access_token)).family
    assert (await s.refresh(pair.refresh_token)).family == family


async def test_rotate_refuses_an_access_token(make: Any) -> None:
    s: Sessions = await make()
    with pytest.raises(WrongTokenError):
        await s.manager.rotate(s.manager.start_session("alice").access_token)


async def test_a_token_without_a_family_starts_one_when_rotated(make: Any) -> None:
    s: Sessions = await make()
    raw = s.manager.create_refresh_token("alice")
    plain = await s.refresh(raw)
    s.clock.advance(30)
    pair = await s.manager.rotate(raw)
    refresh = await s.refresh(pair.refresh_token)
    assert refresh.family == plain.jti.hex
    assert refresh.auth_time == plain.iat.replace(microsecond=0)
    assert (await s.access(pair.access_token)).family == refresh.family
    retry = await s.manager.rotate(raw)  # inside the grace: the same successor again
    assert (await s.refresh(retry.refresh_token)).jti == refresh.jti
    s.clock.advance(GRACE)
    with pytest.raises(RevokedTokenError):
        await s.manager.rotate(raw)
    with pytest.raises(RevokedTokenError):
        await s.access(pair.access_token)


async def test_a_malformed_session_claim_is_an_invalid_token(make: Any) -> None:
    s: Sessions = await make()
    raw = s.manager.start_session("alice").refresh_token
    for changes in ({"fam": "NOT-HEX"}, {"auth_time": "yesterday"}, {"fam": None}):
        with pytest.raises(InvalidTokenError):
            await s.manager.rotate(forged(raw, **changes))
    assert await s.manager.rotate(raw)  # nothing was consumed by the refusals


# -- reuse ----------------------------------------------------------------------------------------
async def test_reuse_after_rotation_revokes_the_whole_family(make: Any) -> None:
    s: Sessions = await make()
    login = s.manager.start_session("alice")
    other = s.manager.start_session("alice")  # another session of the same user
    second = await s.manager.rotate(login.refresh_token)
    s.clock.advance(60)
    third = await s.manager.rotate(second.refresh_token)
    s.clock.advance(60)
    with pytest.raises(RevokedTokenError, match="used already"):
        await s.manager.rotate(login.refresh_token)
    for raw in (login.access_token, second.access_token, third.access_token):
        with pytest.raises(RevokedTokenError):
            await s.access(raw)
    with pytest.raises(RevokedTokenError):
        await s.manager.rotate(third.refresh_token)  # the thief's (or the user's) latest too
    assert (await s.access(other.access_token)).sub == "alice"
    assert await s.manager.rotate(other.refresh_token)


async def test_reuse_is_logged_with_family_and_identity_and_no_token(
    make: Any, caplog: pytest.LogCaptureFixture
) -> None:
    s: Sessions = await make()
    login = s.manager.start_session({"id": 7})
    family = (await s.refresh(login.refresh_token)).family
    await s.manager.rotate(login.refresh_token)
    s.clock.advance(GRACE + 1)
    with (
        caplog.at_level(logging.WARNING, logger="jwt_core.sessions"),
        pytest.raises(RevokedTokenError),
    ):
        await s.manager.rotate(login.refresh_token)
    records = [r for r in caplog.records if r.name == "jwt_core.sessions"]
    assert [r.levelno for r in records] == [logging.WARNING]
    message = records[0].getMessage()
    assert message == f'refresh token reuse: family={family} identity={{"id":7}}'
    for part in login.refresh_token.split(".") + login.access_token.split("."):
        assert part not in caplog.text


# -- the grace window -------------------------------------------------------------------------
async def test_a_retry_inside_the_grace_gets_the_same_successor(make: Any) -> None:
    s: Sessions = await make()
    login = s.manager.start_session("alice")
    first = await s.manager.rotate(login.refresh_token)
    s.clock.advance(GRACE - 1)
    retry = await s.manager.rotate(login.refresh_token)
    a, b = await s.refresh(first.refresh_token), await s.refresh(retry.refresh_token)
    assert (b.jti, b.iat, b.exp, b.family) == (a.jti, a.iat, a.exp, a.family)
    assert retry.access_token != first.access_token  # a new access token each time
    assert (await s.access(retry.access_token)).family == a.family
    assert (await s.access(first.access_token)).family == a.family  # nothing was revoked
    # the family is still one chain: its successor rotates once
    s.clock.advance(60)
    assert await s.manager.rotate(retry.refresh_token)


async def test_a_retry_after_its_successor_rotated_is_reuse(make: Any) -> None:
    s: Sessions = await make()
    login = s.manager.start_session("alice")
    first = await s.manager.rotate(login.refresh_token)
    s.clock.advance(1)
    later = await s.manager.rotate(first.refresh_token)
    s.clock.advance(1)  # still inside the grace of the login's refresh token
    with pytest.raises(RevokedTokenError):
        await s.manager.rotate(login.refresh_token)
    with pytest.raises(RevokedTokenError):
        await s.access(later.access_token)


async def test_a_retry_after_the_grace_is_reuse(make: Any) -> None:
    s: Sessions = await make()
    login = s.manager.start_session("alice")
    first = await s.manager.rotate(login.refresh_token)
    s.clock.advance(GRACE)
    with pytest.raises(RevokedTokenError):
        await s.manager.rotate(login.refresh_token)
    with pytest.raises(RevokedTokenError):
        await s.access(first.access_token)


async def test_without_a_grace_any_second_use_is_reuse(make: Any) -> None:
    s: Sessions = await make(refresh_reuse_grace=0)
    login = s.manager.start_session("alice")
    first = await s.manager.rotate(login.refresh_token)
    with pytest.raises(RevokedTokenError):
        await s.manager.rotate(login.refresh_token)
    with pytest.raises(RevokedTokenError):
        await s.refresh(first.refresh_token)


# -- the absolute lifetime ----------------------------------------------------------------------
async def test_rotation_never_extends_a_session_past_its_maximum_age(make: Any) -> None:
    s: Sessions = await make(session_max_age=timedelta(hours=1), leeway=timedelta(seconds=30))
    login = s.manager.start_session("alice")
    auth_time = (await s.access(login.access_token)).auth_time
    assert auth_time is not None
    end = auth_time + timedelta(hours=1)
    assert (await s.refresh(login.refresh_token)).exp == end  # 30 days, capped
    s.clock.advance(50 * 60)
    pair = await s.manager.rotate(login.refresh_token)
    assert (await s.refresh(pair.refresh_token)).exp == end
    assert (await s.access(pair.access_token)).exp == end  # 15 minutes would pass the end
    s.clock.now = end.timestamp() + 10  # the token is still accepted, within the leeway
    await s.refresh(pair.refresh_token)
    with pytest.raises(ExpiredSignatureError, match="maximum age"):
        await s.manager.rotate(pair.refresh_token)
    # nothing was consumed: the store has never seen it
    token = await s.refresh(pair.refresh_token)
    assert token.family is not None
    store = s.manager.blacklist
    assert store is not None
    found = await store.consume_refresh(
        token.jti, token.family, uuid.uuid4(), 0, None, int(s.clock.now * 1000), 0, None
    )
    assert found.outcome == "rotated"


async def test_a_plain_refresh_token_is_held_to_the_maximum_age_from_its_iat(make: Any) -> None:
    s: Sessions = await make(session_max_age=timedelta(hours=1))
    raw = s.manager.create_refresh_token("alice")
    s.clock.advance(2 * 3600)
    with pytest.raises(ExpiredSignatureError, match="maximum age"):
        await s.manager.rotate(raw)


async def test_without_a_maximum_age_rotation_keeps_the_refresh_lifetime(make: Any) -> None:
    s: Sessions = await make(session_max_age=False)
    login = s.manager.start_session("alice")
    s.clock.advance(40 * 86400)  # past 30 days from the login
    login = s.manager.start_session("alice")
    s.clock.advance(29 * 86400)
    pair = await s.manager.rotate(login.refresh_token)
    refresh = await s.refresh(pair.refresh_token)
    assert refresh.exp is not None
    assert refresh.exp.timestamp() == int(s.clock.now) + 30 * 86400


# -- logout ---------------------------------------------------------------------------------------
async def test_logout_revokes_access_refresh_and_family(make: Any) -> None:
    s: Sessions = await make()
    login = s.manager.start_session("alice")
    other = s.manager.start_session("alice")
    second = await s.manager.rotate(login.refresh_token)
    access, refresh = await s.access(second.access_token), await s.refresh(second.refresh_token)
    await s.manager.logout(access, refresh)
    with pytest.raises(RevokedTokenError):
        await s.access(second.access_token)
    with pytest.raises(RevokedTokenError):
        await s.manager.rotate(second.refresh_token)
    with pytest.raises(RevokedTokenError):
        await s.access(login.access_token)  # the family: tokens not named in the call
    assert (await s.access(other.access_token)).sub == "alice"


async def test_logout_of_an_access_token_alone_ends_its_session(make: Any) -> None:
    s: Sessions = await make()
    login = s.manager.start_session("alice")
    await s.manager.logout(await s.access(login.access_token))
    with pytest.raises(RevokedTokenError):
        await s.manager.rotate(login.refresh_token)


async def test_logout_of_plain_tokens_revokes_them(make: Any) -> None:
    s: Sessions = await make()
    access = s.manager.create_access_token("alice")
    refresh = s.manager.create_refresh_token("alice")
    await s.manager.logout(await s.access(access), await s.refresh(refresh))
    with pytest.raises(RevokedTokenError):
        await s.access(access)
    with pytest.raises(RevokedTokenError):
        await s.refresh(refresh)


# -- concurrency within one process ----------------------------------------------------------
async def test_concurrent_rotations_of_one_token_have_one_winner(make: Any) -> None:
    s: Sessions = await make(refresh_reuse_grace=0)
    for _ in range(20):
        raw = s.manager.start_session("alice").refresh_token
        results = await asyncio.gather(
            *(s.manager.rotate(raw) for _ in range(8)), return_exceptions=True
        )
        pairs = [r for r in results if isinstance(r, TokenPair)]
        refused = [r for r in results if isinstance(r, RevokedTokenError)]
        assert (len(pairs), len(refused)) == (1, 7), results
