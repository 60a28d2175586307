"""nbf defaults to the issue time; an explicit nbf delays validity until then."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from jwt_core import InvalidTokenError
from tests.core.conftest import MakeManager
from tests.support.clock import T0, ManualClock
from tests.support.jose import payload_of


def test_default_nbf_is_the_issue_time(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    payload = payload_of(raw)
    assert payload["nbf"] == T0
    assert payload["iat"] == T0
    token = manager.decode(raw)
    assert token.nbf == datetime.fromtimestamp(T0, timezone.utc)


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_nbf_override_delays_validity(
    make_manager: MakeManager, clock: ManualClock, kind: str
) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    start = datetime.fromtimestamp(T0, timezone.utc) + timedelta(minutes=2)
    raw = create("alice", nbf=start)
    assert payload_of(raw)["nbf"] == T0 + 120
    clock.advance(119)
    with pytest.raises(InvalidTokenError, match="nbf"):
        manager.decode(raw)
    clock.advance(1)
    assert manager.decode(raw).nbf == start


def test_nbf_in_the_past_is_kept(make_manager: MakeManager) -> None:
    manager = make_manager()
    earlier = datetime.fromtimestamp(T0, timezone.utc) - timedelta(hours=1)
    raw = manager.create_access_token("alice", nbf=earlier)
    assert payload_of(raw)["nbf"] == T0 - 3600
    assert manager.decode(raw).nbf == earlier
