"""Every token has a jti that is a fresh random UUID4."""

from __future__ import annotations

import uuid

from tests.core.conftest import MakeManager
from tests.support.jose import payload_of


def test_jti_is_a_uuid4(make_manager: MakeManager) -> None:
    manager = make_manager()
    for raw in (manager.create_access_token("alice"), manager.create_refresh_token("alice")):
        jti = uuid.UUID(payload_of(raw)["jti"])
        assert jti.version == 4
        assert jti.variant == uuid.RFC_4122
        assert manager.decode(raw).jti == jti


def test_jti_is_unique(make_manager: MakeManager) -> None:
    manager = make_manager()
    jtis = {payload_of(manager.create_access_token("alice"))["jti"] for _ in range(500)}
    jtis |= {payload_of(manager.create_refresh_token("alice"))["jti"] for _ in range(500)}
    assert len(jtis) == 1000
