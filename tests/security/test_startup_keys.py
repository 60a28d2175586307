"""Rule 3: key material that cannot be safe is refused when the manager is built, not later.

RFC 8725 sections 2.2 and 3.5 (weak and guessable symmetric keys), 3.1 and 3.2 (a key bound to
one appropriate algorithm); RFC 7518 sections 3.2 (HMAC key size), 3.3 (RSA at least 2048 bits)
and 3.4 (the ECDSA curve of each algorithm).
"""

from __future__ import annotations

import base64
import datetime
import json
import random
import uuid
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from jose.backends.cryptography_backend import CryptographyECKey, CryptographyRSAKey

from jwt_core import ConfigurationConflictError, TokenManager
from jwt_core._keys import build_key
from tests.support.keys import KeyPair, key_pair

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


# -- the same keys in the spellings secret stores and copy-paste produce -------------------------
def _ssh_line(pair: KeyPair) -> bytes:
    return bytes(
        pair.private.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
    )


def _ssh_blob(pair: KeyPair) -> bytes:
    """The SSH wire format of the public key: what the base64 word of an SSH line decodes to."""
    return base64.b64decode(_ssh_line(pair).split()[1])


def _jwk(pair: KeyPair) -> dict[str, Any]:
    key = pair.private.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return CryptographyRSAKey(key, "RS256").to_dict()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return CryptographyECKey(key, "ES256").to_dict()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw).decode()}


def _openssl_hex(der: bytes) -> bytes:
    """`openssl asn1parse`/`-text` style: colon-separated pairs, 15 to a line, indented."""
    pairs = [f"{byte:02x}" for byte in der]
    lines = [":".join(pairs[i : i + 15]) for i in range(0, len(pairs), 15)]
    return "\n".join("    " + line + ":" for line in lines).rstrip(":").encode()


def _spellings(pair: KeyPair) -> dict[str, bytes | str]:
    """One key in the spellings that slipped past the first version of the startup check."""
    pem, der = pair.public_pem, pair.public_der
    b64 = base64.b64encode
    encrypted_der = pair.private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    return {
        "base64 of the PEM (a Kubernetes secret's data)": b64(pem),
        "base64 of the private PEM": b64(pair.private_pem),
        "base64 of the PEM, wrapped at 76 columns": b"\n".join(
            b64(pem)[i : i + 76] for i in range(0, len(b64(pem)), 76)
        ),
        "base64url of the PEM, unpadded": base64.urlsafe_b64encode(pem).rstrip(b"="),
        "base64 of base64 of the PEM": b64(b64(pem)),
        "base64 of the DER": b64(der),
        "DER with a trailing newline": der + b"\n",
        "DER with a trailing CRLF": der + b"\r\n",
        "private DER with a trailing newline": pair.private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + b"\n",
        "encrypted PKCS#8 DER": encrypted_der,
        "0x-prefixed hex": "0x" + der.hex(),
        "0x-prefixed hex, upper case": "0X" + der.hex().upper(),
        "colon-separated hex": ":".join(f"{byte:02x}" for byte in der),
        "colon-separated hex, upper case": ":".join(f"{byte:02X}" for byte in der),
        "space-separated hex": " ".join(f"{byte:02x}" for byte in der),
        "openssl-style hex dump": _openssl_hex(der),
        "0x-prefixed bytes, comma-separated": ", ".join(f"0x{byte:02x}" for byte in der),
        "a JWK inside a JSON array": json.dumps([_jwk(pair)]),
        "a JWK inside a JSON object": json.dumps({"signing": _jwk(pair)}),
        "a JWK set in a JSON array": json.dumps([{"keys": [_jwk(pair)]}]),
        "base64 of a JWK": b64(json.dumps(_jwk(pair)).encode()),
        "a JSON object holding base64 of the PEM": json.dumps(
            {"data": {"public.pem": b64(pem).decode()}}
        ),
        "a JSON string holding base64 of the DER": json.dumps(b64(der).decode()),
        "bare SSH key blob, base64": b64(_ssh_blob(pair)),
        "bare SSH key blob, raw bytes": _ssh_blob(pair),
        "SSH line without comment": _ssh_line(pair),
        "SSH line with a comment": _ssh_line(pair) + b" deploy@build-host",
        "authorized_keys line with options": b'no-pty,from="10.0.0.1" ' + _ssh_line(pair),
        "base64 of the SSH line": b64(_ssh_line(pair)),
        "UTF-16 PEM with BOM": pem.decode().encode("utf-16"),
        "UTF-16-LE PEM without BOM": pem.decode().encode("utf-16-le"),
        "UTF-16-BE PEM without BOM": pem.decode().encode("utf-16-be"),
        "UTF-32 PEM with BOM": pem.decode().encode("utf-32"),
        "UTF-16 base64 of the DER": b64(der).decode().encode("utf-16-le"),
        "base64 of the UTF-16 PEM": b64(pem.decode().encode("utf-16")),
        "UTF-8 BOM before the PEM": b"\xef\xbb\xbf" + pem,
    }


SPELLINGS = list(_spellings(key_pair(ed25519.Ed25519PrivateKey.generate())))


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("pair_name", ["rsa_key", "ec_key", "ed25519_key"])
def test_an_asymmetric_key_in_any_common_spelling_is_refused_as_hmac_secret(
    make_manager: Build, request: pytest.FixtureRequest, pair_name: str, spelling: str
) -> None:
    pair: KeyPair = request.getfixturevalue(pair_name)
    secret = _spellings(pair)[spelling]
    message = refused_at_startup(make_manager, secret, secret_key=secret)
    assert "secret_key looks like an asymmetric key" in message
    if isinstance(secret, bytes):  # also as text, when it is text
        try:
            text = secret.decode("utf-8")
        except UnicodeDecodeError:
            return
        refused_at_startup(make_manager, text, secret_key=text)


@pytest.mark.parametrize("spelling", ["base64 of the PEM (a Kubernetes secret's data)"])
def test_a_spelled_key_is_refused_in_a_key_set_too(
    make_manager: Build, ec_key: KeyPair, spelling: str
) -> None:
    secret = _spellings(ec_key)[spelling]
    spec = {"kid": "k", "alg": "HS256", "secret_key": secret}
    refused_at_startup(make_manager, secret, keys=[spec])
    k = base64.urlsafe_b64encode(secret if isinstance(secret, bytes) else secret.encode())
    oct_jwk = {"kid": "k", "alg": "HS256", "kty": "oct", "k": k.decode().rstrip("=")}
    refused_at_startup(make_manager, secret, keys=[oct_jwk])


def test_the_refusal_says_how_the_key_was_found_without_showing_it(
    make_manager: Build, rsa_key: KeyPair
) -> None:
    secret = base64.b64encode(base64.b64encode(rsa_key.public_pem))
    message = refused_at_startup(make_manager, secret, secret_key=secret)
    assert "base64 > base64 > PEM" in message


# -- and no false alarm on a real secret ---------------------------------------------------------
_WORDS = (
    "correct",
    "horse",
    "battery",
    "staple",
    "orbit",
    "lantern",
    "maple",
    "quartz",
    "ember",
    "violet",
    "harbor",
    "pixel",
    "tundra",
    "copper",
    "saddle",
    "meadow",
    "falcon",
    "ripple",
    "canyon",
    "velvet",
    "anchor",
    "juniper",
    "sonnet",
    "glacier",
    "thistle",
    "mosaic",
    "prairie",
    "cobalt",
    "willow",
    "ferry",
    "nectar",
    "summit",
    "basalt",
    "tangle",
    "hollow",
    "crimson",
)


def _random_secrets(count: int) -> list[bytes | str]:
    """Secrets of the forms people generate, from a fixed seed (the same ones each run)."""
    rng = random.Random(20250611)
    made: list[bytes | str] = []
    for _ in range(count):
        raw = rng.randbytes(rng.choice((16, 24, 32, 33, 44, 48, 64, 91, 128, 256, 294)))
        made += [
            base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),  # secrets.token_urlsafe
            raw.hex(),  # secrets.token_hex
            "0x" + raw.hex(),
            ":".join(f"{byte:02x}" for byte in raw),
            base64.b64encode(raw).decode(),  # openssl rand -base64
            base64.b64encode(base64.b64encode(raw)),  # a Kubernetes secret of that
            raw,  # os.urandom
            b"\x30" + raw[1:],  # bytes that start like DER
            json.dumps([base64.b64encode(raw).decode()]),
            json.dumps({"kty": "oct", "k": base64.urlsafe_b64encode(raw).decode()}),
            "-".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 8))),  # a passphrase
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 8))).encode("utf-16"),
            str(uuid.UUID(bytes=raw[:16])),
        ]
    return made


def test_random_secrets_of_common_forms_are_accepted() -> None:
    refused = []
    for secret in _random_secrets(300):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # short ones warn; that is not the point here
                build_key("HS256", secret=secret)
        except ConfigurationConflictError:
            refused.append(secret)
    assert refused == []
