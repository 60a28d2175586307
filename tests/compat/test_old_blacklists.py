"""Revocation stores as 1.0-dev documented them: a custom `BlacklistABC`, the old store options."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from old_api import SECRET, bearer, client
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from sanic_jwt_extended.blacklist import BlacklistABC, InMemoryBlacklist, RedisBlacklist
    from sanic_jwt_extended.tokens import Token

from sanic_jwt_extended import JWT, ConfigurationConflictError, SQLiteBlacklist, jwt_required

NewApp = Callable[[], Sanic[Any, Any]]


class FooBarBlacklist(BlacklistABC):
    """The 'your own blacklist' of the 1.0-dev page, word for word in shape."""

    def __init__(self) -> None:
        pass

    async def register(self, token: Token) -> None:
        pass

    async def is_blacklisted(self, token: Token) -> bool:  # type: ignore[return]
        pass


class ListBlacklist(BlacklistABC):
    """A store written the 1.0-dev way that does revoke: jtis in a list."""

    def __init__(self) -> None:
        self.blacklist: list[uuid.UUID] = []

    async def register(self, token: Token) -> None:
        self.blacklist.append(token.jti)

    async def is_blacklisted(self, token: Token) -> bool:
        return token.jti in self.blacklist


class SyncListBlacklist(BlacklistABC):
    """The form of the 1.0.dev1 to dev6 page: plain (not async) methods."""

    def __init__(self) -> None:
        self.blacklist: list[uuid.UUID] = []

    def register(self, token: Token) -> None:  # type: ignore[override]
        self.blacklist.append(token.jti)

    def is_blacklisted(self, token: Token) -> bool:  # type: ignore[override]
        return token.jti in self.blacklist


def _app(new_app: NewApp, store: type[BlacklistABC], **kwargs: Any) -> Sanic[Any, Any]:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.use_blacklist = True
        manager.config.blacklist_class = store
        if kwargs:
            manager.config.blacklist_init_kwargs = kwargs

    @app.get("/protected")
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    @app.post("/logout")
    @jwt_required
    async def logout(request: Request, token: Token) -> HTTPResponse:
        await token.revoke()
        return json({"msg": "Goodbye"})

    return app


def test_the_documented_custom_blacklist_starts_and_serves(new_app: NewApp) -> None:
    app = _app(new_app, FooBarBlacklist)
    raw = JWT.for_app(app).create_access_token("alice")
    _, response = client(app).get("/protected", headers=bearer(raw))
    assert response.json == {"identity": "alice"}
    _, response = client(app).post("/logout", headers=bearer(raw))
    assert response.json == {"msg": "Goodbye"}


async def test_an_old_style_store_revokes_and_revoke_all_says_what_to_implement(
    new_app: NewApp,
) -> None:
    app = _app(new_app, ListBlacklist)
    jwt = JWT.for_app(app)
    token = jwt.decode(jwt.create_access_token("alice"))
    await jwt.revoke(token)
    assert await jwt.manager.verify(jwt.create_access_token("alice"))
    with pytest.raises(Exception, match="revoked"):
        await jwt.manager.verify(token.raw_jwt)
    with pytest.raises(NotImplementedError, match=r"implement register_cutoff\(subject"):
        await jwt.revoke_all("alice")


@pytest.mark.parametrize("store", [ListBlacklist, SyncListBlacklist])
def test_revoked_by_an_old_style_store_over_http(
    new_app: NewApp, store: type[BlacklistABC]
) -> None:
    app = _app(new_app, store)
    raw = JWT.for_app(app).create_access_token("alice")
    _, response = client(app).post("/logout", headers=bearer(raw))
    assert response.status == 200
    _, response = client(app).get("/protected", headers=bearer(raw))
    assert response.status == 401


def test_an_abstract_store_names_the_missing_method_not_the_kwargs(new_app: NewApp) -> None:
    class Half(BlacklistABC):
        async def register(self, token: Token) -> None:
            pass

    with pytest.raises(ConfigurationConflictError, match="abstract: implement is_blacklisted") as e:
        _app(new_app, Half)
    assert "blacklist_init_kwargs" not in str(e.value)


def test_a_type_error_inside_the_store_is_not_blamed_on_the_kwargs(new_app: NewApp) -> None:
    class Broken(ListBlacklist):
        def __init__(self) -> None:
            raise TypeError("the store's own bug")

    with pytest.raises(TypeError, match="the store's own bug"):
        _app(new_app, Broken)


def test_old_redis_settings_are_refused_at_startup_naming_the_new_ones(new_app: NewApp) -> None:
    old = {"address": "redis://:@localhost:6379", "minsize": 5, "maxsize": 10}
    with pytest.raises(ConfigurationConflictError, match="connection_info") as caught:
        _app(new_app, RedisBlacklist, connection_info=old)
    assert "url=" in str(caught.value)
    assert "client=" in str(caught.value)
    assert "sanic-jwt-extended.md" in str(caught.value)


@pytest.mark.parametrize(
    ("store", "kwargs", "named"),
    [
        (RedisBlacklist, {"minsize": 5}, "url, client, prefix"),
        (SQLiteBlacklist, {"file": "x.sqlite3"}, "takes path, busy_timeout, purge_interval"),
        (InMemoryBlacklist, {"maxsize": 10}, "takes clock"),
        (ListBlacklist, {"url": "redis://localhost"}, "takes no arguments"),
    ],
)
def test_unknown_store_arguments_are_a_startup_error_naming_the_accepted_ones(
    new_app: NewApp, store: type[BlacklistABC], kwargs: dict[str, Any], named: str
) -> None:
    with pytest.raises(ConfigurationConflictError, match=named) as caught:
        _app(new_app, store, **kwargs)
    assert next(iter(kwargs)) in str(caught.value)


def test_store_arguments_that_fit_still_start(new_app: NewApp, tmp_path: Path) -> None:
    _app(new_app, SQLiteBlacklist, path=str(tmp_path / "revoked.sqlite3"))
    _app(new_app, RedisBlacklist, url="redis://127.0.0.1:1/0", health_check_interval=5)
