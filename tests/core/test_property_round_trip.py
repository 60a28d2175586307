"""Property: any JSON identity and any JSON claim values round-trip exactly."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jwt_core import Config, TokenManager
from tests.core.conftest import SECRET

NS = "https://a.io/"
RESERVED = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "type", "fresh", "csrf", "identity"}
RESERVED.add("role")

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)


ANY_KEY = st.text(max_size=8)


def json_values(keys: st.SearchStrategy[str] = ANY_KEY) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )


IDENTITIES = json_values().filter(lambda v: v is not None and v != "")
CLAIM_NAMES = st.text(min_size=1, max_size=10)
PRIVATE = st.dictionaries(CLAIM_NAMES, json_values(), max_size=5)
UNPREFIXED = st.dictionaries(
    CLAIM_NAMES.filter(lambda k: k not in RESERVED), json_values(), max_size=5
)
PUBLIC_KEYS = st.text(min_size=1, max_size=8).filter(lambda k: "/" not in k)
PUBLIC = st.dictionaries(PUBLIC_KEYS, json_values(PUBLIC_KEYS), max_size=4)

PREFIXED = TokenManager(
    Config(secret_key=SECRET, private_claim_prefix="p", public_claim_namespace=NS)
)
PLAIN = TokenManager(Config(secret_key=SECRET))
PROPERTY = settings(max_examples=100, deadline=None)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same JSON types throughout (1, 1.0 and True are told apart)."""
    return a == b and json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@PROPERTY
@given(identity=IDENTITIES)
def test_any_identity_round_trips(identity: Any) -> None:
    for create in (PLAIN.create_access_token, PLAIN.create_refresh_token):
        token = PLAIN.decode(create(identity))
        assert _same(token.identity, identity)
        assert isinstance(token.sub, str)


@PROPERTY
@given(identity=IDENTITIES, private=PRIVATE, public=PUBLIC)
def test_any_prefixed_private_and_public_claims_round_trip(
    identity: Any, private: dict[str, Any], public: dict[str, Any]
) -> None:
    for create in (PREFIXED.create_access_token, PREFIXED.create_refresh_token):
        raw = create(identity, private_claims=private, public_claims=public)
        token = PREFIXED.decode(raw)
        assert _same(token.identity, identity)
        assert _same(token.private_claims, private)
        assert _same(token.public_claims, public)


@PROPERTY
@given(private=UNPREFIXED)
def test_any_unprefixed_private_claims_round_trip(private: dict[str, Any]) -> None:
    token = PLAIN.decode(PLAIN.create_access_token("alice", private_claims=private))
    assert _same(token.private_claims, private)
    assert token.identity == "alice"
