"""Once a TokenManager has validated a Config, no option can be set any more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwt_core import Config, ConfigurationConflictError, TokenManager
from tests.core.conftest import SECRET


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("secret_key", "another-secret-that-is-long-enough-0123456789abcdef"),
        ("algorithm", "HS512"),
        ("access_token_expires", timedelta(days=1)),
        ("use_acl", True),
        ("csrf_claim", True),
    ],
)
def test_setting_an_option_after_validation_names_it_and_fails(option: str, value: object) -> None:
    config = Config(secret_key=SECRET)
    manager = TokenManager(config)
    before = getattr(config, option)
    with pytest.raises(ConfigurationConflictError, match=option):
        setattr(config, option, value)
    assert getattr(config, option) == before
    assert manager.config is config
    assert config.frozen


def test_update_after_validation_fails() -> None:
    config = Config(secret_key=SECRET)
    TokenManager(config)
    with pytest.raises(ConfigurationConflictError, match="use_acl"):
        config.update({"use_acl": True})


def test_config_is_not_frozen_before_validation() -> None:
    config = Config(secret_key=SECRET)
    assert not config.frozen
    config.algorithm = "HS384"
    assert TokenManager(config).config.algorithm == "HS384"


def test_frozen_secret_still_signs_with_the_validated_value() -> None:
    config = Config(secret_key=SECRET)
    manager = TokenManager(config)
    raw = manager.create_access_token("alice")
    with pytest.raises(ConfigurationConflictError):
        config.secret_key = "x" * 64
    assert manager.decode(raw).identity == "alice"
