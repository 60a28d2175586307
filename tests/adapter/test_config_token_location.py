"""token_location accepts the four locations (and old spellings) and refuses anything else."""

from __future__ import annotations

from typing import Any

import pytest

from jwt_core import ConfigurationConflictError, TokenManager
from sanic_jwt_extended import HttpConfig
from tests.support.apps import SECRET


@pytest.mark.parametrize(
    "location",
    ["body", ["headers", "form"], ("cookie_jar",), [], "", ["headers", None]],
    ids=["body", "one-unknown-in-list", "unknown-in-tuple", "empty-list", "empty-str", "none"],
)
def test_unknown_or_empty_location_is_refused(location: Any) -> None:
    with pytest.raises(ConfigurationConflictError, match="token_location"):
        TokenManager(HttpConfig(secret_key=SECRET, token_location=location))


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        (("headers",), ("headers",)),
        (
            ["headers", "cookies", "query_string", "json"],
            ("headers", "cookies", "query_string", "json"),
        ),
        ("header", ("headers",)),
        (["header", "query"], ("headers", "query_string")),
        ("cookies", ("cookies",)),
    ],
)
def test_known_locations_and_old_spellings_are_accepted(
    given: Any, normalised: tuple[str, ...]
) -> None:
    manager = TokenManager(HttpConfig(secret_key=SECRET, token_location=given))
    assert tuple(manager.config.token_location) == normalised


def test_default_location_is_headers() -> None:
    assert tuple(TokenManager(HttpConfig(secret_key=SECRET)).config.token_location) == ("headers",)
