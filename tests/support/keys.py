"""Key material for the tests: PEM/DER encodings of generated keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization


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


@dataclass(frozen=True)
class KeyPair:
    """One asymmetric key in the encodings the tests need."""

    private: Any
    private_pem: bytes
    public_pem: bytes
    public_der: bytes


def key_pair(private: Any) -> KeyPair:
    public = private.public_key()
    return KeyPair(
        private=private,
        private_pem=private_pem(private),
        public_pem=public_pem(public),
        public_der=public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
