"""`key_id` names a single key: tokens carry it, and only it (or no kid) verifies."""

from __future__ import annotations

import pytest

from jwt_core import Config, ConfigurationConflictError, JWTDecodeError, TokenManager
from tests.support.jose import header_of, hmac_token, payload_of

SECRET = "k" * 32


def test_tokens_of_a_named_single_key_carry_its_kid() -> None:
    tm = TokenManager(Config(secret_key=SECRET, key_id="v1"))
    token = tm.decode(tm.create_access_token("alice"))
    assert token.kid == "v1"


def test_a_token_naming_another_kid_is_refused() -> None:
    tm = TokenManager(Config(secret_key=SECRET, key_id="v1"))
    raw = tm.create_access_token("alice")
    header = header_of(raw)
    assert header["kid"] == "v1"
    other = hmac_token({**header, "kid": "v2"}, payload_of(raw), SECRET)
    with pytest.raises(JWTDecodeError, match="kid"):
        tm.decode(other)


def test_key_id_and_a_key_set_together_are_refused() -> None:
    keys = [{"kid": "a", "alg": "HS256", "secret_key": SECRET}]
    with pytest.raises(ConfigurationConflictError, match="key_id"):
        TokenManager(Config(keys=keys, key_id="v1"))
