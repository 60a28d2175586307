"""RSA keys under 2048 bits are refused; 2048 bits and more are accepted."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from jwt_core import Config, ConfigurationConflictError, TokenManager
from tests.support.keys import private_pem, public_pem


@pytest.fixture(scope="module")
def rsa_1024() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_1024_bit_private_key_is_refused(alg: str, rsa_1024: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationConflictError, match="2048"):
        TokenManager(Config(algorithm=alg, private_key=private_pem(rsa_1024)))


def test_1024_bit_public_key_is_refused(rsa_1024: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationConflictError, match="2048"):
        TokenManager(Config(algorithm="RS256", public_key=public_pem(rsa_1024)))


def test_2048_bit_key_is_accepted(rsa_key: rsa.RSAPrivateKey) -> None:
    manager = TokenManager(Config(algorithm="RS256", private_key=private_pem(rsa_key)))
    assert manager.can_sign
