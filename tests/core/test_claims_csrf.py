"""A csrf value is in every token when cookies are a token location and csrf_protect is on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.conftest import MakeManager
from tests.support.jose import payload_of


@pytest.mark.parametrize("location", [("headers", "cookies"), ("cookies",), "cookies"], ids=repr)
@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_csrf_present_with_cookies_and_protection(
    make_manager: MakeManager, location: Any, kind: str
) -> None:
    manager = make_manager(token_location=location)
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice")
    csrf = payload_of(raw)["csrf"]
    assert isinstance(csrf, str)
    assert len(csrf) >= 16
    assert manager.decode(raw).csrf == csrf


@pytest.mark.parametrize(
    "options",
    [
        {"token_location": ("headers",)},
        {"token_location": ("headers", "query_string", "json")},
        {"token_location": ("cookies",), "csrf_protect": False},
    ],
    ids=["headers", "no-cookies", "protection-off"],
)
def test_csrf_absent_otherwise(make_manager: MakeManager, options: dict[str, Any]) -> None:
    manager = make_manager(**options)
    raw = manager.create_access_token("alice")
    assert "csrf" not in payload_of(raw)
    assert manager.decode(raw).csrf is None


def test_csrf_differs_between_tokens(make_manager: MakeManager) -> None:
    manager = make_manager(token_location=("cookies",))
    values = {payload_of(manager.create_access_token("alice"))["csrf"] for _ in range(100)}
    assert len(values) == 100
