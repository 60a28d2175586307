"""The rows of "What changed on purpose" on the 1.0-dev migration page hold as written.

These pin documented differences (each kept for security) rather than new behaviour: they
are what a 1.0-dev user reads on docs/migration/sanic-jwt-extended.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from old_api import SECRET
from sanic import Sanic

from jwt_core import Config, TokenManager
from sanic_jwt_extended import JWT, ConfigurationConflictError, InvalidTokenError


def _manager(**options: Any) -> TokenManager:
    return TokenManager(Config(secret_key=SECRET, **options))


def test_datetimes_are_aware_utc() -> None:
    manager = _manager()
    token = manager.decode(manager.create_access_token("alice"))
    assert token.exp is not None
    assert token.exp.tzinfo is timezone.utc
    assert token.iat < datetime.now(timezone.utc)
    with pytest.raises(TypeError):
        _ = token.exp < datetime.utcnow()


def test_fresh_is_false_for_access_and_none_for_refresh_tokens() -> None:
    manager = _manager()
    access = manager.decode(manager.create_access_token("alice"))
    refresh = manager.decode(manager.create_refresh_token("alice"))
    assert access.fresh is False
    assert access.raw_data["fresh"] is False
    assert refresh.fresh is None


def test_a_foreign_audience_is_refused_and_the_default_one_accepted() -> None:
    manager = _manager(default_aud="this-service")
    assert manager.decode(manager.create_access_token("alice")).aud == "this-service"
    with pytest.raises(InvalidTokenError, match="audience"):
        manager.decode(manager.create_access_token("alice", aud="other-service"))
    plain = _manager()
    with pytest.raises(InvalidTokenError, match="set decode_audience"):
        plain.decode(plain.create_access_token("alice", aud="other-service"))


def test_keys_that_do_not_fit_stop_the_start(new_app: Callable[[], Sanic[Any, Any]]) -> None:
    """1.0-dev's own test_initialize started with these keys."""
    block = JWT.initialize(new_app())
    initialize = block.__enter__()
    initialize.config.algorithm = "RS256"
    initialize.config.public_key = "pub1ic"
    initialize.config.private_key = "pr1vate"
    with pytest.raises(ConfigurationConflictError, match="not a usable key for RS256"):
        block.__exit__(None, None, None)


def test_private_key_alone_derives_the_public_one_and_public_alone_only_verifies() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signer = TokenManager(Config(algorithm="RS256", private_key=private_pem))
    raw = signer.create_access_token("alice")
    assert signer.decode(raw).identity == "alice"
    verifier = TokenManager(Config(algorithm="RS256", public_key=public_pem))
    assert verifier.decode(raw).identity == "alice"
    with pytest.raises(ConfigurationConflictError, match="can only verify"):
        verifier.create_access_token("alice")


def test_a_token_is_immutable() -> None:
    manager = _manager(use_acl=True)
    token = manager.decode(manager.create_access_token("alice", "USER"))
    with pytest.raises(AttributeError, match="immutable"):
        token.role = "ADMIN"  # type: ignore[misc]
    assert token.role == "USER"


def test_private_claims_have_one_name_on_both_token_types() -> None:
    prefixed = _manager(private_claim_prefix="app")
    plain = _manager()
    for manager, name in ((prefixed, "app_foo"), (plain, "foo")):
        for raw in (
            manager.create_access_token("alice", private_claims={"foo": "bar"}),
            manager.create_refresh_token("alice", private_claims={"foo": "bar"}),
        ):
            token = manager.decode(raw)
            assert token.raw_data[name] == "bar"
            assert token.private_claims == {"foo": "bar"}
