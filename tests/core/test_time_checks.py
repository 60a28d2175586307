"""exp, nbf and iat are checked against the injected clock, with and without leeway."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from jwt_core import Config, ExpiredSignatureError, InvalidTokenError, TokenManager
from jwt_core._claims import check_times
from jwt_core.token import VerifiedClaims
from tests.core.conftest import SECRET, MakeManager
from tests.support.clock import T0, ManualClock
from tests.support.jose import resign


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, timezone.utc)


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_expiry_without_leeway(make_manager: MakeManager, clock: ManualClock, kind: str) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice", expires_delta=timedelta(seconds=60))
    clock.now = T0 + 60 - 0.001  # valid only before exp (RFC 7519 section 4.1.4)
    assert manager.decode(raw).identity == "alice"
    clock.now = T0 + 60
    with pytest.raises(ExpiredSignatureError):
        manager.decode(raw)


def test_expiry_with_leeway(make_manager: MakeManager, clock: ManualClock) -> None:
    manager = make_manager(leeway=timedelta(seconds=10))
    raw = manager.create_access_token("alice", expires_delta=timedelta(seconds=60))
    clock.now = T0 + 70 - 0.001
    assert manager.decode(raw).identity == "alice"
    clock.now = T0 + 70  # exp + leeway: refused
    with pytest.raises(ExpiredSignatureError):
        manager.decode(raw)


async def test_expired_token_is_refused_by_verify(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", expires_delta=timedelta(seconds=5))
    assert (await manager.verify(raw)).identity == "alice"
    clock.advance(6)
    with pytest.raises(ExpiredSignatureError):
        await manager.verify(raw)


def test_not_before_without_leeway(make_manager: MakeManager, clock: ManualClock) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", nbf=_at(100))
    clock.advance(99)
    with pytest.raises(InvalidTokenError, match="nbf"):
        manager.decode(raw)
    clock.advance(1)
    assert manager.decode(raw).identity == "alice"


def test_not_before_with_leeway(make_manager: MakeManager, clock: ManualClock) -> None:
    manager = make_manager(leeway=timedelta(seconds=10))
    raw = manager.create_access_token("alice", nbf=_at(100))
    clock.advance(89)
    with pytest.raises(InvalidTokenError, match="nbf"):
        manager.decode(raw)
    clock.advance(1)
    assert manager.decode(raw).identity == "alice"


def test_issued_in_the_future_is_refused(make_manager: MakeManager, clock: ManualClock) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    forged = resign(raw, SECRET, iat=T0 + 30, nbf=T0 - 30)
    with pytest.raises(InvalidTokenError, match="iat"):
        manager.decode(forged)
    clock.advance(30)
    assert manager.decode(forged).identity == "alice"


def test_issued_in_the_future_within_leeway_is_accepted(make_manager: MakeManager) -> None:
    manager = make_manager(leeway=timedelta(seconds=30))
    forged = resign(manager.create_access_token("alice"), SECRET, iat=T0 + 30, nbf=T0)
    assert manager.decode(forged).identity == "alice"
    beyond = resign(manager.create_access_token("alice"), SECRET, iat=T0 + 31, nbf=T0)
    with pytest.raises(InvalidTokenError, match="iat"):
        manager.decode(beyond)


def test_a_token_made_by_a_clock_ahead_of_ours_is_refused(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager()
    clock.advance(300)
    raw = manager.create_access_token("alice")
    clock.advance(-300)
    with pytest.raises(InvalidTokenError):
        manager.decode(raw)


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", "soon"),
        ("exp", True),
        ("exp", -1),
        ("exp", 10**20),
        ("iat", None),
        ("iat", "0"),
        ("nbf", None),
        ("nbf", [1]),
    ],
    ids=repr,
)
def test_malformed_time_claims_are_refused(
    make_manager: MakeManager, claim: str, value: object
) -> None:
    manager = make_manager()
    forged = resign(manager.create_access_token("alice"), SECRET, **{claim: value})
    with pytest.raises((InvalidTokenError, ExpiredSignatureError)):
        manager.decode(forged)


# -- the exp boundary: RFC 7519 section 4.1.4, "on or after" exp the token is not accepted ------
@pytest.mark.parametrize("leeway", [0.0, 10.0, 0.25])
@pytest.mark.parametrize("exp", [T0 + 60, T0 + 60.5, T0 + 60.123, T0 + 59.999])
async def test_exp_is_exclusive_at_the_exact_boundary(
    make_manager: MakeManager, clock: ManualClock, exp: float, leeway: float
) -> None:
    manager = make_manager(leeway=timedelta(seconds=leeway))
    raw = resign(manager.create_access_token("alice"), SECRET, exp=exp)
    boundary = exp + leeway
    for below in (boundary - 0.001, boundary - 1e-6, math.nextafter(boundary, 0)):
        clock.now = below
        assert manager.decode(raw).identity == "alice", below - boundary
        assert (await manager.verify(raw)).identity == "alice"
    # the first decode cached the token: the time checks still run on every call
    for at_or_after in (boundary, math.nextafter(boundary, math.inf), boundary + 0.001):
        clock.now = at_or_after
        with pytest.raises(ExpiredSignatureError):
            manager.decode(raw)
        with pytest.raises(ExpiredSignatureError):
            await manager.verify(raw)


def test_a_minted_token_expires_exactly_at_its_exp(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    clock.now = T0 + 0.999  # a millisecond value: iat keeps it, exp is whole seconds
    manager = make_manager()
    raw = manager.create_refresh_token("alice", expires_delta=timedelta(seconds=30))
    token = manager.decode(raw)
    assert token.exp == _at(30)
    clock.now = T0 + 29.999
    assert manager.decode(raw).identity == "alice"
    clock.now = T0 + 30
    with pytest.raises(ExpiredSignatureError):
        manager.decode(raw)


def test_the_claims_time_check_agrees_on_the_boundary() -> None:
    payload = {"iat": T0, "nbf": T0, "exp": T0 + 60.5}
    claims = VerifiedClaims(
        payload, "refresh", "a", "a", uuid.uuid4(), T0, T0, T0 + 60.5, *(None,) * 6
    )
    assert check_times(claims, T0 + 60.499, 0.0) is None  # valid; a refresh token has no freshness
    with pytest.raises(ExpiredSignatureError):
        check_times(claims, T0 + 60.5, 0.0)
    with pytest.raises(ExpiredSignatureError):
        check_times(claims, T0 + 70.5, 10.0)


def test_a_token_is_never_issued_after_the_clock_that_minted_it() -> None:
    # floor(now * 1000) / 1000 is 1796156367.028 here, a hair after now: iat in the future
    clock = ManualClock(1796156367.0279999)
    manager = TokenManager(Config(secret_key="s" * 32), clock=clock)
    token = manager.decode(manager.create_access_token("alice"))
    assert token.iat.timestamp() <= clock.now
