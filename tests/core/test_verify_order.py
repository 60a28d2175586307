"""verify checks in order: decode -> type -> CSRF -> revoked -> fresh -> role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwt_core import (
    AccessDeniedError,
    CSRFError,
    ExpiredSignatureError,
    FreshTokenRequiredError,
    RevokedTokenError,
    TokenManager,
    WrongTokenError,
)
from tests.core.conftest import MakeManager
from tests.support.clock import ManualClock


@pytest.fixture
def manager(make_manager: MakeManager) -> TokenManager:
    return make_manager(use_acl=True, use_blacklist=True, csrf_claim=True)


async def _revoked(manager: TokenManager, raw: str) -> str:
    await manager.revoke(manager.decode(raw))
    return raw


async def test_expiry_comes_before_type(manager: TokenManager, clock: ManualClock) -> None:
    raw = manager.create_refresh_token("alice", expires_delta=timedelta(seconds=1))
    clock.advance(5)
    with pytest.raises(ExpiredSignatureError):
        await manager.verify(raw, "access")


async def test_type_comes_before_csrf_and_revocation(manager: TokenManager) -> None:
    raw = await _revoked(manager, manager.create_refresh_token("alice", "GUEST"))
    with pytest.raises(WrongTokenError):
        await manager.verify(raw, "access", True, ["ADMIN"], check_csrf=True, csrf="wrong")


async def test_csrf_comes_before_revocation(manager: TokenManager) -> None:
    raw = await _revoked(manager, manager.create_access_token("alice", "GUEST"))
    with pytest.raises(CSRFError):
        await manager.verify(raw, fresh_required=True, allow=["ADMIN"], check_csrf=True)


async def test_revocation_comes_before_freshness_and_role(manager: TokenManager) -> None:
    raw = await _revoked(manager, manager.create_access_token("alice", "GUEST", False))
    csrf = manager.decode(raw).csrf
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw, fresh_required=True, allow=["ADMIN"], check_csrf=True, csrf=csrf)


async def test_revocation_comes_before_a_role_conflict(manager: TokenManager) -> None:
    raw = await _revoked(manager, manager.create_access_token("alice", "GUEST"))
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw, allow=["ADMIN"], deny=["GUEST"])


async def test_freshness_comes_before_role(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice", "GUEST", False)
    with pytest.raises(FreshTokenRequiredError):
        await manager.verify(raw, fresh_required=True, allow=["ADMIN"])


async def test_role_is_checked_last(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice", "GUEST", True)
    csrf = manager.decode(raw).csrf
    with pytest.raises(AccessDeniedError):
        await manager.verify(raw, fresh_required=True, allow=["ADMIN"], check_csrf=True, csrf=csrf)


async def test_all_checks_pass(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice", "ADMIN", True)
    csrf = manager.decode(raw).csrf
    token = await manager.verify(
        raw, fresh_required=True, allow=["ADMIN"], check_csrf=True, csrf=csrf
    )
    assert (token.identity, token.role, token.fresh) == ("alice", "ADMIN", True)
