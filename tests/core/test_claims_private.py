"""Private claims are stored as `<prefix>_<key>` and come back under their original keys."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from jwt_core import InvalidClaimsError
from tests.core.conftest import MakeManager
from tests.support.jose import payload_of

CLAIMS: dict[str, Any] = {
    "tenant": "acme",
    "limits": {"rps": 10, "burst": [1, 2]},
    "score": 1.5,
    "count": 3,
    "on": True,
    "none": None,
}


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_prefixed_private_claims_round_trip(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager(private_claim_prefix="app")
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice", private_claims=CLAIMS)
    payload = payload_of(raw)
    for key, value in CLAIMS.items():
        assert payload[f"app_{key}"] == value
        assert key not in payload
    assert manager.decode(raw).private_claims == CLAIMS


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_unprefixed_private_claims_round_trip(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice", private_claims=CLAIMS)
    payload = payload_of(raw)
    for key, value in CLAIMS.items():
        assert payload[key] == value
    assert manager.decode(raw).private_claims == CLAIMS


@pytest.mark.parametrize("prefix", ["", "app"])
def test_no_private_claims_gives_an_empty_dict(make_manager: MakeManager, prefix: str) -> None:
    manager = make_manager(private_claim_prefix=prefix, use_acl=True)
    token = manager.decode(manager.create_access_token({"id": 1}, "ADMIN", True))
    assert token.private_claims == {}


def test_private_claims_with_a_role_and_csrf_hold_only_what_was_given(
    make_manager: MakeManager,
) -> None:
    manager = make_manager(use_acl=True, csrf_claim=True, default_iss="me")
    raw = manager.create_access_token({"id": 1}, "ADMIN", True, private_claims={"x": 1})
    assert manager.decode(raw).private_claims == {"x": 1}


def test_private_claim_that_is_not_json_is_refused(make_manager: MakeManager) -> None:
    with pytest.raises(InvalidClaimsError):
        make_manager().create_access_token("alice", private_claims={"x": object()})


class _Encoder(json.JSONEncoder):
    """Turns UUIDs and sets into JSON, as a configured json_encoder would."""

    def default(self, o: Any) -> Any:
        if isinstance(o, uuid.UUID):
            return str(o)
        if isinstance(o, set):
            return sorted(o)
        return super().default(o)


def test_json_encoder_is_used_for_claims(make_manager: MakeManager) -> None:
    manager = make_manager(json_encoder=_Encoder, private_claim_prefix="p")
    user = uuid.UUID("12345678-1234-4678-9234-567812345678")
    raw = manager.create_access_token("alice", private_claims={"org": user, "tags": {"b", "a"}})
    assert manager.decode(raw).private_claims == {"org": str(user), "tags": ["a", "b"]}
