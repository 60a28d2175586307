"""Any JSON identity round-trips exactly; a non-string one keeps `sub` a string."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jwt_core import InvalidClaimsError, InvalidTokenError
from tests.core.conftest import SECRET, MakeManager
from tests.support.jose import payload_of, resign

IDENTITIES = [
    "alice",
    "ünïcødé ✓",
    1,
    0,
    -7,
    2**70,
    1.5,
    1.0,
    -0.25,
    True,
    False,
    {"id": 1, "org": "acme"},
    {"nested": {"list": [1, 2, {"x": None}]}},
    [],
    {},
    [1, "a", None, True, 2.5],
    "1",
    "true",
]


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same JSON types all the way down (so 1, 1.0 and True differ)."""
    return a == b and json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("identity", IDENTITIES, ids=repr)
@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_identity_round_trips_exactly(make_manager: MakeManager, identity: Any, kind: str) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    token = manager.decode(create(identity))
    assert _same(token.identity, identity)
    assert type(token.identity) is type(identity)


def test_string_identity_is_the_sub_claim(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    payload = payload_of(raw)
    assert payload["sub"] == "alice"
    assert "identity" not in payload
    assert manager.decode(raw).sub == "alice"


@pytest.mark.parametrize(
    ("identity", "sub"),
    [
        (1, "1"),
        (True, "true"),
        (1.5, "1.5"),
        ([1, "a"], '[1,"a"]'),
        ({"b": 1, "a": 2}, '{"a":2,"b":1}'),
    ],
)
def test_non_string_identity_keeps_sub_a_string(
    make_manager: MakeManager, identity: Any, sub: str
) -> None:
    manager = make_manager()
    raw = manager.create_access_token(identity)
    payload = payload_of(raw)
    assert payload["sub"] == sub
    assert isinstance(payload["sub"], str)
    assert _same(payload["identity"], identity)
    assert manager.decode(raw).sub == sub


@pytest.mark.parametrize("identity", [None, ""], ids=["none", "empty"])
def test_missing_identity_is_refused(make_manager: MakeManager, identity: Any) -> None:
    with pytest.raises(InvalidClaimsError, match="identity"):
        make_manager().create_access_token(identity)


@pytest.mark.parametrize("identity", [object(), {1, 2}, {"f": float("nan")}], ids=repr)
def test_identity_that_is_not_json_is_refused(make_manager: MakeManager, identity: Any) -> None:
    with pytest.raises(InvalidClaimsError):
        make_manager().create_access_token(identity)


def test_identity_claim_that_disagrees_with_sub_is_refused(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token({"id": 1})
    forged = resign(raw, SECRET, identity={"id": 2})
    with pytest.raises(InvalidTokenError, match="identity"):
        manager.decode(forged)
