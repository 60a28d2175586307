"""Fixtures of the hostile-input suite: managers on a fixed clock and key material of every kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from forge import NOW, SECRET

from jwt_core import Config, TokenManager


def fixed_clock() -> float:
    return NOW


def build_manager(**options: Any) -> TokenManager:
    """A TokenManager on the suite's fixed clock; HS256 with the suite's secret by default."""
    keyed = any(k in options for k in ("secret_key", "private_key", "public_key", "keys"))
    if not keyed:
        options["secret_key"] = SECRET
    if options.get("use_blacklist"):
        options.setdefault("blacklist_init_kwargs", {"clock": fixed_clock})
    return TokenManager(Config(**options), clock=fixed_clock)


@pytest.fixture
def make_manager() -> Callable[..., TokenManager]:
    return build_manager


@pytest.fixture
def manager() -> TokenManager:
    """HS256 with ACL and an in-memory blacklist: the configuration most checks run through."""
    return build_manager(use_acl=True, use_blacklist=True)


@dataclass(frozen=True)
class KeyPair:
    """One asymmetric key in the encodings the tests need."""

    private: Any
    private_pem: bytes
    public_pem: bytes
    public_der: bytes


def _pair(private: Any) -> KeyPair:
    public = private.public_key()
    return KeyPair(
        private=private,
        private_pem=private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        public_pem=public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        public_der=public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


@pytest.fixture(scope="session")
def rsa_key() -> KeyPair:
    return _pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def rsa_small_key() -> KeyPair:
    return _pair(rsa.generate_private_key(public_exponent=65537, key_size=1024))


@pytest.fixture(scope="session")
def ec_key() -> KeyPair:
    return _pair(ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture(scope="session")
def ec384_key() -> KeyPair:
    return _pair(ec.generate_private_key(ec.SECP384R1()))


@pytest.fixture(scope="session")
def ed25519_key() -> KeyPair:
    return _pair(ed25519.Ed25519PrivateKey.generate())


@pytest.fixture(scope="session")
def rs256_manager(rsa_key: KeyPair) -> TokenManager:
    """RS256, no blacklist: shared by the session, since loading an RSA key is slow."""
    return build_manager(algorithm="RS256", private_key=rsa_key.private_pem)


@pytest.fixture(scope="session")
def es256_manager(ec_key: KeyPair) -> TokenManager:
    """ES256, no blacklist: shared by the session."""
    return build_manager(algorithm="ES256", private_key=ec_key.private_pem)
