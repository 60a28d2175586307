"""docs/sanic-ext.md and docs/logging.md: the OpenAPI document, Token injection, log output."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.docs.example_files import EXAMPLES, load_app
from tests.support.apps import bearer

LOGGER = "sanic_jwt_extended"
# The examples rely on Sanic Extensions' default (on), whatever this test run's environment says.
EXTEND = {"SANIC_AUTO_EXTEND": "true"}


@pytest.fixture(autouse=True)
def _fresh_openapi_state() -> Iterator[None]:
    """sanic-ext keeps one OpenAPI spec per process: each test starts from an empty one."""
    from sanic_ext.extensions.openapi.builders import OperationStore, SpecificationBuilder

    OperationStore.reset()
    SpecificationBuilder.reset()
    yield
    OperationStore.reset()
    SpecificationBuilder.reset()


def security_excerpt(spec: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of the document: the schemes, and each operation's summary/security."""
    paths: dict[str, Any] = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            shown = {k: operation[k] for k in ("summary", "security") if k in operation}
            paths.setdefault(path, {})[method] = shown
    return {"components": spec["components"], "paths": paths}


async def test_openapi_document_is_the_one_the_page_shows() -> None:
    app = load_app("sanic_ext_openapi.py", **EXTEND)
    _, response = await app.asgi_client.get("/docs/openapi.json")
    assert response.status == 200
    shown = json.loads((EXAMPLES / "sanic_ext_openapi.json").read_text(encoding="utf-8"))
    assert security_excerpt(response.json) == shown


async def test_openapi_example_routes_work() -> None:
    app = load_app("sanic_ext_openapi.py", **EXTEND)
    token = app.ctx.jwt.manager.create_access_token("alice")
    _, response = await app.asgi_client.get("/orders", headers=bearer(token))
    assert response.json == {"owner": "alice", "orders": []}
    _, response = await app.asgi_client.get("/catalogue")
    assert response.json == {"personalised": False}
    _, response = await app.asgi_client.get("/orders")
    assert response.status == 401


async def test_injected_token_and_a_decorated_route_beside_it() -> None:
    app = load_app("sanic_ext_injection.py", **EXTEND)
    token = app.ctx.jwt.manager.create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers=bearer(token))
    assert response.json == {"identity": "alice"}
    _, response = await app.asgi_client.get("/me")
    assert response.status == 401
    assert response.json == {
        "msg": "missing access token: none found in the Authorization header ('Bearer <token>')"
    }
    _, response = await app.asgi_client.get("/greeting")
    assert response.json == {"hello": "stranger"}
    _, response = await app.asgi_client.get("/greeting", headers=bearer(token))
    assert response.json == {"hello": "alice"}


@pytest.fixture
def restore_logger() -> Iterator[logging.Logger]:
    """The example configures the library's logger for the process: undo that afterwards."""
    logger = logging.getLogger(LOGGER)
    saved = (logger.level, list(logger.handlers), logger.propagate, logger.disabled)
    yield logger
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate, logger.disabled = saved[2], saved[3]


async def test_logging_example_shows_the_reason_of_a_refusal(
    restore_logger: logging.Logger,
) -> None:
    app = load_app("logging_setup.py")
    assert restore_logger.level == logging.DEBUG
    (handler,) = restore_logger.handlers
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    handler.setStream(output)
    _, response = await app.asgi_client.get("/me")
    assert response.status == 401
    page = (EXAMPLES.parent.parent / "docs" / "logging.md").read_text(encoding="utf-8")
    line = next(text for text in output.getvalue().splitlines() if "refused" in text)
    shown = "refused GET /me: NoAuthorizationError: missing access token: none found in the"
    assert shown in line
    assert shown in page
    token = app.ctx.jwt.manager.create_access_token("alice")
    _, response = await app.asgi_client.get("/me", headers=bearer(token[:-2] + "xx"))
    assert response.status == 422
    assert token[:-2] not in output.getvalue()
    assert token.split(".")[1] not in output.getvalue()
