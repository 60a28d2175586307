"""Helpers of the 1.0-dev compatibility tests: a real-server client and the bearer header."""

from __future__ import annotations

from typing import Any

from sanic import Sanic
from sanic_testing.testing import SanicTestClient

SECRET = "compat-tests-secret-of-at-least-32-bytes"


def client(app: Sanic[Any, Any]) -> SanicTestClient:
    """sanic-testing's client running a real server on a free loopback port per request.

    One client per app (each adds a listener to it), its port chosen afresh every time.
    """
    found = getattr(app.ctx, "compat_client", None)
    if found is None:
        found = app.ctx.compat_client = SanicTestClient(app, port=None)
    found.port = None
    return found


def bearer(token: str) -> dict[str, str]:
    """The Authorization header 1.0-dev read by default."""
    return {"Authorization": f"Bearer {token}"}
