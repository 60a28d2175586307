"""verify accepts only the token type asked for."""

from __future__ import annotations

import pytest

from jwt_core import WrongTokenError
from tests.core.conftest import MakeManager


async def test_refresh_token_where_access_is_needed(make_manager: MakeManager) -> None:
    manager = make_manager()
    with pytest.raises(WrongTokenError, match="access"):
        await manager.verify(manager.create_refresh_token("alice"))
    with pytest.raises(WrongTokenError, match="access"):
        await manager.verify(manager.create_refresh_token("alice"), token_type="access")


async def test_access_token_where_refresh_is_needed(make_manager: MakeManager) -> None:
    manager = make_manager()
    with pytest.raises(WrongTokenError, match="refresh"):
        await manager.verify(manager.create_access_token("alice", None, True), "refresh")


async def test_right_type_passes(make_manager: MakeManager) -> None:
    manager = make_manager()
    access = await manager.verify(manager.create_access_token("alice"))
    refresh = await manager.verify(manager.create_refresh_token("alice"), "refresh")
    assert (access.type, refresh.type) == ("access", "refresh")


def test_decode_accepts_any_type(make_manager: MakeManager) -> None:
    manager = make_manager()
    assert manager.decode(manager.create_refresh_token("alice")).type == "refresh"
    assert manager.decode(manager.create_access_token("alice")).type == "access"
