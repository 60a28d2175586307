"""allow/deny: role checks with AccessDeniedError, and the option combinations that cannot work."""

from __future__ import annotations

import pytest

from jwt_core import AccessDeniedError, ConfigurationConflictError, TokenManager
from tests.core.conftest import MakeManager


@pytest.fixture
def manager(make_manager: MakeManager) -> TokenManager:
    return make_manager(use_acl=True)


async def test_allowed_role_passes(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice", "ADMIN")
    assert (await manager.verify(raw, allow=["ADMIN", "EDITOR"])).role == "ADMIN"


async def test_role_not_in_allow_is_denied(manager: TokenManager) -> None:
    with pytest.raises(AccessDeniedError):
        await manager.verify(manager.create_access_token("alice", "USER"), allow=["ADMIN"])


async def test_no_role_is_denied_by_allow(manager: TokenManager) -> None:
    with pytest.raises(AccessDeniedError):
        await manager.verify(manager.create_access_token("alice"), allow=["ADMIN"])


async def test_empty_allow_denies_everyone(manager: TokenManager) -> None:
    with pytest.raises(AccessDeniedError):
        await manager.verify(manager.create_access_token("alice", "ADMIN"), allow=[])


async def test_denied_role_is_refused(manager: TokenManager) -> None:
    with pytest.raises(AccessDeniedError):
        await manager.verify(manager.create_access_token("alice", "GUEST"), deny=["GUEST"])


async def test_role_not_in_deny_passes(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice", "USER")
    assert (await manager.verify(raw, deny=["GUEST"])).role == "USER"
    assert (await manager.verify(manager.create_access_token("bob"), deny=["GUEST"])).role is None


async def test_roles_are_checked_on_refresh_tokens(manager: TokenManager) -> None:
    raw = manager.create_refresh_token("alice", "USER")
    with pytest.raises(AccessDeniedError):
        await manager.verify(raw, "refresh", allow=["ADMIN"])


async def test_allow_and_deny_together_is_a_conflict(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice", "ADMIN")
    with pytest.raises(ConfigurationConflictError):
        await manager.verify(raw, allow=["ADMIN"], deny=["GUEST"])
    with pytest.raises(ConfigurationConflictError):
        manager.check_role_options(["ADMIN"], ["GUEST"])


@pytest.mark.parametrize(
    ("allow", "deny"),
    [(["ADMIN"], None), (None, ["GUEST"]), ([], None)],
    ids=["allow", "deny", "empty"],
)
async def test_role_options_without_use_acl_are_a_conflict(
    make_manager: MakeManager, allow: list[str] | None, deny: list[str] | None
) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    with pytest.raises(ConfigurationConflictError, match="use_acl"):
        await manager.verify(raw, allow=allow, deny=deny)
    with pytest.raises(ConfigurationConflictError, match="use_acl"):
        manager.check_role_options(allow, deny)


def test_valid_role_options_pass_the_check(manager: TokenManager) -> None:
    manager.check_role_options(["ADMIN"], None)
    manager.check_role_options(None, ["GUEST"])
    manager.check_role_options(None, None)
