"""Fixtures of the hostile-input suite: managers on a fixed clock and key material of every kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from jwt_core import TokenManager
from tests.security.forge import build_manager
from tests.support.keys import KeyPair, key_pair


@pytest.fixture
def make_manager() -> Callable[..., TokenManager]:
    return build_manager


@pytest.fixture
def manager() -> TokenManager:
    """HS256 with ACL and an in-memory blacklist: the configuration most checks run through."""
    return build_manager(use_acl=True, use_blacklist=True)


@pytest.fixture(scope="session")
def rsa_key(rsa_private_key: rsa.RSAPrivateKey) -> KeyPair:
    return key_pair(rsa_private_key)


@pytest.fixture(scope="session")
def rsa_small_key() -> KeyPair:
    return key_pair(rsa.generate_private_key(public_exponent=65537, key_size=1024))


@pytest.fixture(scope="session")
def ec_key(ec_private_keys: dict[str, ec.EllipticCurvePrivateKey]) -> KeyPair:
    return key_pair(ec_private_keys["ES256"])


@pytest.fixture(scope="session")
def ec384_key(ec_private_keys: dict[str, ec.EllipticCurvePrivateKey]) -> KeyPair:
    return key_pair(ec_private_keys["ES384"])


@pytest.fixture(scope="session")
def ed25519_key(ed25519_private_key: ed25519.Ed25519PrivateKey) -> KeyPair:
    return key_pair(ed25519_private_key)


@pytest.fixture(scope="session")
def rs256_manager(rsa_key: KeyPair) -> TokenManager:
    """RS256, no blacklist: shared by the session, since loading an RSA key is slow."""
    return build_manager(algorithm="RS256", private_key=rsa_key.private_pem)


@pytest.fixture(scope="session")
def es256_manager(ec_key: KeyPair) -> TokenManager:
    """ES256, no blacklist: shared by the session."""
    return build_manager(algorithm="ES256", private_key=ec_key.private_pem)
