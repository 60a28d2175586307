"""A csrf value is in every token when csrf_claim is on (the adapter turns it on for cookies)."""

from __future__ import annotations

import pytest

from tests.core.conftest import MakeManager
from tests.support.jose import payload_of


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_csrf_present_with_csrf_claim(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager(csrf_claim=True)
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice")
    csrf = payload_of(raw)["csrf"]
    assert isinstance(csrf, str)
    assert len(csrf) >= 16
    assert manager.decode(raw).csrf == csrf


@pytest.mark.parametrize("options", [{}, {"csrf_claim": False}], ids=["default", "off"])
def test_csrf_absent_otherwise(make_manager: MakeManager, options: dict[str, bool]) -> None:
    manager = make_manager(**options)
    raw = manager.create_access_token("alice")
    assert "csrf" not in payload_of(raw)
    assert manager.decode(raw).csrf is None


def test_csrf_differs_between_tokens(make_manager: MakeManager) -> None:
    manager = make_manager(csrf_claim=True)
    values = {payload_of(manager.create_access_token("alice"))["csrf"] for _ in range(100)}
    assert len(values) == 100
