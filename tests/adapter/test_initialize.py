"""JWT.initialize: a context manager yielding JWT, fresh defaults, freezing, clear misuse errors."""

from __future__ import annotations

import weakref
from datetime import timedelta

import pytest
from sanic import Request
from sanic.response import json

import sanic_jwt_extended._state
from sanic_jwt_extended import (
    JWT,
    Config,
    ConfigurationConflictError,
    Handler,
    InMemoryBlacklist,
    Token,
    jwt_required,
)
from tests.support.apps import SECRET, bearer, manager_of, new_app


def test_block_yields_jwt_and_a_fresh_config_per_app() -> None:
    first = new_app()
    with JWT.initialize(first) as manager:
        assert manager is JWT
        assert isinstance(manager.config, Config)
        assert isinstance(manager.handler, Handler)
        manager.config.secret_key = SECRET
        manager.config.access_token_expires = timedelta(minutes=1)
        manager.config.use_acl = True

    second = new_app()
    with JWT.initialize(second) as manager:
        # nothing carried over from the first app
        assert manager.config.secret_key is None
        assert manager.config.access_token_expires == timedelta(minutes=15)
        assert manager.config.use_acl is False
        manager.config.secret_key = SECRET

    assert manager_of(first).config.use_acl is True
    assert manager_of(second).config.use_acl is False


def test_leaving_the_block_freezes_the_config() -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
    with pytest.raises(ConfigurationConflictError, match="use_acl"):
        JWT.for_app(app).config.use_acl = True


def test_unknown_option_is_refused_at_once() -> None:
    app = new_app()
    with (
        pytest.raises(ConfigurationConflictError, match="secret_key"),
        JWT.initialize(app) as manager,
    ):
        manager.config.secret_kye = SECRET


def test_invalid_configuration_raises_on_leaving_and_app_can_be_initialized_again() -> None:
    app = new_app()
    with pytest.raises(ConfigurationConflictError), JWT.initialize(app):
        pass  # HS256 without a secret
    assert not hasattr(app.ctx, "jwt")
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
    assert manager_of(app).config.secret_key == SECRET


def test_initialize_twice_for_one_app_is_a_clear_error_not_a_sanic_crash() -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
    with pytest.raises(ConfigurationConflictError, match="already called"), JWT.initialize(app):
        pass
    # the first configuration is untouched
    assert manager_of(app).config.secret_key == SECRET


def test_creating_a_token_inside_the_block_is_a_clear_error() -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        with pytest.raises(ConfigurationConflictError, match="has not finished"):
            JWT.create_access_token("alice")


def test_creating_a_token_before_any_initialize_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sanic_jwt_extended._state, "_finished", weakref.WeakSet())
    with pytest.raises(ConfigurationConflictError, match="initialize"):
        JWT.create_access_token("alice")
    with pytest.raises(ConfigurationConflictError, match="initialize"):
        JWT.create_refresh_token("alice")


def test_blacklist_is_none_without_use_blacklist_and_built_with_it() -> None:
    plain = new_app()
    with JWT.initialize(plain) as manager:
        manager.config.secret_key = SECRET
        assert JWT.blacklist is None
    assert JWT.for_app(plain).blacklist is None

    revoking = new_app()
    with JWT.initialize(revoking) as manager:
        manager.config.secret_key = SECRET
        manager.config.use_blacklist = True
    assert isinstance(JWT.for_app(revoking).blacklist, InMemoryBlacklist)
    assert JWT.for_app(revoking).blacklist is manager_of(revoking).blacklist


def test_create_token_signatures_follow_the_1_0_dev_api() -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.use_acl = True
        manager.config.decode_audience = "you"
        manager.config.decode_issuer = "me"
    manager_ = manager_of(app)
    access = manager_.decode(
        JWT.for_app(app).create_access_token(
            "alice",
            "ADMIN",
            True,
            expires_delta=timedelta(minutes=5),
            private_claims={"tenant": 7},
            iss="me",
            aud="you",
        )
    )
    assert (access.type, access.identity, access.role, access.fresh) == (
        "access",
        "alice",
        "ADMIN",
        True,
    )
    assert access.private_claims == {"tenant": 7}
    assert (access.iss, access.aud) == ("me", "you")
    assert access.exp is not None
    assert timedelta(minutes=4) < access.exp - access.iat <= timedelta(minutes=5)

    refresh = manager_.decode(
        JWT.for_app(app).create_refresh_token(
            "alice", "ADMIN", expires_delta=False, iss="me", aud="you"
        )
    )
    assert (refresh.type, refresh.role, refresh.exp) == ("refresh", "ADMIN", None)
    with pytest.raises(TypeError):
        JWT.for_app(app).create_access_token("alice", "ADMIN", True, timedelta(minutes=5))  # type: ignore[misc]


async def test_revoke_and_revoke_all_through_the_class() -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.use_blacklist = True

    @app.get("/me")
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json({"identity": token.identity})

    one = JWT.for_app(app).create_access_token("alice")
    two = JWT.for_app(app).create_access_token("alice")
    other = JWT.for_app(app).create_access_token("bob")
    await JWT.for_app(app).revoke(manager_of(app).decode(one))
    _, response = await app.asgi_client.get("/me", headers=bearer(one))
    assert response.status == 401
    _, response = await app.asgi_client.get("/me", headers=bearer(two))
    assert response.status == 200

    await JWT.for_app(app).revoke_all("alice")
    _, response = await app.asgi_client.get("/me", headers=bearer(two))
    assert response.status == 401
    _, response = await app.asgi_client.get("/me", headers=bearer(other))
    assert response.status == 200


async def test_revoke_needs_use_blacklist() -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
    token = manager_of(app).decode(JWT.for_app(app).create_access_token("alice"))
    with pytest.raises(ConfigurationConflictError, match="use_blacklist"):
        await JWT.for_app(app).revoke(token)


def test_an_instance_reads_the_same_state_as_the_class() -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.use_blacklist = True
    instance = JWT()
    with JWT.for_app(app):
        assert instance.config is JWT.config is manager_of(app).config
        assert instance.handler is JWT.handler
        assert instance.blacklist is JWT.blacklist is manager_of(app).blacklist
