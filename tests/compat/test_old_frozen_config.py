"""Setting an option after `JWT.initialize` raised RuntimeError in 1.0-dev, and still does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sanic import Sanic

from jwt_core import ConfigFrozenError, ConfigurationConflictError, ConfigurationError
from sanic_jwt_extended import JWT


def test_setting_an_option_after_initialize_is_a_runtime_error(
    new_app: Callable[[], Sanic[Any, Any]],
) -> None:
    app = new_app()
    with JWT.initialize(app) as initialize:
        initialize.config.secret_key = "super-secret"
    with JWT.for_app(app):
        # as 1.0-dev's own test suite wrote it
        with pytest.raises(RuntimeError):
            JWT.config.algorithm = "HS512"
        with pytest.raises(ConfigFrozenError) as caught:
            initialize.config.secret_key = "other"
    error = caught.value
    assert isinstance(error, ConfigurationConflictError)
    assert isinstance(error, ConfigurationError)
    assert "frozen" in str(error)
    assert JWT.for_app(app).config.algorithm == "HS256"


def test_unknown_option_is_not_a_runtime_error() -> None:
    from jwt_core import Config

    with pytest.raises(ConfigurationConflictError) as caught:
        Config().algorythm = "HS256"  # type: ignore[attr-defined]
    assert not isinstance(caught.value, RuntimeError)
