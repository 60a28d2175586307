"""Fixtures of the hostile-input suite: managers on a fixed clock and key material of every kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from forge import KeyPair, build_manager, key_pair

from jwt_core import TokenManager


@pytest.fixture
def make_manager() -> Callable[..., TokenManager]:
    return build_manager


@pytest.fixture
def manager() -> TokenManager:
    """HS256 with ACL and an in-memory blacklist: the configuration most checks run through."""
    return build_manager(use_acl=True, use_blacklist=True)


@pytest.fixture(scope="session")
def rsa_key() -> KeyPair:
    return key_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def rsa_small_key() -> KeyPair:
    return key_pair(rsa.generate_private_key(public_exponent=65537, key_size=1024))


@pytest.fixture(scope="session")
def ec_key() -> KeyPair:
    return key_pair(ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture(scope="session")
def ec384_key() -> KeyPair:
    return key_pair(ec.generate_private_key(ec.SECP384R1()))


@pytest.fixture(scope="session")
def ed25519_key() -> KeyPair:
    return key_pair(ed25519.Ed25519PrivateKey.generate())


@pytest.fixture(scope="session")
def rs256_manager(rsa_key: KeyPair) -> TokenManager:
    """RS256, no blacklist: shared by the session, since loading an RSA key is slow."""
    return build_manager(algorithm="RS256", private_key=rsa_key.private_pem)


@pytest.fixture(scope="session")
def es256_manager(ec_key: KeyPair) -> TokenManager:
    """ES256, no blacklist: shared by the session."""
    return build_manager(algorithm="ES256", private_key=ec_key.private_pem)
