"""A key that does not fit the configured algorithm is refused at configuration time."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk

from jwt_core import Config, ConfigurationConflictError, TokenManager
from tests.support.keys import private_pem, public_pem


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512"])
def test_rsa_key_for_ecdsa_is_refused(alg: str, rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationConflictError, match="EC"):
        TokenManager(Config(algorithm=alg, private_key=private_pem(rsa_key)))


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_ec_key_for_rsa_is_refused(alg: str, ec_keys: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationConflictError, match="RSA"):
        TokenManager(Config(algorithm=alg, private_key=private_pem(ec_keys["ES256"])))


@pytest.mark.parametrize(
    ("alg", "wrong_curve"),
    [("ES256", "ES384"), ("ES256", "ES512"), ("ES384", "ES256"), ("ES512", "ES384")],
)
def test_ec_key_on_the_wrong_curve_is_refused(
    alg: str, wrong_curve: str, ec_keys: dict[str, Any]
) -> None:
    key = ec_keys[wrong_curve]
    with pytest.raises(ConfigurationConflictError, match="curve"):
        TokenManager(Config(algorithm=alg, private_key=private_pem(key)))
    with pytest.raises(ConfigurationConflictError, match="curve"):
        TokenManager(Config(algorithm=alg, public_key=public_pem(key)))


def _public_encodings(key: Any) -> dict[str, bytes]:
    public = key.public_key()
    pem = public_pem(key)
    return {
        "pem": pem,
        "der": public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "ssh": public.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ),
        "jwk-json": json.dumps(
            jwk.construct(pem, "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256").to_dict()
        ).encode(),
    }


PublicEncodings = Callable[[str], dict[str, bytes]]


@pytest.fixture
def encodings(rsa_key: rsa.RSAPrivateKey, ec_keys: dict[str, Any]) -> PublicEncodings:
    return lambda kind: _public_encodings(rsa_key if kind == "rsa" else ec_keys["ES256"])


@pytest.mark.parametrize("alg", ["HS256", "HS512"])
@pytest.mark.parametrize("kind", ["rsa", "ec"])
@pytest.mark.parametrize(
    ("encoding", "as_text"),
    [
        ("pem", False),
        ("pem", True),
        ("der", False),
        ("ssh", False),
        ("ssh", True),
        ("jwk-json", False),
        ("jwk-json", True),
    ],
)
def test_public_key_as_hmac_secret_is_refused(
    alg: str, kind: str, encoding: str, as_text: bool, encodings: PublicEncodings
) -> None:
    material: str | bytes = encodings(kind)[encoding]
    if as_text:
        material = material.decode()
    with pytest.raises(ConfigurationConflictError, match="secret_key"):
        TokenManager(Config(algorithm=alg, secret_key=material))


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_private_key_pem_as_hmac_secret_is_refused(
    kind: str, rsa_key: rsa.RSAPrivateKey, ec_keys: dict[str, Any]
) -> None:
    key: Any = rsa_key if kind == "rsa" else ec_keys["ES256"]
    with pytest.raises(ConfigurationConflictError, match="secret_key"):
        TokenManager(Config(algorithm="HS256", secret_key=private_pem(key)))


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_public_key_as_bare_base64_der_is_refused_as_hmac_secret(
    kind: str, encodings: PublicEncodings
) -> None:
    body = base64.b64encode(encodings(kind)["der"]).decode()
    with pytest.raises(ConfigurationConflictError, match="secret_key"):
        TokenManager(Config(algorithm="HS256", secret_key=body))


def test_ec_key_for_rsa_public_key_slot_is_refused(ec_keys: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationConflictError, match="RSA"):
        TokenManager(Config(algorithm="RS256", public_key=public_pem(ec_keys["ES256"])))


def test_ecdsa_p256_key_is_accepted_for_es256(
    ec_keys: dict[str, ec.EllipticCurvePrivateKey],
) -> None:
    manager = TokenManager(Config(algorithm="ES256", private_key=private_pem(ec_keys["ES256"])))
    assert manager.decode(manager.create_access_token("bob")).identity == "bob"
