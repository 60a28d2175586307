"""Fixtures of the ecosystem tests: sanic-ext's process-wide OpenAPI state starts empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_openapi_state() -> Iterator[None]:
    """sanic-ext keeps one spec and one operation store per process: give each test its own."""
    from sanic_ext.extensions.openapi.builders import OperationStore, SpecificationBuilder

    OperationStore.reset()
    SpecificationBuilder.reset()
    yield
    OperationStore.reset()
    SpecificationBuilder.reset()
