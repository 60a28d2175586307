"""The session rules of the core that need no particular store: `slide`, the maximum age at
login, and what a configuration or a store without session support says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jwt_core import BlacklistABC, ConfigurationConflictError, RevokedTokenError, TokenPair
from jwt_core.token import Token
from tests.core.conftest import MakeManager
from tests.support.clock import ManualClock
from tests.support.jose import payload_of

SLIDING = {"sliding_session_threshold": timedelta(minutes=5)}


# -- start_session ----------------------------------------------------------------------------
def test_a_session_shorter_than_a_token_caps_both(make_manager: MakeManager) -> None:
    manager = make_manager(session_max_age=timedelta(minutes=10))
    pair = manager.start_session("alice", fresh=False)
    assert isinstance(pair, TokenPair)
    access, refresh = payload_of(pair.access_token), payload_of(pair.refresh_token)
    end = access["auth_time"] + 600
    assert access["exp"] == refresh["exp"] == end
    assert access["fresh"] is False


def test_a_session_without_expiry_or_maximum_age_has_no_exp(make_manager: MakeManager) -> None:
    manager = make_manager(
        session_max_age=False, access_token_expires=False, refresh_token_expires=False
    )
    pair = manager.start_session("alice")
    assert "exp" not in payload_of(pair.access_token)
    assert "exp" not in payload_of(pair.refresh_token)


def test_start_session_needs_no_store_but_rotation_does(make_manager: MakeManager) -> None:
    manager = make_manager()
    pair = manager.start_session("alice")  # minting only
    assert manager.decode(pair.access_token).family is not None


async def test_rotation_without_a_store_says_what_is_needed(make_manager: MakeManager) -> None:
    manager = make_manager()
    with pytest.raises(ConfigurationConflictError, match="use_blacklist"):
        await manager.rotate(manager.start_session("alice").refresh_token)
    token = manager.decode(manager.start_session("alice").access_token)
    with pytest.raises(ConfigurationConflictError, match="use_blacklist"):
        await manager.logout(token)


class RevokeOnly(BlacklistABC):
    """A custom store written before sessions: single tokens only."""

    def __init__(self) -> None:
        self.revoked: set[Any] = set()

    async def register(self, token: Token) -> None:
        self.revoked.add(token.jti)

    async def is_blacklisted(self, token: Token) -> bool:
        return token.jti in self.revoked


async def test_a_store_without_session_support_names_what_to_implement(
    make_manager: MakeManager,
) -> None:
    manager = make_manager(use_blacklist=True, blacklist_class=RevokeOnly)
    login = manager.start_session("alice")
    with pytest.raises(NotImplementedError, match="consume_refresh"):
        await manager.rotate(login.refresh_token)
    # logout still revokes the tokens it is given (their family cannot be)
    await manager.logout(manager.decode(login.access_token), manager.decode(login.refresh_token))
    with pytest.raises(RevokedTokenError):
        await manager.verify(login.access_token)


# -- slide ------------------------------------------------------------------------------------
def test_slide_gives_a_new_access_token_when_little_is_left(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager(use_acl=True, **SLIDING)
    pair = manager.start_session("alice", "admin", private_claims={"plan": "pro"})
    token = manager.decode(pair.access_token)
    clock.advance(9 * 60)  # 6 minutes left
    assert manager.slide(manager.decode(pair.access_token)) is None
    clock.advance(2 * 60)  # 4 minutes left
    raw = manager.slide(manager.decode(pair.access_token))
    assert raw is not None
    new = manager.decode(raw)
    assert (new.family, new.auth_time, new.identity, new.role) == (
        token.family,
        token.auth_time,
        "alice",
        "admin",
    )
    assert new.private_claims == {"plan": "pro"}
    assert new.fresh is False  # a login's freshness does not slide
    assert new.jti != token.jti
    assert new.exp is not None
    assert new.exp.timestamp() == int(clock.now) + 15 * 60


def test_slide_never_passes_the_maximum_age(make_manager: MakeManager, clock: ManualClock) -> None:
    manager = make_manager(session_max_age=timedelta(minutes=20), **SLIDING)
    pair = manager.start_session("alice")
    clock.advance(11 * 60)
    raw = manager.slide(manager.decode(pair.access_token))
    assert raw is not None
    auth_time = payload_of(raw)["auth_time"]
    assert payload_of(raw)["exp"] == auth_time + 20 * 60  # capped
    clock.advance(5 * 60)  # 4 minutes left of that token, and of the session
    assert manager.slide(manager.decode(raw)) is None


def test_slide_is_off_by_default(make_manager: MakeManager, clock: ManualClock) -> None:
    manager = make_manager()
    pair = manager.start_session("alice")
    clock.advance(14 * 60)
    assert manager.slide(manager.decode(pair.access_token)) is None


def test_slide_never_for_a_token_outside_a_session(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager(**SLIDING)
    raw = manager.create_access_token("alice")
    clock.advance(14 * 60)
    assert manager.slide(manager.decode(raw)) is None


def test_slide_never_for_a_refresh_token(make_manager: MakeManager, clock: ManualClock) -> None:
    manager = make_manager(refresh_token_expires=timedelta(minutes=30), **SLIDING)
    pair = manager.start_session("alice")
    clock.advance(29 * 60)
    assert manager.slide(manager.decode(pair.refresh_token)) is None
