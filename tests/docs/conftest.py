"""Fixtures of the documentation suite, which runs every example file the docs include.

Every code example in `docs/` is a file under `examples/docs/` that the pages include with
pymdownx.snippets. Core examples run as scripts and their output is compared with the `.out`
file the docs show beside them; Sanic examples are loaded for their `app`, which the tests
drive with sanic-testing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sanic import Sanic

from tests.support.redis_server import RedisServer, start_server


@pytest.fixture(autouse=True)
def _sanic_test_mode() -> Iterator[None]:
    """Let every test build its example app afresh under the same app name."""
    previous = Sanic.test_mode
    Sanic.test_mode = True
    yield
    Sanic.test_mode = previous


@pytest.fixture
def valkey() -> Iterator[RedisServer]:
    """A Redis-protocol server of the test's own (the Redis examples stop and start it)."""
    server = start_server()
    yield server
    server.cleanup()
