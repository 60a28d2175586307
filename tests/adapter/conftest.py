"""Fixtures for the adapter tests: a fresh, uniquely named Sanic app per test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sanic import Sanic

from tests.support.apps import SECRET, initialized, new_app


@pytest.fixture
def make_app() -> Callable[..., Sanic[Any, Any]]:
    """Build an initialized app: `make_app(use_acl=True, ...)` sets those options."""

    def make(secret: str = SECRET, **options: Any) -> Sanic[Any, Any]:
        return initialized(new_app("adapter"), secret, **options)

    return make
