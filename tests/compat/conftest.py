"""Fixtures of the 1.0-dev compatibility suite: the old API used as its documentation shows it.

Each test writes an app the way the sanic-jwt-extended 1.0-dev docs did (`JWT.initialize`,
`manager.config.<option>`, imports from the old module paths) and drives it over HTTP with
sanic-testing. Apps are registered under fixed names in `Sanic.test_mode`, as a user's own
test suite would do, and taken out of the registry when the test ends.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sanic import Sanic

_names = itertools.count()


@pytest.fixture
def new_app() -> Iterator[Callable[[], Sanic[Any, Any]]]:
    """Make uniquely named Sanic apps; each is unregistered when the test ends."""
    previous = Sanic.test_mode
    Sanic.test_mode = True
    made: list[Sanic[Any, Any]] = []

    def make() -> Sanic[Any, Any]:
        app = Sanic(f"compat-{os.getpid()}-{next(_names)}")
        app.config.TOUCHUP = False
        made.append(app)
        return app

    yield make
    for app in made:
        Sanic.unregister_app(app)
    Sanic.test_mode = previous
