"""`HttpConfig`: the adapter's options beside the core's, checked once; `JWT.config` is one.

The options of where tokens travel (headers, cookies, CSRF, cookie attributes, the JSON body
cap, `error_msg_key`) are the adapter's; `JWT.config` is an `HttpConfig`, a subclass of the
core's `Config`, so every option is still set and read on one object, and the TokenManager
takes that same object.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import jwt_core.config
from jwt_core import Config, ConfigurationConflictError, TokenManager
from sanic_jwt_extended import JWT, HttpConfig
from tests.support.apps import SECRET, manager_of, new_app
from tests.support.jose import payload_of


def validated(**options: Any) -> HttpConfig:
    config = HttpConfig(secret_key=SECRET, **options)
    config.validate()
    return config


# -- the options and their home --------------------------------------------------------------
def test_the_adapter_options_are_exactly_those_the_core_gave_up() -> None:
    own = HttpConfig.http_option_names()
    assert set(own) == set(jwt_core.config._MOVED)
    assert {name: HttpConfig.defaults()[name] for name in own} == jwt_core.config._MOVED
    assert set(HttpConfig.option_names()) == set(Config.option_names()) | set(own)


def test_every_documented_option_is_known() -> None:
    documented = {
        "secret_key", "private_key", "public_key", "default_iss", "default_aud",
        "json_encoder", "token_location", "access_token_expires", "refresh_token_expires",
        "algorithm", "public_claim_namespace", "private_claim_prefix", "jwt_header_key",
        "refresh_jwt_header_key", "jwt_header_prefix", "refresh_jwt_header_prefix",
        "jwt_cookie", "refresh_jwt_cookie", "csrf_protect", "csrf_request_methods",
        "jwt_csrf_header", "refresh_jwt_csrf_header", "jwt_query_param_name", "use_acl",
        "acl_claim", "use_blacklist", "blacklist_class", "blacklist_init_kwargs",
    }  # fmt: skip
    assert documented <= set(HttpConfig.option_names())


def test_an_http_config_sets_its_own_options_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = validated(cookie_secure=False, token_location="cookies")
        config.update({})
        assert config.cookie_secure is False
        assert config.token_location == ("cookies",)


def test_unknown_names_are_refused_with_a_suggestion_among_all_options() -> None:
    with pytest.raises(ConfigurationConflictError, match="did you mean 'cookie_secure'"):
        HttpConfig(cookie_secur=False)  # type: ignore[call-arg]
    config = HttpConfig()
    with pytest.raises(ConfigurationConflictError, match="did you mean 'secret_key'"):
        config.secret_kye = "x"  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationConflictError, match="did you mean 'jwt_header_key'"):
        config.update({"jwt_header_kye": "X"})


@pytest.mark.parametrize(
    ("option", "value"),
    [("token_location", ("cookies",)), ("cookie_secure", False), ("secret_key", "x" * 64)],
)
def test_every_option_is_frozen_after_validation(option: str, value: object) -> None:
    config = validated()
    before = getattr(config, option)
    with pytest.raises(ConfigurationConflictError, match=option):
        setattr(config, option, value)
    assert getattr(config, option) == before


# -- validation: moved from the core ---------------------------------------------------------
@pytest.mark.parametrize("value", ["Sometimes", "", 3])
def test_samesite_must_be_one_of_the_three(value: Any) -> None:
    with pytest.raises(ConfigurationConflictError, match="cookie_samesite must be"):
        validated(cookie_samesite=value)


@pytest.mark.parametrize(
    ("given", "stored"), [("strict", "Strict"), ("NONE", "None"), (None, None)]
)
def test_samesite_is_normalised(given: str | None, stored: str | None) -> None:
    assert validated(cookie_samesite=given).cookie_samesite == stored


def test_samesite_none_needs_secure_cookies() -> None:
    with pytest.raises(ConfigurationConflictError, match="needs cookie_secure=True"):
        validated(cookie_samesite="None", cookie_secure=False)


@pytest.mark.parametrize("name", ["jwt_header_prefix", "refresh_jwt_header_prefix"])
@pytest.mark.parametrize("value", ["Bearer token", 7])
def test_a_header_prefix_is_one_word(name: str, value: Any) -> None:
    with pytest.raises(ConfigurationConflictError, match=f"{name} must be one word"):
        validated(**{name: value})


def test_csrf_methods_are_upper_case_and_may_be_a_comma_list() -> None:
    assert validated(csrf_request_methods="post, delete").csrf_request_methods == (
        "POST",
        "DELETE",
    )
    assert validated(csrf_request_methods=["put"]).csrf_request_methods == ("PUT",)


def test_a_core_option_is_still_checked_by_the_core() -> None:
    with pytest.raises(ConfigurationConflictError, match="max_token_length"):
        validated(max_token_length=10)
    with pytest.raises(ConfigurationConflictError, match="csrf_claim must be True or False"):
        validated(csrf_claim="yes")


# -- the core's csrf claim, derived from where tokens travel ---------------------------------
@pytest.mark.parametrize("location", [("headers", "cookies"), ("cookies",), "cookies"], ids=repr)
@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_csrf_present_with_cookies_and_protection(location: Any, kind: str) -> None:
    manager = TokenManager(HttpConfig(secret_key=SECRET, token_location=location))
    assert manager.config.csrf_claim is True
    raw = getattr(manager, f"create_{kind}_token")("alice")
    csrf = manager.decode(raw).csrf
    assert isinstance(csrf, str)
    assert len(csrf) >= 16
    assert payload_of(raw)["csrf"] == csrf


@pytest.mark.parametrize(
    "options",
    [
        {"token_location": ("headers",)},
        {"token_location": ("headers", "query_string", "json")},
        {"token_location": ("cookies",), "csrf_protect": False},
    ],
    ids=["headers", "no-cookies", "protection-off"],
)
def test_csrf_absent_otherwise(options: dict[str, Any]) -> None:
    manager = TokenManager(HttpConfig(secret_key=SECRET, **options))
    raw = manager.create_access_token("alice")
    assert "csrf" not in payload_of(raw)
    assert manager.decode(raw).csrf is None


def test_csrf_claim_set_by_hand_stays_on() -> None:
    assert validated(csrf_claim=True).csrf_claim is True


def test_needs_csrf() -> None:
    def make(**options: Any) -> TokenManager:
        return TokenManager(HttpConfig(secret_key=SECRET, **options))

    def needs(manager: TokenManager, location: str, method: str) -> bool:
        with pytest.warns(DeprecationWarning, match="needs_csrf"):
            return manager.needs_csrf(location, method)

    manager = make(token_location=("headers", "cookies"))
    assert needs(manager, "cookies", "POST")
    assert needs(manager, "cookies", "delete")
    assert not needs(manager, "cookies", "GET")
    assert not needs(manager, "headers", "POST")
    off = make(token_location=("cookies",), csrf_protect=False)
    assert not needs(off, "cookies", "POST")
    custom = make(token_location=("cookies",), csrf_request_methods=["GET"])
    assert needs(custom, "cookies", "GET")
    assert not needs(custom, "cookies", "POST")


# -- JWT.config: one object for every option ----------------------------------------------
def test_jwt_config_holds_every_option_on_one_object() -> None:
    app = new_app()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with JWT.initialize(app) as jwt:
            jwt.config.secret_key = SECRET
            jwt.config.cookie_secure = False
            jwt.config.token_location = ("headers", "cookies")
            jwt.config.error_msg_key = "message"
            jwt.config.use_acl = True
            assert jwt.config.cookie_secure is False
            assert JWT.config is jwt.config
    config = JWT.for_app(app).config
    assert isinstance(config, HttpConfig)
    assert isinstance(config, Config)
    assert manager_of(app).config is config  # the TokenManager holds the same object
    assert (config.cookie_secure, config.error_msg_key, config.use_acl) == (False, "message", True)
    assert config.token_location == ("headers", "cookies")
    assert config.csrf_claim is True
    assert "csrf" in payload_of(JWT.for_app(app).create_access_token("alice"))


def test_jwt_config_refuses_unknown_names_with_a_suggestion() -> None:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        with pytest.raises(ConfigurationConflictError, match="did you mean 'cookie_secure'"):
            jwt.config.cookie_secur = False  # type: ignore[attr-defined]
        with pytest.raises(ConfigurationConflictError, match="did you mean 'use_acl'"):
            jwt.config.use_acll = True  # type: ignore[attr-defined]


@pytest.mark.parametrize(("option", "value"), [("cookie_secure", False), ("use_acl", True)])
def test_jwt_config_is_frozen_after_the_block(option: str, value: object) -> None:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
    with pytest.raises(ConfigurationConflictError, match=f"cannot set {option!r}"):
        setattr(JWT.for_app(app).config, option, value)


def test_app_config_keys_set_both_kinds_of_option() -> None:
    app = new_app()
    app.config.update(
        {
            "JWT_SECRET_KEY": SECRET,
            "JWT_COOKIE_SECURE": "false",
            "JWT_COOKIE_SAMESITE": "strict",
            "JWT_TOKEN_LOCATION": "headers,cookies",
            "JWT_HEADER_NAME": "X-Token",  # flask-jwt-extended's name for jwt_header_key
            "JWT_USE_ACL": "true",
            "JWT_CSRF_CLAIM": "true",
        }
    )
    with JWT.initialize(app):
        pass
    config = JWT.for_app(app).config
    assert config.secret_key == SECRET
    assert (config.cookie_secure, config.cookie_samesite) == (False, "Strict")
    assert config.token_location == ("headers", "cookies")
    assert config.jwt_header_key == "X-Token"
    assert (config.use_acl, config.csrf_claim) == (True, True)


def test_app_config_values_of_the_adapter_are_checked_by_the_adapter() -> None:
    app = new_app()
    app.config.update({"JWT_SECRET_KEY": SECRET, "JWT_COOKIE_SAMESITE": "sometimes"})
    refused = pytest.raises(ConfigurationConflictError, match="cookie_samesite must be")
    with refused, JWT.initialize(app):
        pass
