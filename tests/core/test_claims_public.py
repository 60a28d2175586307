"""Public claims need a namespace, are flattened with '/' under it and come back nested."""

from __future__ import annotations

import pytest

from jwt_core import ConfigurationConflictError, InvalidClaimsError
from tests.core.conftest import MakeManager
from tests.support.jose import payload_of

NS = "https://a.io/"


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_public_claims_without_namespace_are_refused(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    with pytest.raises(ConfigurationConflictError, match="public_claim_namespace"):
        create("alice", public_claims={"user": {"name": "x"}})


def test_nested_claims_are_flattened_with_slashes(make_manager: MakeManager) -> None:
    manager = make_manager(public_claim_namespace=NS)
    raw = manager.create_access_token(
        "alice", public_claims={"user": {"name": "x", "address": {"city": "Oslo"}}, "plan": "pro"}
    )
    payload = payload_of(raw)
    assert payload[NS + "user/name"] == "x"
    assert payload[NS + "user/address/city"] == "Oslo"
    assert payload[NS + "plan"] == "pro"
    assert "user" not in payload
    assert "plan" not in payload


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_public_claims_come_back_nested(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager(public_claim_namespace=NS)
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    claims = {
        "user": {"name": "x", "address": {"city": "Oslo", "zip": 150}},
        "tags": ["a", "b"],
        "list_of_objects": [{"k": 1}],
        "empty": {},
        "nothing": None,
        "flag": False,
    }
    token = manager.decode(create("alice", public_claims=claims))
    assert token.public_claims == claims


def test_public_claims_are_not_private_claims(make_manager: MakeManager) -> None:
    manager = make_manager(public_claim_namespace=NS)
    token = manager.decode(
        manager.create_access_token("alice", public_claims={"a": 1}, private_claims={"b": 2})
    )
    assert token.public_claims == {"a": 1}
    assert token.private_claims == {"b": 2}


def test_public_claim_named_like_a_registered_claim_does_not_touch_it(
    make_manager: MakeManager,
) -> None:
    manager = make_manager(public_claim_namespace=NS)
    raw = manager.create_access_token("alice", public_claims={"sub": "mallory", "exp": 1})
    token = manager.decode(raw)
    assert token.sub == "alice"
    assert token.identity == "alice"
    assert token.public_claims == {"sub": "mallory", "exp": 1}


def test_no_public_claims_gives_an_empty_dict(make_manager: MakeManager) -> None:
    manager = make_manager(public_claim_namespace=NS)
    assert manager.decode(manager.create_access_token("alice")).public_claims == {}


@pytest.mark.parametrize("claims", [{"a": 1, "a/b": 2}, {"x/y": 1}], ids=repr)
def test_public_claim_names_with_a_slash_are_refused_or_round_trip(
    make_manager: MakeManager, claims: dict[str, int]
) -> None:
    manager = make_manager(public_claim_namespace=NS)
    try:
        raw = manager.create_access_token("alice", public_claims=claims)
    except InvalidClaimsError:
        return
    assert manager.decode(raw).public_claims == claims
