"""Unknown option names are refused at once, at construction and on assignment."""

from __future__ import annotations

import pytest

from jwt_core import Config, ConfigurationConflictError


def test_unknown_keyword_at_construction_is_refused() -> None:
    with pytest.raises(ConfigurationConflictError, match="secret_kye"):
        Config(secret_kye="x")  # type: ignore[call-arg]


def test_unknown_keyword_error_suggests_the_close_name() -> None:
    with pytest.raises(ConfigurationConflictError, match="secret_key"):
        Config(secret_kye="x")  # type: ignore[call-arg]


def test_unknown_attribute_assignment_is_refused() -> None:
    config = Config()
    with pytest.raises(ConfigurationConflictError, match="use_blacklst"):
        config.use_blacklst = True  # type: ignore[attr-defined]
    assert not hasattr(config, "use_blacklst")


def test_unknown_name_in_update_is_refused() -> None:
    config = Config()
    with pytest.raises(ConfigurationConflictError, match="algoritm"):
        config.update({"algoritm": "HS512"})


def test_known_option_can_be_assigned_before_validation() -> None:
    config = Config()
    config.algorithm = "HS512"
    config.use_acl = True
    assert (config.algorithm, config.use_acl) == ("HS512", True)


def test_every_documented_core_option_is_known() -> None:
    documented = {
        "secret_key", "private_key", "public_key", "default_iss", "default_aud",
        "json_encoder", "access_token_expires", "refresh_token_expires",
        "algorithm", "public_claim_namespace", "private_claim_prefix", "use_acl",
        "acl_claim", "use_blacklist", "blacklist_class", "blacklist_init_kwargs",
    }  # fmt: skip
    assert documented <= set(Config.option_names())
