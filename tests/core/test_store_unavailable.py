"""A revocation store that raises or hangs refuses the token (fail closed) within the timeout."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from jwt_core import BlacklistABC, RevocationStoreUnavailableError, RevokedTokenError, Token
from tests.core.conftest import MakeManager

# Upper bound only so that a broken timeout fails the test instead of hanging the suite.
HANG_GUARD = 30.0


class BrokenStore(BlacklistABC):
    """Each call raises or never returns, as `mode` says; `mode=None` behaves like a store."""

    def __init__(self, mode: str | None = "raise") -> None:
        self.mode = mode
        self.revoked: set[str] = set()
        self.abandoned = 0

    async def _misbehave(self) -> None:
        if self.mode == "raise":
            raise ConnectionError("store is down")
        if self.mode == "hang":
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.abandoned += 1
                raise

    async def register(self, token: Token) -> None:
        await self._misbehave()
        self.revoked.add(str(token.jti))

    async def register_identity(
        self, subject: str, revoked_before: datetime, expires_at: datetime | None
    ) -> None:
        await self._misbehave()

    async def is_blacklisted(self, token: Token) -> bool:
        await self._misbehave()
        return str(token.jti) in self.revoked


def _manager(make_manager: MakeManager, mode: str | None) -> Any:
    return make_manager(
        use_blacklist=True,
        blacklist_class=BrokenStore,
        blacklist_init_kwargs={"mode": mode},
        blacklist_timeout=0.05,
    )


def _store(manager: Any) -> BrokenStore:
    assert isinstance(manager.blacklist, BrokenStore)
    return manager.blacklist


@pytest.mark.parametrize("mode", ["raise", "hang"])
async def test_verify_fails_closed(make_manager: MakeManager, mode: str) -> None:
    manager = _manager(make_manager, mode)
    raw = manager.create_access_token("alice")
    with pytest.raises(RevocationStoreUnavailableError):
        await asyncio.wait_for(manager.verify(raw), HANG_GUARD)


async def test_hung_call_is_abandoned(make_manager: MakeManager) -> None:
    manager = _manager(make_manager, "hang")
    with pytest.raises(RevocationStoreUnavailableError):
        await asyncio.wait_for(manager.verify(manager.create_access_token("a")), HANG_GUARD)
    assert _store(manager).abandoned == 1


@pytest.mark.parametrize("mode", ["raise", "hang"])
async def test_revoke_reports_the_store_failure(make_manager: MakeManager, mode: str) -> None:
    manager = _manager(make_manager, mode)
    token = manager.decode(manager.create_access_token("alice"))
    with pytest.raises(RevocationStoreUnavailableError):
        await asyncio.wait_for(manager.revoke(token), HANG_GUARD)
    with pytest.raises(RevocationStoreUnavailableError):
        await asyncio.wait_for(token.revoke(), HANG_GUARD)
    with pytest.raises(RevocationStoreUnavailableError):
        await asyncio.wait_for(manager.revoke_all("alice"), HANG_GUARD)


async def test_service_resumes_when_the_store_is_back(make_manager: MakeManager) -> None:
    manager = _manager(make_manager, "hang")
    store = _store(manager)
    raw = manager.create_access_token("alice")
    with pytest.raises(RevocationStoreUnavailableError):
        await asyncio.wait_for(manager.verify(raw), HANG_GUARD)
    store.mode = None
    assert (await manager.verify(raw)).identity == "alice"
    await manager.revoke(manager.decode(raw))
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)
    store.mode = "raise"
    with pytest.raises(RevocationStoreUnavailableError):
        await manager.verify(raw)


async def test_no_store_call_when_an_earlier_check_fails(make_manager: MakeManager) -> None:
    """A wrong-type token is refused without asking the (down) store."""
    from jwt_core import WrongTokenError

    manager = _manager(make_manager, "hang")
    with pytest.raises(WrongTokenError):
        await asyncio.wait_for(manager.verify(manager.create_refresh_token("a")), HANG_GUARD)
    assert _store(manager).abandoned == 0
