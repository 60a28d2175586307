"""An HMAC secret shorter than the hash output gives a warning; a long enough one does not."""

from __future__ import annotations

import warnings

import pytest

from jwt_core import Config, TokenManager


@pytest.mark.parametrize(("alg", "size"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_secret_one_byte_short_warns(alg: str, size: int) -> None:
    with pytest.warns(UserWarning, match="secret_key"):
        TokenManager(Config(algorithm=alg, secret_key="s" * (size - 1)))


@pytest.mark.parametrize(("alg", "size"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_secret_of_hash_size_does_not_warn(alg: str, size: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TokenManager(Config(algorithm=alg, secret_key=b"s" * size))


def test_short_secret_still_works_after_the_warning() -> None:
    with pytest.warns(UserWarning, match="secret_key"):
        manager = TokenManager(Config(secret_key="short"))
    assert manager.decode(manager.create_access_token("alice")).identity == "alice"
