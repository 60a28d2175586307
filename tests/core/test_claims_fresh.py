"""fresh is True/False, or a timedelta meaning fresh until issue time + delta (checked on read)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwt_core import FreshTokenRequiredError, InvalidClaimsError
from tests.core.conftest import MakeManager
from tests.support.clock import ManualClock
from tests.support.jose import payload_of


@pytest.mark.parametrize("fresh", [True, False])
def test_boolean_fresh_round_trips(make_manager: MakeManager, fresh: bool) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", None, fresh)
    assert payload_of(raw)["fresh"] is fresh
    assert manager.decode(raw).fresh is fresh


def test_access_token_is_not_fresh_by_default(make_manager: MakeManager) -> None:
    manager = make_manager()
    assert manager.decode(manager.create_access_token("alice")).fresh is False


def test_refresh_token_has_no_freshness(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_refresh_token("alice")
    assert "fresh" not in payload_of(raw)
    assert manager.decode(raw).fresh is None


def test_timedelta_fresh_holds_until_issue_time_plus_delta(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", None, timedelta(minutes=5))
    clock.advance(299)
    assert manager.decode(raw).fresh is True
    clock.advance(2)
    assert manager.decode(raw).fresh is False


async def test_timedelta_fresh_is_evaluated_when_verifying(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", None, timedelta(seconds=60))
    clock.advance(30)
    assert (await manager.verify(raw, fresh_required=True)).fresh is True
    clock.advance(31)
    with pytest.raises(FreshTokenRequiredError):
        await manager.verify(raw, fresh_required=True)


def test_a_later_decode_does_not_reuse_an_earlier_freshness(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", None, timedelta(seconds=10))
    first = manager.decode(raw)
    clock.advance(11)
    second = manager.decode(raw)
    assert (first.fresh, second.fresh) == (True, False)


@pytest.mark.parametrize("fresh", ["yes", 1, None, 1.0], ids=repr)
def test_fresh_of_another_type_is_refused(make_manager: MakeManager, fresh: object) -> None:
    with pytest.raises(InvalidClaimsError, match="fresh"):
        make_manager().create_access_token("alice", None, fresh)  # type: ignore[arg-type]
