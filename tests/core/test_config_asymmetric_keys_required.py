"""RS*/ES* refuse to start without usable key material."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from jwt_core import Config, ConfigurationConflictError, TokenManager
from tests.core.conftest import SECRET
from tests.support.keys import private_pem, public_pem

ASYMMETRIC = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]


@pytest.fixture
def pair(
    rsa_key: rsa.RSAPrivateKey, ec_keys: dict[str, ec.EllipticCurvePrivateKey]
) -> dict[str, Any]:
    return {"RS": rsa_key, **ec_keys}


def _key(pair: dict[str, Any], alg: str) -> Any:
    return pair["RS"] if alg.startswith("RS") else pair[alg]


@pytest.mark.parametrize("alg", ASYMMETRIC)
def test_no_keys_at_all_is_refused(alg: str) -> None:
    with pytest.raises(ConfigurationConflictError, match="private_key"):
        TokenManager(Config(algorithm=alg))


@pytest.mark.parametrize("alg", ASYMMETRIC)
def test_a_secret_key_alone_is_not_enough(alg: str) -> None:
    with pytest.raises(ConfigurationConflictError):
        TokenManager(Config(algorithm=alg, secret_key=SECRET))


@pytest.mark.parametrize("alg", ASYMMETRIC)
@pytest.mark.parametrize(
    "garbage",
    [
        "not a key",
        b"\x00\x01\x02garbage",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ],
    ids=["text", "bytes", "broken-pem"],
)
def test_unparseable_private_key_is_refused(alg: str, garbage: str | bytes) -> None:
    with pytest.raises(ConfigurationConflictError, match="private_key"):
        TokenManager(Config(algorithm=alg, private_key=garbage))


@pytest.mark.parametrize("alg", ASYMMETRIC)
def test_unparseable_public_key_is_refused(alg: str, pair: dict[str, Any]) -> None:
    key = _key(pair, alg)
    with pytest.raises(ConfigurationConflictError, match="public_key"):
        TokenManager(Config(algorithm=alg, private_key=private_pem(key), public_key="nope"))


@pytest.mark.parametrize("alg", ASYMMETRIC)
def test_a_public_key_given_as_private_key_is_refused(alg: str, pair: dict[str, Any]) -> None:
    key = _key(pair, alg)
    with pytest.raises(ConfigurationConflictError, match="private_key"):
        TokenManager(Config(algorithm=alg, private_key=public_pem(key)))


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_a_public_key_that_does_not_belong_to_the_private_key_is_refused(
    alg: str, pair: dict[str, Any], other_rsa_key: rsa.RSAPrivateKey
) -> None:
    key = _key(pair, alg)
    other: Any = other_rsa_key if alg.startswith("RS") else ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ConfigurationConflictError, match="public_key"):
        TokenManager(
            Config(algorithm=alg, private_key=private_pem(key), public_key=public_pem(other))
        )


@pytest.mark.parametrize("alg", ASYMMETRIC)
def test_a_usable_pair_is_accepted(alg: str, pair: dict[str, Any]) -> None:
    key = _key(pair, alg)
    manager = TokenManager(
        Config(algorithm=alg, private_key=private_pem(key), public_key=public_pem(key))
    )
    assert manager.decode(manager.create_access_token("alice")).identity == "alice"
