"""A claim that would overwrite a registered or library claim is refused at creation."""

from __future__ import annotations

import pytest

from jwt_core import InvalidClaimsError
from tests.core.conftest import MakeManager
from tests.support.jose import payload_of

RESERVED = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "type", "fresh", "csrf", "identity"]


@pytest.mark.parametrize("name", [*RESERVED, "role"])
@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_unprefixed_private_claim_with_a_reserved_name_is_refused(
    make_manager: MakeManager, name: str, kind: str
) -> None:
    manager = make_manager(use_acl=True, csrf_claim=True)
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    with pytest.raises(InvalidClaimsError, match=name):
        create("alice", private_claims={name: "x"})


@pytest.mark.parametrize("use_acl", [True, False])
def test_custom_acl_claim_is_reserved(make_manager: MakeManager, use_acl: bool) -> None:
    manager = make_manager(use_acl=use_acl, acl_claim="permission")
    with pytest.raises(InvalidClaimsError, match="permission"):
        manager.create_access_token("alice", private_claims={"permission": "ADMIN"})


@pytest.mark.parametrize("name", RESERVED)
def test_reserved_name_is_refused_even_when_the_claim_is_absent(
    make_manager: MakeManager, name: str
) -> None:
    """`aud`, `iss`, `csrf`, `identity`, `fresh` are reserved although this token lacks them."""
    manager = make_manager()
    with pytest.raises(InvalidClaimsError, match=name):
        manager.create_refresh_token("alice", private_claims={name: 1})


def test_prefixed_private_claim_with_a_reserved_key_does_not_overwrite(
    make_manager: MakeManager,
) -> None:
    manager = make_manager(private_claim_prefix="app")
    raw = manager.create_access_token("alice", private_claims={"sub": "mallory", "type": "x"})
    payload = payload_of(raw)
    assert payload["sub"] == "alice"
    assert payload["type"] == "access"
    token = manager.decode(raw)
    assert token.identity == "alice"
    assert token.private_claims == {"sub": "mallory", "type": "x"}
