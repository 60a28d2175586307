"""Only algorithms the library signs with are accepted; 'none' never is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jwt_core import Config, ConfigurationConflictError, TokenManager
from tests.core.conftest import SECRET

SUPPORTED = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]


# PS256/384/512 and EdDSA are supported since the identity-provider work (their own tests are
# in test_pss_eddsa_keys.py); what stays refused is what no key here can sign with.
@pytest.mark.parametrize(
    "alg", ["none", "None", "NONE", "", "HS1", "hs256", "PS1", "Ed448", "ES256K", "RSA-OAEP"]
)
def test_unsupported_algorithm_is_refused(alg: str) -> None:
    with pytest.raises(ConfigurationConflictError, match="algorithm"):
        TokenManager(Config(algorithm=alg, secret_key=SECRET))


@pytest.mark.parametrize("alg", [None, 256, b"HS256"], ids=["none-value", "int", "bytes"])
def test_algorithm_of_wrong_type_is_refused(alg: Any) -> None:
    with pytest.raises(ConfigurationConflictError, match="algorithm"):
        TokenManager(Config(algorithm=alg, secret_key=SECRET))


@pytest.mark.parametrize("alg", SUPPORTED)
def test_every_supported_algorithm_is_accepted(
    alg: str, key_options: Callable[[str], dict[str, Any]]
) -> None:
    manager = TokenManager(Config(**key_options(alg)))
    assert manager.config.algorithm == alg
