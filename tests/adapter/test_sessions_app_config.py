"""The session options read from app.config: seconds, or false where the option allows it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwt_core import ConfigurationConflictError
from tests.support.apps import initialized, manager_of, new_app


def test_the_session_options_come_from_app_config_in_seconds() -> None:
    app = new_app("session-options")
    app.config.JWT_REFRESH_REUSE_GRACE = "5"
    app.config.JWT_SESSION_MAX_AGE = "86400"
    app.config.JWT_SLIDING_SESSION_THRESHOLD = 300
    config = manager_of(initialized(app)).config
    assert config.refresh_reuse_grace == timedelta(seconds=5)
    assert config.session_max_age == timedelta(days=1)
    assert config.sliding_session_threshold == timedelta(minutes=5)


def test_the_session_limit_and_sliding_can_be_switched_off_from_app_config() -> None:
    app = new_app("session-options")
    app.config.JWT_SESSION_MAX_AGE = "false"
    app.config.JWT_SLIDING_SESSION_THRESHOLD = "false"
    config = manager_of(initialized(app)).config
    assert config.session_max_age is False
    assert config.sliding_session_threshold is False


def test_a_grace_cannot_be_switched_off_with_false_only_with_zero() -> None:
    app = new_app("session-options")
    app.config.JWT_REFRESH_REUSE_GRACE = "false"
    with pytest.raises(ConfigurationConflictError, match="JWT_REFRESH_REUSE_GRACE"):
        initialized(app)
    app = new_app("session-options")
    app.config.JWT_REFRESH_REUSE_GRACE = "0"
    assert manager_of(initialized(app)).config.refresh_reuse_grace == timedelta(0)
