"""The ecosystem tests' apps: `tests.support.apps`, with Sanic Extensions always on."""

from __future__ import annotations

from typing import Any

from sanic import Sanic

from tests.support import apps


def new_app(prefix: str = "ecosystem") -> Sanic[Any, Any]:
    """A uniquely named app with Sanic Extensions on, whatever SANIC_AUTO_EXTEND says."""
    return apps.new_app(prefix, auto_extend=True)
