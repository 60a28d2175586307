"""RSASSA-PSS (PS256/384/512) and EdDSA over Ed25519: the algorithms python-jose lacks.

Built on `cryptography` directly, for the key module (`jwt_core._keys`), which binds each key to
one algorithm as it does for the others. EdDSA is accepted under its RFC 8037 name `EdDSA` and
its RFC 9864 name `Ed25519`; a key is pinned to the one name it was built with. Only Ed25519
keys are taken (an Ed448 key is refused): it is the curve every provider uses.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from jwt_core.errors import ConfigurationConflictError

PSS_ALGORITHMS: dict[str, hashes.HashAlgorithm] = {
    "PS256": hashes.SHA256(),
    "PS384": hashes.SHA384(),
    "PS512": hashes.SHA512(),
}
EDDSA_ALGORITHMS = ("EdDSA", "Ed25519")
_ED25519_BYTES = 32
_ED25519_SIGNATURE = 64

Verify = Callable[[bytes, bytes], bool]
Sign = Callable[[bytes], bytes]


def checked(check: Callable[[bytes, bytes], object], size: int | None = None) -> Verify:
    """A verify function over `check(signature, message)`, which raises `InvalidSignature`
    for a bad signature: False for that, or for a signature not `size` bytes long."""

    def verify(msg: bytes, sig: bytes) -> bool:
        if size is not None and len(sig) != size:
            return False
        try:
            check(sig, msg)
        except InvalidSignature:
            return False
        return True

    return verify


def pss_functions(
    alg: str, public_key: rsa.RSAPublicKey, private_key: rsa.RSAPrivateKey | None
) -> tuple[Verify, Sign | None]:
    """Verify and sign for PS*: MGF1 with the same hash, salt as long as the hash (RFC 7518 3.5)."""
    hash_alg = PSS_ALGORITHMS[alg]
    pss = padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size)
    size = (public_key.key_size + 7) // 8
    verify = checked(lambda sig, msg: public_key.verify(sig, msg, pss, hash_alg), size)
    if private_key is None:
        return verify, None
    signer = private_key

    def sign(msg: bytes) -> bytes:
        return bytes(signer.sign(msg, pss, hash_alg))

    return verify, sign


def ed25519_functions(
    public_key: ed25519.Ed25519PublicKey, private_key: ed25519.Ed25519PrivateKey | None
) -> tuple[Verify, Sign | None]:
    """Verify and sign for EdDSA over Ed25519 (RFC 8037 section 3.1)."""
    verify = checked(public_key.verify, _ED25519_SIGNATURE)
    if private_key is None:
        return verify, None
    signer = private_key

    def sign(msg: bytes) -> bytes:
        return signer.sign(msg)

    return verify, sign


def is_ed25519(key: Any) -> bool:
    return isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey)


def _b64url(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise ConfigurationConflictError(f"{what} lacks its key bytes")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ConfigurationConflictError(f"{what} has malformed key bytes") from None


def _okp_from_jwk(jwk: dict[str, Any], what: str) -> Any:
    if jwk.get("kty") != "OKP":
        raise ConfigurationConflictError(f"{what} is not an OKP key, which EdDSA needs")
    if jwk.get("crv") != "Ed25519":
        raise ConfigurationConflictError(f"{what} is not on curve Ed25519, which EdDSA needs")
    try:
        if "d" in jwk:
            private = ed25519.Ed25519PrivateKey.from_private_bytes(_b64url(jwk["d"], what))
            if "x" in jwk and private.public_key().public_bytes_raw() != _b64url(jwk["x"], what):
                raise ConfigurationConflictError(f"{what} has an x that does not belong to its d")
            return private
        raw = _b64url(jwk.get("x"), what)
        if len(raw) != _ED25519_BYTES:
            raise ValueError
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ConfigurationConflictError(f"{what} is not a usable Ed25519 key") from None


def load_okp(material: bytes | dict[str, Any], alg: str, what: str) -> Any:
    """Parse PEM or DER bytes, or an OKP JWK; return the cryptography key."""
    if isinstance(material, dict):
        return _okp_from_jwk(material, what)
    pem = b"-----BEGIN" in material
    loaders: tuple[Callable[[bytes], Any], ...] = (
        (
            lambda data: serialization.load_pem_private_key(data, password=None),
            serialization.load_pem_public_key,
        )
        if pem
        else (
            lambda data: serialization.load_der_private_key(data, password=None),
            serialization.load_der_public_key,
        )
    )
    for loader in loaders:
        try:
            return loader(material)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
    raise ConfigurationConflictError(f"{what} is not a usable key for {alg}")


def okp_public_jwk(public_key: ed25519.Ed25519PublicKey, alg: str) -> dict[str, Any]:
    """The public JWK (RFC 8037 section 2) of an Ed25519 key."""
    x = base64.urlsafe_b64encode(public_key.public_bytes_raw()).rstrip(b"=").decode("ascii")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "alg": alg}
