"""A role needs use_acl, is stored under acl_claim and comes back as Token.role."""

from __future__ import annotations

import pytest

from jwt_core import ConfigurationConflictError, InvalidClaimsError
from tests.core.conftest import SECRET, MakeManager
from tests.support.jose import payload_of, resign


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_role_without_use_acl_is_refused(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    with pytest.raises(ConfigurationConflictError, match="use_acl"):
        create("alice", "ADMIN")


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_role_round_trips_with_use_acl(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager(use_acl=True)
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice", "ADMIN")
    assert payload_of(raw)["role"] == "ADMIN"
    assert manager.decode(raw).role == "ADMIN"


def test_role_is_stored_under_a_custom_acl_claim(make_manager: MakeManager) -> None:
    manager = make_manager(use_acl=True, acl_claim="permission")
    raw = manager.create_access_token("alice", "EDITOR")
    payload = payload_of(raw)
    assert payload["permission"] == "EDITOR"
    assert "role" not in payload
    assert manager.decode(raw).role == "EDITOR"


def test_no_role_gives_none(make_manager: MakeManager) -> None:
    manager = make_manager(use_acl=True)
    raw = manager.create_access_token("alice")
    assert "role" not in payload_of(raw)
    assert manager.decode(raw).role is None


def test_role_claim_is_ignored_without_use_acl(make_manager: MakeManager) -> None:
    with_acl = make_manager(use_acl=True)
    raw = with_acl.create_access_token("alice", "ADMIN")
    assert make_manager().decode(raw).role is None


@pytest.mark.parametrize("role", ["", 1, ["ADMIN"]], ids=repr)
def test_role_that_is_not_a_non_empty_string_is_refused(
    make_manager: MakeManager, role: object
) -> None:
    with pytest.raises(InvalidClaimsError, match="role"):
        make_manager(use_acl=True).create_access_token("alice", role)  # type: ignore[arg-type]


def test_signed_role_of_wrong_type_is_refused_when_read(make_manager: MakeManager) -> None:
    from jwt_core import InvalidTokenError

    manager = make_manager(use_acl=True)
    forged = resign(manager.create_access_token("alice", "USER"), SECRET, role=["ADMIN"])
    with pytest.raises(InvalidTokenError, match="role"):
        manager.decode(forged)
