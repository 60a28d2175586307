"""`JWT.start_session`, `rotate` and `logout`: for the current app or a named one, with the
app's additional claims, and `TokenPair` importable from the adapter."""

from __future__ import annotations

from typing import Any

import pytest

import jwt_core
import sanic_jwt_extended
from jwt_core import ConfigurationConflictError, Policy, RevokedTokenError
from sanic_jwt_extended import JWT, TokenPair
from tests.support.apps import SECRET, manager_of, new_app


def _app(name: str = "sessions-facade", **loader_claims: Any) -> Any:
    app = new_app(name)
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        jwt.config.use_blacklist = True
        jwt.config.use_acl = True
        if loader_claims:
            jwt.additional_claims_loader(lambda identity: {**loader_claims, "who": identity})
    return app


def test_token_pair_is_the_core_s_and_exported() -> None:
    assert sanic_jwt_extended.TokenPair is jwt_core.TokenPair
    assert "TokenPair" in sanic_jwt_extended.__all__


async def test_the_additional_claims_loader_adds_to_both_tokens_and_rotation_keeps_them() -> None:
    app = _app(plan="gold")
    named = JWT.for_app(app)
    pair = named.start_session("alice", "ADMIN", private_claims={"plan": "platinum"})
    assert isinstance(pair, TokenPair)
    manager = manager_of(app)
    for raw in pair:
        token = manager.decode(raw)
        # the call's own private claims win over the loader's, as for create_*
        assert token.private_claims == {"plan": "platinum", "who": "alice"}
        assert (token.identity, token.role) == ("alice", "ADMIN")
    access = manager.decode(pair.access_token)
    assert access.fresh
    assert access.family == manager.decode(pair.refresh_token).family
    await manager.open()
    rotated = await named.rotate(pair.refresh_token)
    for raw in rotated:
        assert manager.decode(raw).private_claims == {"plan": "platinum", "who": "alice"}
    assert not manager.decode(rotated.access_token).fresh
    await manager.close()


async def test_the_class_level_api_acts_for_the_only_app() -> None:
    app = _app()
    manager = manager_of(app)
    await manager.open()
    with JWT.for_app(app):
        pair = JWT.start_session("bob", fresh=False)
        assert not manager.decode(pair.access_token).fresh
        rotated = await JWT.rotate(pair.refresh_token, fresh=True)
        assert manager.decode(rotated.access_token).fresh
        access, refresh = (manager.decode(raw) for raw in rotated)
        await JWT.logout(access, refresh)
    for raw in (pair.access_token, *rotated):  # the family: the older access token too
        with pytest.raises(RevokedTokenError):
            await manager.verify(raw, Policy(manager.decode(raw).type))
    await manager.close()


def test_with_several_apps_the_error_names_start_session() -> None:
    _app("sessions-one")
    _app("sessions-two")
    with pytest.raises(ConfigurationConflictError, match=r"JWT\.for_app\(app\)\.start_session"):
        JWT.start_session("alice")
