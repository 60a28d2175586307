"""Rule 3: key material that cannot be safe is refused when the manager is built, not later.

RFC 8725 sections 2.2 and 3.5 (weak and guessable symmetric keys), 3.1 and 3.2 (a key bound to
one appropriate algorithm); RFC 7518 sections 3.2 (HMAC key size), 3.3 (RSA at least 2048 bits)
and 3.4 (the ECDSA curve of each algorithm).
"""

from __future__ import annotations

import base64
import datetime
import json
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from forge import KeyPair, key_pair
from jose.backends.cryptography_backend import CryptographyECKey, CryptographyRSAKey

from jwt_core import ConfigurationConflictError, TokenManager

Build = Callable[..., TokenManager]


def refused_at_startup(make_manager: Build, secret_shown: Any = None, **options: Any) -> str:
    """Building must raise exactly ConfigurationConflictError, without echoing key material."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ConfigurationConflictError) as info:
            make_manager(**options)
    assert type(info.value) is ConfigurationConflictError
    message = str(info.value)
    if isinstance(secret_shown, bytes):
        secret_shown = secret_shown.decode("latin-1")
    if isinstance(secret_shown, str) and len(secret_shown) >= 8:
        body = "".join(secret_shown.split())
        for start in range(0, max(1, len(body) - 16), 16):
            assert body[start : start + 16] not in message, "key material in the message"
    return message


# -- empty secrets -----------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
@pytest.mark.parametrize("secret", ["", b"", None])
def test_an_empty_hmac_secret_is_refused(make_manager: Build, alg: str, secret: Any) -> None:
    # python-jose signs and verifies with "" without a word.
    refused_at_startup(make_manager, algorithm=alg, secret_key=secret)


@pytest.mark.parametrize(
    "spec",
    [
        {"kid": "a", "alg": "HS256", "secret_key": ""},
        {"kid": "a", "alg": "HS256", "kty": "oct", "k": ""},
        {"kid": "a", "alg": "HS256"},
    ],
)
def test_an_empty_secret_in_a_key_set_is_refused(make_manager: Build, spec: dict[str, Any]) -> None:
    refused_at_startup(make_manager, keys=[spec])


def test_a_short_hmac_secret_warns(make_manager: Build) -> None:
    with pytest.warns(UserWarning, match="32"):
        make_manager(secret_key="short-secret")


def test_a_secret_that_is_not_text_or_bytes_is_refused(make_manager: Build) -> None:
    refused_at_startup(make_manager, secret_key=12345678901234567890)


# -- asymmetric keys as HMAC secrets --------------------------------------------------------------
def _certificate(pair: KeyPair) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "verifier")])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(pair.private.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(pair.private, hashes.SHA256())
    )


def _asymmetric_texts(rsa_key: KeyPair, ec_key: KeyPair, ed25519_key: KeyPair) -> dict[str, Any]:
    pub = rsa_key.private.public_key()
    enc, fmt = serialization.Encoding, serialization.PublicFormat
    private = serialization.PrivateFormat
    none = serialization.NoEncryption()
    cert = _certificate(rsa_key)
    return {
        "rsa public PEM": rsa_key.public_pem,
        "rsa public PEM as str": rsa_key.public_pem.decode(),
        "rsa public PEM, leading blank line": b"\n  " + rsa_key.public_pem,
        "rsa public PEM, CRLF": rsa_key.public_pem.replace(b"\n", b"\r\n"),
        "rsa PKCS#1 PEM": pub.public_bytes(enc.PEM, fmt.PKCS1),
        "rsa public DER": rsa_key.public_der,
        "rsa PKCS#1 DER": pub.public_bytes(enc.DER, fmt.PKCS1),
        "rsa private PEM": rsa_key.private_pem,
        "rsa private PKCS#8 DER": rsa_key.private.private_bytes(enc.DER, private.PKCS8, none),
        "rsa private PKCS#1 DER": rsa_key.private.private_bytes(
            enc.DER, private.TraditionalOpenSSL, none
        ),
        "rsa SSH public": pub.public_bytes(enc.OpenSSH, fmt.OpenSSH),
        "rsa OpenSSH private": rsa_key.private.private_bytes(enc.PEM, private.OpenSSH, none),
        "rsa JWK JSON": json.dumps(CryptographyRSAKey(pub, "RS256").to_dict()),
        "rsa public DER, base64 (PEM body without armour)": base64.b64encode(rsa_key.public_der),
        "rsa public DER, base64url": base64.urlsafe_b64encode(rsa_key.public_der).rstrip(b"="),
        "rsa PEM body lines without armour": b"\n".join(rsa_key.public_pem.splitlines()[1:-1]),
        "x509 certificate PEM": cert.public_bytes(enc.PEM),
        "x509 certificate DER": cert.public_bytes(enc.DER),
        "ec public PEM": ec_key.public_pem,
        "ec public DER": ec_key.public_der,
        "ec private PEM": ec_key.private_pem,
        "ec JWK JSON": json.dumps(
            CryptographyECKey(ec_key.private.public_key(), "ES256").to_dict()
        ),
        "ed25519 public PEM": ed25519_key.public_pem,
        "ed25519 public DER": ed25519_key.public_der,
    }


ASYMMETRIC_NAMES = [
    "rsa public PEM",
    "rsa public PEM as str",
    "rsa public PEM, leading blank line",
    "rsa public PEM, CRLF",
    "rsa PKCS#1 PEM",
    "rsa public DER",
    "rsa PKCS#1 DER",
    "rsa private PEM",
    "rsa private PKCS#8 DER",
    "rsa private PKCS#1 DER",
    "rsa SSH public",
    "rsa OpenSSH private",
    "rsa JWK JSON",
    "rsa public DER, base64 (PEM body without armour)",
    "rsa public DER, base64url",
    "rsa PEM body lines without armour",
    "x509 certificate PEM",
    "x509 certificate DER",
    "ec public PEM",
    "ec public DER",
    "ec private PEM",
    "ec JWK JSON",
    "ed25519 public PEM",
    "ed25519 public DER",
]


@pytest.mark.parametrize("name", ASYMMETRIC_NAMES)
def test_an_asymmetric_key_as_hmac_secret_is_refused(
    make_manager: Build,
    rsa_key: KeyPair,
    ec_key: KeyPair,
    ed25519_key: KeyPair,
    name: str,
) -> None:
    # With a public key as HMAC secret anyone can mint tokens (RFC 8725 2.1): python-jose only
    # catches PEM and SSH text, so a DER public key gets through there.
    secret = _asymmetric_texts(rsa_key, ec_key, ed25519_key)[name]
    message = refused_at_startup(make_manager, secret, secret_key=secret)
    assert "secret" in message


@pytest.mark.parametrize("name", ["rsa public PEM", "rsa public DER", "rsa JWK JSON"])
def test_an_asymmetric_key_as_hmac_secret_in_a_key_set_is_refused(
    make_manager: Build, rsa_key: KeyPair, ec_key: KeyPair, ed25519_key: KeyPair, name: str
) -> None:
    secret = _asymmetric_texts(rsa_key, ec_key, ed25519_key)[name]
    spec = {"kid": "k", "alg": "HS256", "secret_key": secret}
    refused_at_startup(make_manager, secret, keys=[spec])
    oct_jwk = {
        "kid": "k",
        "alg": "HS256",
        "kty": "oct",
        "k": base64.urlsafe_b64encode(secret if isinstance(secret, bytes) else secret.encode())
        .decode()
        .rstrip("="),
    }
    refused_at_startup(make_manager, secret, keys=[oct_jwk])


def test_a_hex_encoded_public_key_as_hmac_secret_is_refused(
    make_manager: Build, rsa_key: KeyPair
) -> None:
    secret = rsa_key.public_der.hex()
    refused_at_startup(make_manager, secret, secret_key=secret)


def test_a_published_jwk_set_as_hmac_secret_is_refused(
    make_manager: Build, rsa_key: KeyPair
) -> None:
    jwk = CryptographyRSAKey(rsa_key.private.public_key(), "RS256").to_dict()
    secret = json.dumps({"keys": [jwk]})
    refused_at_startup(make_manager, secret, secret_key=secret)


# -- RSA size and key kinds --------------------------------------------------------------------
@pytest.fixture(scope="module")
def rsa_1536() -> KeyPair:
    return key_pair(rsa.generate_private_key(public_exponent=65537, key_size=1536))


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_an_rsa_key_under_2048_bits_is_refused(
    make_manager: Build, rsa_small_key: KeyPair, rsa_1536: KeyPair, alg: str
) -> None:
    for pair in (rsa_small_key, rsa_1536):
        message = refused_at_startup(make_manager, algorithm=alg, private_key=pair.private_pem)
        assert "2048" in message
        refused_at_startup(make_manager, algorithm=alg, public_key=pair.public_pem)
    jwk = CryptographyRSAKey(rsa_small_key.private.public_key(), alg).to_dict()
    refused_at_startup(make_manager, keys=[{**jwk, "kid": "small", "alg": alg}])


def test_a_2048_bit_rsa_key_is_accepted(make_manager: Build, rsa_key: KeyPair) -> None:
    manager = make_manager(algorithm="RS256", private_key=rsa_key.private_pem)
    assert manager.decode(manager.create_access_token("alice")).sub == "alice"


@pytest.mark.parametrize(
    ("alg", "pair_name"),
    [
        ("RS256", "ec_key"),
        ("RS256", "ed25519_key"),
        ("ES256", "rsa_key"),
        ("ES256", "ec384_key"),
        ("ES384", "ec_key"),
        ("ES512", "ec_key"),
        ("ES256", "ed25519_key"),
    ],
)
def test_a_key_that_does_not_fit_the_algorithm_is_refused(
    make_manager: Build, request: pytest.FixtureRequest, alg: str, pair_name: str
) -> None:
    pair: KeyPair = request.getfixturevalue(pair_name)
    refused_at_startup(make_manager, algorithm=alg, private_key=pair.private_pem)
    refused_at_startup(make_manager, algorithm=alg, public_key=pair.public_pem)


def test_a_public_key_given_as_private_key_is_refused(
    make_manager: Build, rsa_key: KeyPair
) -> None:
    refused_at_startup(make_manager, algorithm="RS256", private_key=rsa_key.public_pem)


def test_a_public_key_that_does_not_belong_to_the_private_key_is_refused(
    make_manager: Build, rsa_key: KeyPair
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    other_pem = other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    refused_at_startup(
        make_manager, algorithm="RS256", private_key=rsa_key.private_pem, public_key=other_pem
    )


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_an_hmac_secret_for_an_asymmetric_algorithm_is_refused(
    make_manager: Build, alg: str
) -> None:
    refused_at_startup(make_manager, algorithm=alg, secret_key="s" * 64)


def test_an_rsa_jwk_bound_to_an_hmac_algorithm_is_refused(
    make_manager: Build, rsa_key: KeyPair
) -> None:
    jwk = CryptographyRSAKey(rsa_key.private.public_key(), "RS256").to_dict()
    refused_at_startup(make_manager, keys=[{**jwk, "kid": "r", "alg": "HS256"}])


def test_an_oct_jwk_bound_to_an_rsa_algorithm_is_refused(make_manager: Build) -> None:
    k = base64.urlsafe_b64encode(b"s" * 64).decode().rstrip("=")
    refused_at_startup(make_manager, keys=[{"kty": "oct", "k": k, "kid": "h", "alg": "RS256"}])


@pytest.mark.parametrize(
    "alg", ["none", "None", "NONE", "", " HS256", "hs256", "HS256 ", "PS256", "EdDSA", "HS1", None]
)
def test_an_unsupported_or_none_algorithm_is_refused(make_manager: Build, alg: Any) -> None:
    refused_at_startup(make_manager, algorithm=alg, secret_key="s" * 64)
