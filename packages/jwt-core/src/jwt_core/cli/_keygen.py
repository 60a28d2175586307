"""`jwt-core keygen`: a new key pair and its public JWK, or a random HMAC secret."""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from jwt_core._keys import EC_CURVES, HMAC_ALGORITHMS, MIN_RSA_BITS, RSA_ALGORITHMS, build_key
from jwt_core._pss_eddsa import EDDSA_ALGORITHMS, PSS_ALGORITHMS
from jwt_core.cli._common import UsageError, note, to_json
from jwt_core.cli._files import check_target, write_key

MAX_RSA_BITS = 16384  # the bound of --bits; the least is the core's MIN_RSA_BITS


def _public_path(path: Path) -> Path:
    """`key.pem` -> `key.pub.pem`; `key` -> `key.pub`."""
    if path.suffix:
        return path.with_name(f"{path.stem}.pub{path.suffix}")
    return path.with_name(f"{path.name}.pub")


def run_keygen(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    """An HMAC secret (HS*), or a private key with its public key and JWK (RS*, PS*, ES*, EdDSA)."""
    alg: str = args.alg
    out = None if args.out is None else Path(args.out)
    if args.kid is not None and not args.kid:
        raise UsageError("--kid must not be empty")
    rsa_family = alg in RSA_ALGORITHMS or alg in PSS_ALGORITHMS
    if args.bits is not None and not rsa_family:
        raise UsageError("--bits is only for RS* and PS* keys")
    if alg in HMAC_ALGORITHMS:
        if args.kid is not None:
            raise UsageError(
                "an HMAC secret has no public key to label; put its kid next to it in a keys "
                "file ({kid, alg, secret_key_file})"
            )
        secret = secrets.token_urlsafe(HMAC_ALGORITHMS[alg]().digest_size)  # RFC 7518 3.2
        found.add(secret)
        if out is None:
            sys.stdout.write(secret + "\n")
        else:
            write_key(out, (secret + "\n").encode("ascii"), 0o600, args.force)
            note(f"wrote a new {alg} secret to {out} (mode 0600)")
        return 0
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    if alg in EDDSA_ALGORITHMS:
        private = ed25519.Ed25519PrivateKey.generate()
    elif rsa_family:
        bits = MIN_RSA_BITS if args.bits is None else args.bits
        if not MIN_RSA_BITS <= bits <= MAX_RSA_BITS:
            raise UsageError(f"--bits must be between {MIN_RSA_BITS} and {MAX_RSA_BITS}")
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    else:
        private = ec.generate_private_key(EC_CURVES[alg])
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    found.add(private_pem.decode("ascii").strip())
    jwk = build_key(alg, private=private_pem, kid=args.kid).public_jwk
    if out is None:
        sys.stdout.write(private_pem.decode("ascii") + public_pem.decode("ascii"))
        sys.stdout.write(to_json(jwk) + "\n")
        return 0
    public_out = _public_path(out)
    for path in (out, public_out):  # both checked before either is written
        check_target(path, args.force)
    write_key(out, private_pem, 0o600, args.force)
    write_key(public_out, public_pem, 0o644, args.force)
    note(f"wrote the {alg} private key to {out} (mode 0600) and its public key to {public_out}")
    sys.stdout.write(to_json(jwk) + "\n")
    return 0
