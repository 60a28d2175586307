"""Options from app.config (JWT_*) and so from SANIC_JWT_* environment variables."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.response import json

from jwt_core.blacklist import SQLiteBlacklist
from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    HttpConfig,
    InMemoryBlacklist,
    Token,
    jwt_required,
)
from sanic_jwt_extended import _app_config as app_config
from tests.support.apps import SECRET, bearer, manager_of, new_app


def test_app_config_values_are_used() -> None:
    app = new_app()
    app.config.JWT_SECRET_KEY = SECRET
    app.config.JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=2)
    app.config.JWT_USE_ACL = True
    app.config.JWT_TOKEN_LOCATION = ["headers", "cookies"]
    with JWT.initialize(app) as manager:
        # visible inside the block already
        assert manager.config.secret_key == SECRET
    config = manager_of(app).config
    assert config.access_token_expires == timedelta(minutes=2)
    assert config.use_acl is True
    assert config.token_location == ("headers", "cookies")


def test_explicit_values_in_the_block_win() -> None:
    app = new_app()
    app.config.JWT_SECRET_KEY = "from-app-config-" + "x" * 32
    app.config.JWT_ALGORITHM = "HS384"
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET * 2
    config = manager_of(app).config
    assert config.secret_key == SECRET * 2
    assert config.algorithm == "HS384"


async def test_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    env = {
        "SANIC_JWT_SECRET_KEY": "12345678901234567890123456789012345",  # Sanic makes it an int
        "SANIC_JWT_ACCESS_TOKEN_EXPIRES": "90",
        "SANIC_JWT_REFRESH_TOKEN_EXPIRES": "false",
        "SANIC_JWT_LEEWAY": "1.5",
        "SANIC_JWT_USE_ACL": "true",
        "SANIC_JWT_CSRF_PROTECT": "0",
        "SANIC_JWT_COOKIE_SECURE": "no",
        "SANIC_JWT_TOKEN_LOCATION": "headers, query_string",
        "SANIC_JWT_CSRF_REQUEST_METHODS": "post delete",
        "SANIC_JWT_DEFAULT_AUD": "api,admin",
        "SANIC_JWT_DEFAULT_ISS": "issuer",
        "SANIC_JWT_JWT_QUERY_PARAM_NAME": "t",
        "SANIC_JWT_BLACKLIST_TIMEOUT": "2",
        "SANIC_JWT_MAX_TOKEN_LENGTH": "4096",
        "SANIC_JWT_USE_BLACKLIST": "1",
        "SANIC_JWT_BLACKLIST_CLASS": "SQLiteBlacklist",
        "SANIC_JWT_BLACKLIST_INIT_KWARGS": f'{{"path": "{tmp_path}/revoked.sqlite3"}}',
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = new_app()  # Sanic reads SANIC_* when the app is made
    with JWT.initialize(app):
        pass
    config = manager_of(app).config
    assert config.secret_key == env["SANIC_JWT_SECRET_KEY"]
    assert config.access_token_expires == timedelta(seconds=90)
    assert config.refresh_token_expires is False
    assert config.leeway == timedelta(seconds=1.5)
    assert (config.use_acl, config.csrf_protect, config.cookie_secure) == (True, False, False)
    assert config.token_location == ("headers", "query_string")
    assert config.csrf_request_methods == ("POST", "DELETE")
    assert config.default_aud == ["api", "admin"]
    assert config.default_iss == "issuer"
    assert config.jwt_query_param_name == "t"
    assert config.blacklist_timeout == 2.0
    assert config.max_token_length == 4096
    assert isinstance(manager_of(app).blacklist, SQLiteBlacklist)

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json({"aud": token.aud})

    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", params={"t": token})
    assert response.json == {"aud": ["api", "admin"]}
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert response.status == 200


def test_blacklist_class_by_import_path() -> None:
    app = new_app()
    app.config.JWT_SECRET_KEY = SECRET
    app.config.JWT_USE_BLACKLIST = True
    app.config.JWT_BLACKLIST_CLASS = "jwt_core.blacklist.memory:InMemoryBlacklist"
    with JWT.initialize(app):
        pass
    assert isinstance(manager_of(app).blacklist, InMemoryBlacklist)


@pytest.mark.parametrize("value", [300, "300", timedelta(minutes=5)], ids=repr)
def test_the_skew_margin_is_read_in_seconds_or_as_a_timedelta(value: Any) -> None:
    app = new_app()
    app.config.JWT_SECRET_KEY = SECRET
    app.config.JWT_BLACKLIST_SKEW_MARGIN = value
    with JWT.initialize(app):
        pass
    assert manager_of(app).config.blacklist_skew_margin == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("JWT_USE_ACL", "maybe", "true or false"),
        ("JWT_ACCESS_TOKEN_EXPIRES", "soon", "seconds"),
        ("JWT_LEEWAY", "false", "seconds"),
        ("JWT_BLACKLIST_SKEW_MARGIN", "a minute", "seconds"),
        ("JWT_MAX_TOKEN_LENGTH", "big", "int"),
        ("JWT_BLACKLIST_INIT_KWARGS", "[1]", "JSON object"),
        ("JWT_BLACKLIST_CLASS", "no.such.module:Store", "cannot import"),
    ],
)
def test_unconvertible_value_names_the_key(key: str, value: str, message: str) -> None:
    app = new_app()
    app.config[key] = value
    with pytest.raises(ConfigurationConflictError, match=f"app.config.{key}: .*{message}"):
        JWT.initialize(app).__enter__()
    assert not hasattr(app.ctx, "jwt")


def test_unknown_jwt_key_is_logged_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    app = new_app()
    app.config.JWT_SECRET = "sanic-jwt uses this name"
    with caplog.at_level(logging.WARNING, logger="sanic_jwt_extended"), JWT.initialize(app) as m:
        m.config.secret_key = SECRET
    assert "JWT_SECRET is not a sanic-jwt-extended option" in caplog.text


# -- shorter keys and other libraries' names ----------------------------------------------------
SHORT_KEYS = {
    "JWT_HEADER_KEY": "jwt_header_key",
    "JWT_HEADER_PREFIX": "jwt_header_prefix",
    "JWT_COOKIE": "jwt_cookie",
    "JWT_CSRF_HEADER": "jwt_csrf_header",
    "JWT_QUERY_PARAM_NAME": "jwt_query_param_name",
    "JWT_JSON_KEY": "jwt_json_key",
}

# flask-jwt-extended and sanic-jwt-extended 0.4 keys -> (option, a value, what it becomes)
OTHER_LIBRARIES: dict[str, tuple[str, object, object]] = {
    "JWT_HEADER_NAME": ("jwt_header_key", "X-Token", "X-Token"),
    "JWT_HEADER_TYPE": ("jwt_header_prefix", "JWT", "JWT"),
    "JWT_ERROR_MESSAGE_KEY": ("error_msg_key", "message", "message"),
    "JWT_ACCESS_COOKIE_NAME": ("jwt_cookie", "a_cookie", "a_cookie"),
    "JWT_REFRESH_COOKIE_NAME": ("refresh_jwt_cookie", "r_cookie", "r_cookie"),
    "JWT_COOKIE_SECURE": ("cookie_secure", False, False),
    "JWT_COOKIE_SAMESITE": ("cookie_samesite", "Strict", "Strict"),
    "JWT_COOKIE_DOMAIN": ("cookie_domain", "example.com", "example.com"),
    "JWT_COOKIE_CSRF_PROTECT": ("csrf_protect", "false", False),
    "JWT_CSRF_METHODS": ("csrf_request_methods", ["POST", "DELETE"], ("POST", "DELETE")),
    "JWT_ACCESS_CSRF_HEADER_NAME": ("jwt_csrf_header", "X-A", "X-A"),
    "JWT_REFRESH_CSRF_HEADER_NAME": ("refresh_jwt_csrf_header", "X-R", "X-R"),
    "JWT_QUERY_STRING_NAME": ("jwt_query_param_name", "token", "token"),
    "JWT_REFRESH_JSON_KEY": ("refresh_json_key", "refresh", "refresh"),
    "JWT_DECODE_LEEWAY": ("leeway", 10, timedelta(seconds=10)),
    "JWT_ENCODE_ISSUER": ("default_iss", "issuer", "issuer"),
    "JWT_ENCODE_AUDIENCE": ("default_aud", "api", "api"),
    "JWT_ACCESS_CSRF_COOKIE_NAME": ("access_csrf_cookie", "csrf_a", "csrf_a"),
    "JWT_REFRESH_CSRF_COOKIE_NAME": ("refresh_csrf_cookie", "csrf_r", "csrf_r"),
    "JWT_ACCESS_COOKIE_PATH": ("access_cookie_path", "/api", "/api"),
    "JWT_REFRESH_COOKIE_PATH": ("refresh_cookie_path", "/refresh", "/refresh"),
    "JWT_CSRF_IN_COOKIES": ("csrf_in_cookies", "no", False),
    "RBAC_ENABLE": ("use_acl", True, True),
}


def initialized(**options: object) -> Sanic[Any, Any]:
    app = new_app()
    app.config.update({"JWT_SECRET_KEY": SECRET, **options})
    with JWT.initialize(app):
        pass
    return app


@pytest.mark.parametrize(("key", "option"), list(SHORT_KEYS.items()))
def test_a_jwt_option_is_read_without_the_doubled_prefix(key: str, option: str) -> None:
    assert getattr(manager_of(initialized(**{key: "X-Value"})).config, option) == "X-Value"
    doubled = "JWT_" + option.upper()
    assert getattr(manager_of(initialized(**{doubled: "X-Value"})).config, option) == "X-Value"


@pytest.mark.parametrize("key", list(OTHER_LIBRARIES))
def test_another_librarys_key_for_the_same_setting_is_read(key: str) -> None:
    option, value, expected = OTHER_LIBRARIES[key]
    config = manager_of(initialized(**{key: value})).config
    assert getattr(config, option) == expected


def test_the_same_value_under_two_keys_is_accepted() -> None:
    app = initialized(
        JWT_JWT_HEADER_KEY="X-Token", JWT_HEADER_KEY="X-Token", JWT_HEADER_NAME="X-Token"
    )
    assert manager_of(app).config.jwt_header_key == "X-Token"
    app = initialized(JWT_USE_ACL=True, RBAC_ENABLE="true")  # equal once converted
    assert manager_of(app).config.use_acl is True


@pytest.mark.parametrize(
    ("keys", "option"),
    [
        ({"JWT_JWT_HEADER_KEY": "X-One", "JWT_HEADER_NAME": "X-Two"}, "jwt_header_key"),
        ({"JWT_HEADER_KEY": "X-One", "JWT_HEADER_NAME": "X-Two"}, "jwt_header_key"),
        ({"JWT_JWT_COOKIE": "one", "JWT_COOKIE": "two"}, "jwt_cookie"),
        ({"JWT_USE_ACL": False, "RBAC_ENABLE": True}, "use_acl"),
        ({"JWT_LEEWAY": 5, "JWT_DECODE_LEEWAY": 10}, "leeway"),
    ],
)
def test_two_keys_for_one_option_that_disagree_are_refused(
    keys: dict[str, object], option: str
) -> None:
    app = new_app()
    app.config.update(keys)
    first, second = sorted(keys)
    with pytest.raises(ConfigurationConflictError) as caught:
        JWT.initialize(app).__enter__()
    message = str(caught.value)
    assert f"app.config.{first} and app.config.{second}" in message
    assert f"option {option}" in message
    assert not hasattr(app.ctx, "jwt")


def test_a_short_key_is_not_taken_when_it_names_another_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Were there an option `json_key` beside `jwt_json_key`, JWT_JSON_KEY would be its key.
    names = (*HttpConfig.option_names(), "json_key")
    monkeypatch.setattr(HttpConfig, "option_names", classmethod(lambda cls: names))
    keys = app_config._app_config_keys()
    assert keys["JWT_JSON_KEY"] == "json_key"
    assert keys["JWT_JWT_JSON_KEY"] == "jwt_json_key"
    assert keys["JWT_HEADER_KEY"] == "jwt_header_key"
    assert app_config.APP_CONFIG_KEYS["JWT_JSON_KEY"] == "jwt_json_key"  # the real table


def test_no_key_is_read_for_two_options() -> None:
    keys = app_config.APP_CONFIG_KEYS
    assert set(keys.values()) == set(HttpConfig.option_names())
    for option in HttpConfig.option_names():
        assert keys["JWT_" + option.upper()] == option


async def test_an_app_configured_the_flask_jwt_extended_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SANIC_JWT_HEADER_NAME", "X-Token")
    monkeypatch.setenv("SANIC_JWT_HEADER_TYPE", "")
    monkeypatch.setenv("SANIC_RBAC_ENABLE", "true")
    monkeypatch.setenv("SANIC_JWT_ERROR_MESSAGE_KEY", "message")
    app = new_app()  # Sanic reads SANIC_* when the app is made
    app.config.JWT_SECRET_KEY = SECRET
    with JWT.initialize(app):
        pass

    @app.get("/admin")
    @jwt_required(allow=["admin"])
    async def admin(request: Request, token: Token) -> object:
        return json({"identity": token.identity})

    admin_token = JWT.for_app(app).create_access_token("alice", "admin")
    _, response = await app.asgi_client.get("/admin", headers={"X-Token": admin_token})
    assert response.json == {"identity": "alice"}
    user_token = JWT.for_app(app).create_access_token("bob", "user")
    _, response = await app.asgi_client.get("/admin", headers={"X-Token": user_token})
    assert response.status == 403
    assert set(response.json) == {"message"}
    _, response = await app.asgi_client.get("/admin", headers=bearer(admin_token))
    assert response.status == 401  # Authorization is not the configured header any more
