"""The session claims `fam` and `auth_time`: written by `start_session` into both tokens, read
back as `Token.family` / `Token.auth_time`, and a malformed one refused as an invalid token."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from jwt_core import ConfigurationConflictError, InvalidClaimsError, InvalidTokenError
from tests.core.conftest import SECRET, MakeManager
from tests.support.clock import ManualClock
from tests.support.jose import header_of, hmac_token, payload_of, resign


def test_a_session_pair_carries_one_family_and_the_login_time(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager()
    pair = manager.start_session("alice")
    access, refresh = payload_of(pair.access_token), payload_of(pair.refresh_token)
    assert re.fullmatch(r"[0-9a-f]{32}", access["fam"])
    assert access["fam"] == refresh["fam"]
    assert access["auth_time"] == refresh["auth_time"] == int(clock.now)
    assert access["fresh"] is True  # a login is fresh by default
    token = manager.decode(pair.refresh_token)
    assert token.family == access["fam"]
    assert token.auth_time == datetime.fromtimestamp(int(clock.now), timezone.utc)
    assert manager.start_session("alice").access_token != pair.access_token
    assert payload_of(manager.start_session("alice").access_token)["fam"] != access["fam"]


def test_plain_tokens_carry_no_session_claims(make_manager: MakeManager) -> None:
    manager = make_manager()
    for raw in (manager.create_access_token("alice"), manager.create_refresh_token("alice")):
        assert "fam" not in payload_of(raw)
        assert "auth_time" not in payload_of(raw)
        token = manager.decode(raw)
        assert token.family is None
        assert token.auth_time is None


@pytest.mark.parametrize("name", ["fam", "auth_time"])
def test_the_session_claims_are_reserved(make_manager: MakeManager, name: str) -> None:
    with pytest.raises(InvalidClaimsError, match=name):
        make_manager().create_access_token("alice", private_claims={name: 1})


def _forged(raw: str, **changes: Any) -> str:
    """`raw` with claims set exactly as given (null included), signed with the test secret."""
    payload = {**payload_of(raw), **changes}
    return hmac_token(header_of(raw), payload, SECRET)


@pytest.mark.parametrize(
    "changes",
    [
        {"fam": "A" * 32},  # upper case
        {"fam": "a" * 31},
        {"fam": "a" * 33},
        {"fam": "g" * 32},
        {"fam": 12345},
        {"fam": None},
        {"fam": "a" * 31 + "\n"},
        {"auth_time": "1700000000"},
        {"auth_time": 1.5},
        {"auth_time": True},
        {"auth_time": None},
        {"auth_time": -1},
        {"auth_time": 10**20},
        {"auth_time": "later"},
    ],
    ids=repr,
)
@pytest.mark.parametrize("kind", ["access_token", "refresh_token"])
def test_a_malformed_session_claim_is_an_invalid_token(
    make_manager: MakeManager, changes: dict[str, Any], kind: str
) -> None:
    manager = make_manager()
    raw = getattr(manager.start_session("alice"), kind)
    if changes.get("auth_time") == "later":  # after iat: not the time of the login
        changes = {"auth_time": int(payload_of(raw)["iat"]) + 2}
    with pytest.raises(InvalidTokenError):
        manager.decode(_forged(raw, **changes))


@pytest.mark.parametrize("missing", ["fam", "auth_time"])
def test_one_session_claim_without_the_other_is_an_invalid_token(
    make_manager: MakeManager, missing: str
) -> None:
    manager = make_manager()
    raw = manager.start_session("alice").refresh_token
    with pytest.raises(InvalidTokenError):
        manager.decode(resign(raw, SECRET, **{missing: None}))


def test_auth_time_after_iat_within_the_leeway_is_accepted(make_manager: MakeManager) -> None:
    manager = make_manager(leeway=timedelta(seconds=5))
    raw = manager.start_session("alice").access_token
    later = int(payload_of(raw)["iat"]) + 3
    assert manager.decode(_forged(raw, auth_time=later)).auth_time is not None


# -- the options ------------------------------------------------------------------------------
def test_the_session_options_have_their_documented_defaults(make_manager: MakeManager) -> None:
    config = make_manager().config
    assert config.refresh_reuse_grace == timedelta(seconds=10)
    assert config.session_max_age == timedelta(days=30)
    assert config.sliding_session_threshold is False


def test_seconds_are_accepted_for_the_session_options(make_manager: MakeManager) -> None:
    config = make_manager(
        refresh_reuse_grace=0, session_max_age=3600, sliding_session_threshold=60
    ).config
    assert config.refresh_reuse_grace == timedelta(0)
    assert config.session_max_age == timedelta(hours=1)
    assert config.sliding_session_threshold == timedelta(minutes=1)


@pytest.mark.parametrize(
    "options",
    [
        {"refresh_reuse_grace": -1},
        {"refresh_reuse_grace": False},
        {"refresh_reuse_grace": timedelta(days=30)},  # not shorter than a refresh token lives
        {"session_max_age": 0},
        {"session_max_age": -5},
        {"session_max_age": True},
        {"sliding_session_threshold": timedelta(minutes=15)},  # = the access lifetime
        {"sliding_session_threshold": timedelta(hours=1)},
        {"sliding_session_threshold": 60, "access_token_expires": False},
        {"sliding_session_threshold": "soon"},
    ],
    ids=repr,
)
def test_session_options_that_cannot_work_are_refused_at_startup(
    make_manager: MakeManager, options: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationConflictError):
        make_manager(**options)


def test_session_max_age_false_is_no_limit(make_manager: MakeManager) -> None:
    assert make_manager(session_max_age=False).config.session_max_age is False
