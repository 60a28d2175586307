"""Fixtures of the core suite: a hand-moved clock, managers, and keys generated once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from jwt_core import Config, TokenManager

from .manual_clock import ManualClock

SECRET = "a-test-secret-that-is-long-enough-for-hs512-and-then-some-0123456789"

MakeManager = Callable[..., TokenManager]


def private_pem(key: Any) -> bytes:
    """PKCS#8 PEM of a private key."""
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def public_pem(key: Any) -> bytes:
    """SubjectPublicKeyInfo PEM of a (private or public) key's public half."""
    public = key.public_key() if hasattr(key, "public_key") else key
    return bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


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
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_keys() -> dict[str, ec.EllipticCurvePrivateKey]:
    """One private key per ES* algorithm, on that algorithm's curve."""
    return {
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "ES384": ec.generate_private_key(ec.SECP384R1()),
        "ES512": ec.generate_private_key(ec.SECP521R1()),
    }


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
