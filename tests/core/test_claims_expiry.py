"""exp follows access/refresh_token_expires, expires_delta overrides it, False removes it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwt_core import InvalidClaimsError
from tests.core.conftest import MakeManager
from tests.support.clock import T0, ManualClock
from tests.support.jose import payload_of


def test_default_lifetimes(make_manager: MakeManager) -> None:
    manager = make_manager()
    access = payload_of(manager.create_access_token("alice"))
    refresh = payload_of(manager.create_refresh_token("alice"))
    assert access["exp"] == T0 + 15 * 60
    assert refresh["exp"] == T0 + 30 * 24 * 3600


def test_configured_lifetimes(make_manager: MakeManager) -> None:
    manager = make_manager(
        access_token_expires=timedelta(minutes=1), refresh_token_expires=timedelta(hours=2)
    )
    assert payload_of(manager.create_access_token("alice"))["exp"] == T0 + 60
    assert payload_of(manager.create_refresh_token("alice"))["exp"] == T0 + 7200


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_expires_delta_overrides_the_configured_lifetime(
    make_manager: MakeManager, kind: str
) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice", expires_delta=timedelta(seconds=42))
    assert payload_of(raw)["exp"] == T0 + 42
    token = manager.decode(raw)
    assert token.exp is not None
    assert token.exp.timestamp() == T0 + 42


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_expires_delta_false_means_no_exp(
    make_manager: MakeManager, clock: ManualClock, kind: str
) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice", expires_delta=False)
    assert "exp" not in payload_of(raw)
    clock.advance(100 * 365 * 24 * 3600)
    token = manager.decode(raw)
    assert token.exp is None
    assert token.identity == "alice"


def test_configured_false_means_no_exp(make_manager: MakeManager) -> None:
    manager = make_manager(access_token_expires=False, refresh_token_expires=False)
    assert "exp" not in payload_of(manager.create_access_token("alice"))
    assert "exp" not in payload_of(manager.create_refresh_token("alice"))


def test_expires_delta_true_is_refused(make_manager: MakeManager) -> None:
    with pytest.raises(InvalidClaimsError, match="expires_delta"):
        make_manager().create_access_token("alice", expires_delta=True)
