"""fresh_required refuses tokens that are not fresh with FreshTokenRequiredError."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwt_core import FreshTokenRequiredError
from tests.core.conftest import MakeManager
from tests.support.clock import ManualClock


async def test_fresh_token_passes(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", None, True)
    assert (await manager.verify(raw, fresh_required=True)).fresh is True


async def test_non_fresh_token_is_refused(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", None, False)
    with pytest.raises(FreshTokenRequiredError):
        await manager.verify(raw, fresh_required=True)
    assert (await manager.verify(raw)).fresh is False


async def test_freshness_that_ran_out_is_refused(
    make_manager: MakeManager, clock: ManualClock
) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice", None, timedelta(minutes=1))
    assert (await manager.verify(raw, fresh_required=True)).fresh is True
    clock.advance(61)
    with pytest.raises(FreshTokenRequiredError):
        await manager.verify(raw, fresh_required=True)
    assert (await manager.verify(raw)).fresh is False
