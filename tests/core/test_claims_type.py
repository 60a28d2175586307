"""The token type is a signed claim; a payload without a known type is refused."""

from __future__ import annotations

import pytest

from jwt_core import InvalidTokenError
from tests.core.conftest import SECRET, MakeManager
from tests.support.jose import payload_of, resign


def test_type_claim(make_manager: MakeManager) -> None:
    manager = make_manager()
    access = manager.create_access_token("alice")
    refresh = manager.create_refresh_token("alice")
    assert payload_of(access)["type"] == "access"
    assert payload_of(refresh)["type"] == "refresh"
    assert manager.decode(access).type == "access"
    assert manager.decode(refresh).type == "refresh"


@pytest.mark.parametrize("value", ["", "id", "ACCESS", 1, None], ids=repr)
def test_signed_token_without_a_known_type_is_refused(
    make_manager: MakeManager, value: object
) -> None:
    manager = make_manager()
    forged = resign(manager.create_access_token("alice"), SECRET, type=value)
    with pytest.raises(InvalidTokenError, match="type"):
        manager.decode(forged)
