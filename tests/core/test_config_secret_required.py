"""HS* refuses to start without a usable secret_key."""

from __future__ import annotations

import pytest

from jwt_core import Config, ConfigurationConflictError, TokenManager
from tests.core.conftest import SECRET


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
@pytest.mark.parametrize("secret", [None, "", b""], ids=["none", "empty-str", "empty-bytes"])
def test_hmac_without_secret_is_refused(alg: str, secret: str | bytes | None) -> None:
    with pytest.raises(ConfigurationConflictError, match="secret_key"):
        TokenManager(Config(algorithm=alg, secret_key=secret))


def test_default_config_has_no_secret_and_is_refused() -> None:
    with pytest.raises(ConfigurationConflictError, match="secret_key"):
        TokenManager(Config())


def test_secret_of_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigurationConflictError, match="secret_key"):
        TokenManager(Config(secret_key=12345))  # type: ignore[arg-type]


@pytest.mark.parametrize("secret", [SECRET, SECRET.encode()], ids=["str", "bytes"])
def test_a_long_secret_is_accepted(secret: str | bytes) -> None:
    manager = TokenManager(Config(secret_key=secret))
    assert manager.decode(manager.create_access_token("alice")).identity == "alice"
