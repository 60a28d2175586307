"""Fixtures of the core suite: a hand-moved clock, managers, and keys generated once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from jwt_core import Config, TokenManager
from tests.support.clock import ManualClock
from tests.support.keys import private_pem, public_pem

SECRET = "a-test-secret-that-is-long-enough-for-hs512-and-then-some-0123456789"

MakeManager = Callable[..., TokenManager]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_manager(clock: ManualClock) -> MakeManager:
    """Build a TokenManager on the test's clock; HS256 with a long secret unless told."""

    def build(**options: Any) -> TokenManager:
        if "algorithm" not in options or str(options["algorithm"]).startswith("HS"):
            options.setdefault("secret_key", SECRET)
        if options.get("use_blacklist") and "blacklist_class" not in options:
            # the in-memory store forgets expired entries by its own clock: give it ours
            options.setdefault("blacklist_init_kwargs", {"clock": clock})
        return TokenManager(Config(**options), clock=clock)

    return build


@pytest.fixture(scope="session")
def rsa_key(rsa_private_key: rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    return rsa_private_key


@pytest.fixture(scope="session")
def other_rsa_key(other_rsa_private_key: rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    return other_rsa_private_key


@pytest.fixture(scope="session")
def ec_keys(
    ec_private_keys: dict[str, ec.EllipticCurvePrivateKey],
) -> dict[str, ec.EllipticCurvePrivateKey]:
    """One private key per ES* algorithm, on that algorithm's curve."""
    return ec_private_keys


@pytest.fixture(scope="session")
def key_options(
    rsa_key: rsa.RSAPrivateKey, ec_keys: dict[str, ec.EllipticCurvePrivateKey]
) -> Callable[[str], dict[str, Any]]:
    """The Config options that give algorithm `alg` a usable key pair (or secret)."""

    def options(alg: str) -> dict[str, Any]:
        if alg.startswith("HS"):
            return {"algorithm": alg, "secret_key": SECRET}
        key: Any = rsa_key if alg.startswith("RS") else ec_keys[alg]
        return {"algorithm": alg, "private_key": private_pem(key), "public_key": public_pem(key)}

    return options
