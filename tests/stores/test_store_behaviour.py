"""One behaviour suite, run against every revocation store: memory, SQLite and Redis."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta, timezone

from jwt_core.blacklist import RedisBlacklist
from jwt_core.token import Token
from tests.stores.store_cases import StoreCase

YEAR = 365 * 24 * 3600.0


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def key_of(case: StoreCase, token: Token) -> str:
    assert isinstance(case.store, RedisBlacklist)
    return case.store.token_key(token)


async def test_a_revoked_token_is_refused(case: StoreCase) -> None:
    token = case.token()
    assert await case.store.is_blacklisted(token) is False
    await case.store.register(token)
    assert await case.store.is_blacklisted(token) is True


async def test_revoking_one_token_leaves_the_others_alone(case: StoreCase) -> None:
    revoked = case.token("alice")
    same_subject = case.token("alice")
    other_subject = case.token("bob")
    await case.store.register(revoked)
    assert await case.store.is_blacklisted(revoked) is True
    assert await case.store.is_blacklisted(same_subject) is False
    assert await case.store.is_blacklisted(other_subject) is False


async def test_revoking_twice_is_harmless(case: StoreCase) -> None:
    token = case.token()
    await case.store.register(token)
    await case.store.register(token)
    assert await case.store.is_blacklisted(token) is True


async def test_an_entry_lives_as_long_as_its_token_plus_leeway_and_skew_margin(
    case: StoreCase,
) -> None:
    """Kept until no verifier within the leeway, its clock up to the margin behind, accepts it."""
    case.store.leeway = timedelta(seconds=30)
    case.store.skew_margin = timedelta(seconds=20)
    token = case.token(lifetime=60)
    await case.store.register(token)
    if case.redis is not None:
        pttl = await case.redis.pttl(key_of(case, token))
        remaining_ms = (token.raw_data["exp"] + 30 + 20 - case.now()) * 1000
        assert remaining_ms - 5000 <= pttl <= remaining_ms + 1000
        assert pttl > (token.raw_data["exp"] + 30 - case.now()) * 1000 + 10_000
        return
    assert case.clock is not None
    case.clock.advance(60 + 29)  # expired, but still within the leeway
    await case.purge()
    assert case.token_rows() == 1
    case.clock.advance(2 + 18)  # past exp + leeway, within the skew margin: kept
    await case.purge()
    assert case.token_rows() == 1
    assert await case.store.is_blacklisted(token) is True
    case.clock.advance(2)  # past exp + leeway + margin: no verifier can accept it any more
    await case.purge()
    assert case.token_rows() == 0


async def test_the_default_skew_margin_is_a_minute(case: StoreCase) -> None:
    assert case.store.skew_margin == timedelta(seconds=60)
    token = case.token(lifetime=60)
    await case.store.register(token)
    if case.redis is not None:
        pttl = await case.redis.pttl(key_of(case, token))
        remaining_ms = (token.raw_data["exp"] + 60 - case.now()) * 1000
        assert remaining_ms - 5000 <= pttl <= remaining_ms + 1000
        return
    assert case.clock is not None
    case.clock.advance(60 + 59)
    await case.purge()
    assert case.token_rows() == 1
    case.clock.advance(2)
    await case.purge()
    assert case.token_rows() == 0


async def test_entries_of_tokens_already_expired_are_purged(case: StoreCase) -> None:
    if case.redis is not None:
        token = case.token(iat=case.now() - 300, lifetime=60)
        await case.store.register(token)  # past exp + margin: its key expires at once
        assert await case.redis.exists(key_of(case, token)) == 0
        return
    expired = [case.token(iat=case.now() - 300, lifetime=60) for _ in range(5)]
    for token in expired:
        await case.store.register(token)
    live = case.token()
    await case.store.register(live)
    await case.purge()
    assert case.token_rows() == 1
    assert await case.store.is_blacklisted(live) is True


async def test_a_token_without_exp_stays_revoked_for_ever(case: StoreCase) -> None:
    token = case.token(lifetime=None)
    await case.store.register(token)
    if case.redis is not None:
        assert await case.redis.pttl(key_of(case, token)) == -1
    else:
        assert case.clock is not None
        case.clock.advance(100 * YEAR)
        await case.purge()
        assert case.token_rows() == 1
    assert await case.store.is_blacklisted(token) is True


async def test_revoke_all_refuses_earlier_tokens_of_that_subject_only(case: StoreCase) -> None:
    cutoff = case.now()
    before = case.token("alice", iat=cutoff - 5)
    at_cutoff = case.token("alice", iat=cutoff)
    just_after = case.token("alice", iat=cutoff + 0.001)
    later = case.token("alice", iat=cutoff + 5)
    bob = case.token("bob", iat=cutoff - 5)
    await case.store.register_identity("alice", at(cutoff), at(cutoff + 3600))
    assert await case.store.is_blacklisted(before) is True
    assert await case.store.is_blacklisted(at_cutoff) is True
    assert await case.store.is_blacklisted(just_after) is False
    assert await case.store.is_blacklisted(later) is False
    assert await case.store.is_blacklisted(bob) is False


# The cut-off millisecond k = 1700000000001 and the floats around its boundaries.
CUTOFF_MS = 1_700_000_000_001
ON = CUTOFF_MS / 1000
NEXT = (CUTOFF_MS + 1) / 1000


def below(value: float, floats: int = 1) -> float:
    for _ in range(floats):
        value = math.nextafter(value, 0)
    return value


REVOKED_IATS = [
    below(ON, 2),
    below(ON),
    ON,
    math.nextafter(ON, math.inf),
    1_700_000_000.0015,
    below(NEXT, 2),
    below(NEXT),
]
KEPT_IATS = [NEXT, math.nextafter(NEXT, math.inf), 1_700_000_000.0020002, 1_700_000_000.003]


async def test_a_cut_off_is_exact_at_millisecond_boundaries(case: StoreCase) -> None:
    """Revoked iff the millisecond of iat is the cut-off's or earlier; no rounding across."""
    await case.store.register_cutoff("alice", CUTOFF_MS, None)
    for iat in REVOKED_IATS:
        assert await case.store.is_blacklisted(case.token("alice", iat=iat)) is True, repr(iat)
    for iat in KEPT_IATS:
        assert await case.store.is_blacklisted(case.token("alice", iat=iat)) is False, repr(iat)


async def test_a_cut_off_given_as_a_datetime_is_its_millisecond(case: StoreCase) -> None:
    """The earlier datetime interface: the cut-off is the millisecond holding the datetime."""
    cutoff = datetime(2023, 11, 14, 22, 13, 20, 1999, tzinfo=timezone.utc)  # 1700000000.001999
    await case.store.register_identity("alice", cutoff, None)
    for iat in REVOKED_IATS:
        assert await case.store.is_blacklisted(case.token("alice", iat=iat)) is True, repr(iat)
    for iat in KEPT_IATS:
        assert await case.store.is_blacklisted(case.token("alice", iat=iat)) is False, repr(iat)


async def test_a_cut_off_moves_later_never_earlier_at_the_millisecond(case: StoreCase) -> None:
    await case.store.register_cutoff("alice", CUTOFF_MS, None)
    await case.store.register_cutoff("alice", CUTOFF_MS - 1, None)
    assert await case.store.is_blacklisted(case.token("alice", iat=ON)) is True
    await case.store.register_cutoff("alice", CUTOFF_MS + 1, None)
    assert await case.store.is_blacklisted(case.token("alice", iat=NEXT)) is True
    assert await case.store.is_blacklisted(case.token("alice", iat=(CUTOFF_MS + 2) / 1000)) is False


async def test_revoke_all_without_expiry_and_with_awkward_subjects(case: StoreCase) -> None:
    subjects = ["", "a:b", "{x}", "}{", '{"id": 7}', "%7B", "%", "ünïcødé", "a b@c.d", "x" * 500]
    cutoff = case.now()
    for subject in subjects[::2]:
        await case.store.register_identity(subject, at(cutoff), None)
    for i, subject in enumerate(subjects):
        expected = i % 2 == 0
        token = case.token(subject, iat=cutoff - 1)
        assert await case.store.is_blacklisted(token) is expected, subject
        assert await case.store.is_blacklisted(case.token(subject, iat=cutoff + 1)) is False


async def test_revoked_tokens_of_awkward_subjects_are_kept_apart(case: StoreCase) -> None:
    tokens = [case.token(subject) for subject in ["", "{", "}", "{}", "%", "%25", "a:jti:b"]]
    for token in tokens[::2]:
        await case.store.register(token)
    results = [await case.store.is_blacklisted(token) for token in tokens]
    assert results == [i % 2 == 0 for i in range(len(tokens))]


async def test_many_concurrent_checks_and_revocations(case: StoreCase) -> None:
    tokens = [case.token(f"user{i % 7}") for i in range(300)]
    revoked = tokens[::3]
    await asyncio.gather(*(case.store.register(token) for token in revoked))
    await case.store.register_identity("user6", at(case.now() + 1), None)
    results = await asyncio.gather(*(case.store.is_blacklisted(token) for token in tokens))
    expected = [i % 3 == 0 or i % 7 == 6 for i in range(len(tokens))]
    assert results == expected
