"""Access and refresh tokens round-trip under every algorithm family."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jwt_core import Config, TokenManager
from tests.support.clock import ManualClock
from tests.support.jose import header_of

ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]


@pytest.mark.parametrize("alg", ALGORITHMS)
@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_round_trip(
    alg: str, kind: str, key_options: Callable[[str], dict[str, Any]], clock: ManualClock
) -> None:
    manager = TokenManager(
        Config(**key_options(alg), use_acl=True, private_claim_prefix="p"), clock=clock
    )
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create({"id": 7}, "ADMIN", private_claims={"tenant": "acme"})
    assert header_of(raw)["alg"] == alg
    token = manager.decode(raw)
    assert token.identity == {"id": 7}
    assert token.type == kind
    assert token.role == "ADMIN"
    assert token.private_claims == {"tenant": "acme"}
    assert token.raw_jwt == raw


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_a_fresh_manager_on_the_same_keys_accepts_the_token(
    alg: str, key_options: Callable[[str], dict[str, Any]]
) -> None:
    raw = TokenManager(Config(**key_options(alg))).create_access_token("alice", None, True)
    token = TokenManager(Config(**key_options(alg))).decode(raw)
    assert (token.identity, token.fresh) == ("alice", True)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "ES512"])
def test_public_key_only_manager_verifies(
    alg: str, key_options: Callable[[str], dict[str, Any]]
) -> None:
    options = key_options(alg)
    raw = TokenManager(Config(**options)).create_access_token("alice")
    verifier = TokenManager(Config(algorithm=alg, public_key=options["public_key"]))
    assert verifier.decode(raw).identity == "alice"
