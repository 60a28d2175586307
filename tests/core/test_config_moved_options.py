"""The options of where tokens travel belong to the adapter: a core Config takes them, warning.

`jwt_core.Config` holds only options about tokens; the header, cookie and CSRF
names, the cookie attributes, `json_body_max_bytes` and `error_msg_key` are options of
`sanic_jwt_extended.HttpConfig`. Code that still gives them to a core Config keeps working
with a `DeprecationWarning` naming their new home, and the core no longer checks them.
"""

from __future__ import annotations

from typing import Any

import pytest

import jwt_core.config
from jwt_core import Config, ConfigurationConflictError, TokenManager
from tests.core.conftest import SECRET
from tests.support.jose import payload_of

# Every option a core Config used to hold that only the adapter reads, with a value that
# is not its default.
MOVED: dict[str, Any] = {
    "token_location": ("cookies",),
    "jwt_header_key": "X-Auth",
    "refresh_jwt_header_key": "X-Refresh",
    "jwt_header_prefix": "JWT",
    "refresh_jwt_header_prefix": "JWT",
    "jwt_cookie": "a",
    "refresh_jwt_cookie": "r",
    "jwt_query_param_name": "token",
    "jwt_json_key": "a",
    "refresh_json_key": "r",
    "json_body_max_bytes": 1024,
    "csrf_protect": False,
    "csrf_request_methods": ("GET",),
    "jwt_csrf_header": "X-A",
    "refresh_jwt_csrf_header": "X-R",
    "csrf_in_cookies": False,
    "access_csrf_cookie": "ca",
    "refresh_csrf_cookie": "cr",
    "cookie_secure": False,
    "cookie_samesite": "Strict",
    "cookie_domain": "example.com",
    "access_cookie_path": "/a",
    "refresh_cookie_path": "/r",
    "access_csrf_cookie_path": "/ca",
    "refresh_csrf_cookie_path": "/cr",
    "error_msg_key": "message",
}
NEW_HOME = "sanic_jwt_extended.HttpConfig"


def test_no_moved_name_is_an_option_of_the_core() -> None:
    assert not set(MOVED) & set(Config.option_names())
    assert not set(MOVED) & set(Config.defaults())
    assert "csrf_claim" in Config.option_names()


@pytest.mark.parametrize("name", sorted(MOVED))
def test_a_moved_option_given_at_construction_warns_and_keeps_its_value(name: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"{name!r}.*{NEW_HOME}") as caught:
        config = Config(secret_key=SECRET, **{name: MOVED[name]})
    assert caught[0].filename == __file__  # the warning points at the caller's line
    with pytest.warns(DeprecationWarning, match=NEW_HOME):
        assert getattr(config, name) == MOVED[name]


@pytest.mark.parametrize("name", sorted(MOVED))
def test_a_moved_option_assigned_warns_and_keeps_its_value(name: str) -> None:
    config = Config(secret_key=SECRET)
    with pytest.warns(DeprecationWarning, match=f"{name!r}.*{NEW_HOME}"):
        setattr(config, name, MOVED[name])
    with pytest.warns(DeprecationWarning, match=NEW_HOME):
        assert getattr(config, name) == MOVED[name]


def test_an_unset_moved_option_reads_as_its_old_default() -> None:
    config = Config()
    with pytest.warns(DeprecationWarning, match="cookie_secure"):
        assert config.cookie_secure is True  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="token_location"):
        assert config.token_location == ("headers",)  # type: ignore[attr-defined]


def test_the_core_no_longer_checks_cookie_attributes_or_locations() -> None:
    # Each of these used to be a ConfigurationConflictError of the core.
    bad = {
        "cookie_samesite": "Sometimes",
        "token_location": "carrier-pigeon",
        "json_body_max_bytes": 0,
        "jwt_header_prefix": "two words",
    }
    with pytest.warns(DeprecationWarning, match=NEW_HOME):
        config = Config(secret_key=SECRET, **bad)
    manager = TokenManager(config)  # no ConfigurationConflictError
    assert manager.config.frozen
    with pytest.warns(DeprecationWarning, match=NEW_HOME):
        assert config.cookie_samesite == "Sometimes"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("options", "claim"),
    [
        ({"token_location": ("headers", "cookies")}, True),
        ({"token_location": "cookie"}, True),
        ({"token_location": "headers,cookies"}, True),
        ({"token_location": ("headers",)}, False),
        ({"token_location": ("cookies",), "csrf_protect": False}, False),
        ({"csrf_protect": True}, False),  # headers, the old default
    ],
    ids=repr,
)
def test_old_locations_still_decide_the_csrf_claim(options: dict[str, Any], claim: bool) -> None:
    with pytest.warns(DeprecationWarning, match="csrf_claim=True"):
        config = Config(secret_key=SECRET, **options)
    manager = TokenManager(config)
    assert manager.config.csrf_claim is claim
    assert ("csrf" in payload_of(manager.create_access_token("alice"))) is claim


def test_a_moved_option_is_frozen_too() -> None:
    config = Config(secret_key=SECRET)
    TokenManager(config)
    with pytest.raises(ConfigurationConflictError, match=r"cookie_secure.*frozen"):
        config.cookie_secure = False  # type: ignore[attr-defined]


def test_a_typo_is_still_refused() -> None:
    with pytest.raises(ConfigurationConflictError, match="unknown configuration option"):
        Config(cookie_secur=False)  # type: ignore[call-arg]
    with pytest.raises(AttributeError, match="cookie_secur"):
        Config().cookie_secur  # type: ignore[attr-defined]  # noqa: B018


def test_needs_csrf_reads_the_old_options_of_a_core_config() -> None:
    def needs(manager: TokenManager, location: str, method: str) -> bool:
        with pytest.warns(DeprecationWarning, match="needs_csrf"):
            return manager.needs_csrf(location, method)

    with pytest.warns(DeprecationWarning, match=NEW_HOME):
        custom = Config(secret_key=SECRET, csrf_request_methods=["GET"])
    with pytest.warns(DeprecationWarning, match=NEW_HOME):
        off = Config(secret_key=SECRET, csrf_protect=False)
    manager = TokenManager(custom)
    assert needs(manager, "cookies", "GET")
    assert not needs(manager, "cookies", "POST")
    assert not needs(TokenManager(off), "cookies", "POST")


def test_the_location_names_moved_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="sanic_jwt_extended.http_config"):
        names = jwt_core.config.TOKEN_LOCATIONS
    assert names == ("headers", "cookies", "query_string", "json")


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_csrf_claim_must_be_a_bool(value: Any) -> None:
    with pytest.raises(ConfigurationConflictError, match="csrf_claim must be True or False"):
        TokenManager(Config(secret_key=SECRET, csrf_claim=value))
