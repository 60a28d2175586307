"""Token: typed, timezone-aware views of a verified token, and immutable."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from jwt_core import Token
from tests.core.conftest import MakeManager
from tests.support.clock import T0, ManualClock
from tests.support.jose import payload_of


def test_attributes_of_an_access_token(make_manager: MakeManager) -> None:
    manager = make_manager(
        use_acl=True,
        default_iss="https://issuer.example",
        default_aud=["api"],
        csrf_claim=True,
        public_claim_namespace="https://a.io/",
        private_claim_prefix="p",
    )
    raw = manager.create_access_token(
        {"id": 1}, "ADMIN", True, public_claims={"u": {"n": 1}}, private_claims={"k": "v"}
    )
    token = manager.decode(raw)
    payload = payload_of(raw)
    assert isinstance(token, Token)
    assert token.raw_jwt == raw
    assert dict(token.raw_data) == payload
    assert token.type == "access"
    assert token.identity == {"id": 1}
    assert token.sub == '{"id":1}'
    assert token.iss == "https://issuer.example"
    assert token.aud == ["api"]
    assert token.role == "ADMIN"
    assert token.fresh is True
    assert token.csrf == payload["csrf"]
    assert isinstance(token.jti, uuid.UUID)
    assert token.jti == uuid.UUID(payload["jti"])
    assert token.public_claims == {"u": {"n": 1}}
    assert token.private_claims == {"k": "v"}


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_datetimes_are_aware_utc(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager()
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    token = manager.decode(create("alice", expires_delta=timedelta(minutes=5)))
    for value in (token.iat, token.nbf, token.exp):
        assert isinstance(value, datetime)
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
    assert token.iat == datetime.fromtimestamp(T0, timezone.utc)
    assert token.exp == token.iat + timedelta(minutes=5)


def test_iat_keeps_sub_second_precision(make_manager: MakeManager, clock: ManualClock) -> None:
    clock.advance(0.25)
    manager = make_manager()
    token = manager.decode(manager.create_access_token("alice"))
    assert token.iat.timestamp() == pytest.approx(T0 + 0.25, abs=0.001)


def test_refresh_token_has_no_freshness_and_no_role_without_acl(
    make_manager: MakeManager,
) -> None:
    manager = make_manager()
    token = manager.decode(manager.create_refresh_token("alice"))
    assert token.fresh is None
    assert token.role is None
    assert token.csrf is None
    assert token.iss is None
    assert token.aud is None


def test_claim_dicts_are_never_none(make_manager: MakeManager) -> None:
    manager = make_manager()
    token = manager.decode(manager.create_access_token("alice"))
    assert token.public_claims == {}
    assert token.private_claims == {}


def test_exp_is_none_without_expiry(make_manager: MakeManager) -> None:
    manager = make_manager()
    assert manager.decode(manager.create_access_token("alice", expires_delta=False)).exp is None


@pytest.mark.parametrize(
    "name",
    [
        "raw_jwt", "raw_data", "type", "identity", "sub", "jti", "iat", "nbf", "exp",
        "iss", "aud", "role", "fresh", "csrf", "public_claims", "private_claims", "new_name",
    ],
)  # fmt: skip
def test_assigning_any_attribute_raises(make_manager: MakeManager, name: str) -> None:
    manager = make_manager()
    token = manager.decode(manager.create_access_token("alice"))
    with pytest.raises(AttributeError):
        setattr(token, name, "mallory")
    assert token.identity == "alice"


def test_deleting_an_attribute_raises(make_manager: MakeManager) -> None:
    manager = make_manager()
    token = manager.decode(manager.create_access_token("alice"))
    with pytest.raises(AttributeError):
        del token.identity
    assert token.identity == "alice"


def test_raw_data_is_read_only(make_manager: MakeManager) -> None:
    manager = make_manager()
    token = manager.decode(manager.create_access_token("alice"))
    with pytest.raises(TypeError):
        token.raw_data["sub"] = "mallory"  # type: ignore[index]
    assert token.raw_data["sub"] == "alice"


def test_changing_returned_claim_dicts_does_not_change_the_token(
    make_manager: MakeManager,
) -> None:
    manager = make_manager(public_claim_namespace="https://a.io/")
    raw = manager.create_access_token("alice", public_claims={"a": 1}, private_claims={"b": 2})
    token = manager.decode(raw)
    token.public_claims["a"] = 99
    token.private_claims["b"] = 99
    assert token.public_claims == {"a": 1}
    assert token.private_claims == {"b": 2}


def _mutate_identity(token: Token) -> None:
    token.identity["roles"].append("admin")
    token.identity["id"] = 2


def _mutate_private_claim(token: Token) -> None:
    token.private_claims["limits"]["rps"] = 10_000


def _mutate_public_claim(token: Token) -> None:
    token.public_claims["user"]["groups"].append("admin")


def _mutate_raw_data(token: Token) -> None:
    token.raw_data["identity"]["id"] = 2


@pytest.mark.parametrize(
    "mutate", [_mutate_identity, _mutate_private_claim, _mutate_public_claim, _mutate_raw_data]
)
def test_changing_one_tokens_values_does_not_leak_into_the_next_decode(
    make_manager: MakeManager, mutate: Callable[[Token], None]
) -> None:
    manager = make_manager(public_claim_namespace="https://a.io/")
    identity = {"id": 1, "roles": ["user"]}
    public = {"user": {"groups": ["staff"]}}
    private = {"limits": {"rps": 10}}
    raw = manager.create_access_token(identity, public_claims=public, private_claims=private)
    with contextlib.suppress(TypeError):  # a read-only view refusing the change is fine too
        mutate(manager.decode(raw))
    again = manager.decode(raw)
    assert again.identity == identity
    assert again.public_claims == public
    assert again.private_claims == private
    assert again.raw_data["identity"] == identity


@pytest.mark.parametrize(
    "mutate", [_mutate_identity, _mutate_private_claim, _mutate_public_claim, _mutate_raw_data]
)
def test_without_the_cache_changes_do_not_leak(
    make_manager: MakeManager, mutate: Callable[[Token], None]
) -> None:
    manager = make_manager(public_claim_namespace="https://a.io/", verified_token_cache_size=0)
    identity = {"id": 1, "roles": ["user"]}
    raw = manager.create_access_token(
        identity,
        public_claims={"user": {"groups": ["staff"]}},
        private_claims={"limits": {"rps": 10}},
    )
    with contextlib.suppress(TypeError):
        mutate(manager.decode(raw))
    assert manager.decode(raw).identity == identity
    assert manager.decode(raw).private_claims == {"limits": {"rps": 10}}


def test_tokens_compare_by_their_raw_text(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    other = manager.create_access_token("alice")
    assert manager.decode(raw) == manager.decode(raw)
    assert hash(manager.decode(raw)) == hash(manager.decode(raw))
    assert manager.decode(raw) != manager.decode(other)
