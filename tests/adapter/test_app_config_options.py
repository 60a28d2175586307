"""Options from app.config (JWT_*) and so from SANIC_JWT_* environment variables."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sanic import Request
from sanic.response import json
from sanic_apps import SECRET, bearer, manager_of, new_app

from jwt_core.blacklist import SQLiteBlacklist
from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    InMemoryBlacklist,
    Token,
    jwt_required,
)


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

    token = JWT.create_access_token("alice")
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


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("JWT_USE_ACL", "maybe", "true or false"),
        ("JWT_ACCESS_TOKEN_EXPIRES", "soon", "seconds"),
        ("JWT_LEEWAY", "false", "seconds"),
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
