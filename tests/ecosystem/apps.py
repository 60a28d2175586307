"""Building blocks of the ecosystem tests: uniquely named Sanic apps and a server per request."""

from __future__ import annotations

import itertools
import os
from typing import Any

from sanic import Sanic
from sanic_testing.testing import SanicTestClient

from sanic_jwt_extended import JWT

SECRET = "ecosystem-tests-secret-of-at-least-32-bytes!"
_names = itertools.count()

Sanic.test_mode = True


def new_app(prefix: str = "ecosystem") -> Sanic[Any, Any]:
    """A Sanic app with a name no other test uses (touchup off: it costs 0.1 s a request).

    Sanic Extensions on, whatever SANIC_AUTO_EXTEND says (a test run may turn it off for speed).
    """
    app = Sanic(f"{prefix}-{os.getpid()}-{next(_names)}")
    app.config.TOUCHUP = False
    app.config.AUTO_EXTEND = True
    return app


def initialized(app: Sanic[Any, Any], **options: Any) -> Sanic[Any, Any]:
    """`app` after `JWT.initialize` with the test secret and `options`."""
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        for name, value in options.items():
            setattr(manager.config, name, value)
    return app


def real_server(app: Sanic[Any, Any]) -> SanicTestClient:
    """sanic-testing's client running a real server per request on a free loopback port."""
    client = getattr(app.ctx, "real_server", None)
    if client is None:
        client = app.ctx.real_server = SanicTestClient(app, port=None)
    client.port = None  # the last port may still be in TIME_WAIT: pick anew
    return client


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying `token`."""
    return {"Authorization": f"Bearer {token}"}
