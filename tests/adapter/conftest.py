"""Fixtures for the adapter tests: a fresh, uniquely named Sanic app per test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sanic import Sanic
from sanic_apps import SECRET, new_app

from sanic_jwt_extended import JWT


@pytest.fixture
def make_app() -> Callable[..., Sanic[Any, Any]]:
    """Build an initialized app: `make_app(use_acl=True, ...)` sets those options."""

    def make(secret: str = SECRET, **options: Any) -> Sanic[Any, Any]:
        app = new_app()
        with JWT.initialize(app) as manager:
            manager.config.secret_key = secret
            for name, value in options.items():
                setattr(manager.config, name, value)
        return app

    return make
