"""`Token(raw)` decoded a raw token in 1.0-dev; it does so wherever the app is unambiguous."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from old_api import SECRET, bearer, client
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from sanic_jwt_extended.tokens import Token

import jwt_core
from sanic_jwt_extended import JWT, ConfigurationConflictError, jwt_required


def _initialized(new_app: Callable[[], Sanic[Any, Any]], secret: str = SECRET) -> Sanic[Any, Any]:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = secret
    return app


def test_token_from_raw_inside_a_request(new_app: Callable[[], Sanic[Any, Any]]) -> None:
    app = _initialized(new_app)
    # a second app, with its own secret: the request still says which one is meant
    other = _initialized(new_app, SECRET[::-1])

    @app.get("/by-hand")
    async def by_hand(request: Request) -> HTTPResponse:
        token = Token(request.headers["x-raw"])
        return json({"identity": token.identity, "type": token.type})

    @app.get("/injected")
    @jwt_required
    async def injected(request: Request, token: Token) -> HTTPResponse:
        return json({"is_token": isinstance(token, Token), "same": Token(token.raw_jwt) == token})

    raw = JWT.for_app(app).create_access_token("alice")
    _, response = client(app).get("/by-hand", headers={"x-raw": raw})
    assert response.json == {"identity": "alice", "type": "access"}
    _, response = client(app).get("/injected", headers=bearer(raw))
    assert response.json == {"is_token": True, "same": True}
    # another app's token, or a broken one, is refused as any bad token: a 4xx, not a 500
    foreign = JWT.for_app(other).create_access_token("mallory")
    for bad in (foreign, raw[:-2], "x"):
        _, response = client(app).get("/by-hand", headers={"x-raw": bad})
        assert response.status == 422
        assert "msg" in response.json


def test_token_from_raw_with_several_apps_says_what_to_call(
    new_app: Callable[[], Sanic[Any, Any]],
) -> None:
    first = _initialized(new_app)
    _initialized(new_app)
    raw = JWT.for_app(first).create_access_token("alice")
    with pytest.raises(ConfigurationConflictError, match=r"JWT\.for_app\(app\)\.decode\(raw\)"):
        Token(raw)
    with JWT.for_app(first):
        assert Token(raw).identity == "alice"
    assert JWT.for_app(first).decode(raw).identity == "alice"


def test_token_needs_the_raw_token_alone() -> None:
    with pytest.raises(TypeError, match="alone"):
        Token("a.b.c", type="access")  # type: ignore[call-arg]


def _run(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=False
    )


def test_token_from_raw_in_a_script(tmp_path: Path) -> None:
    """As 1.0-dev's own test_token did: initialize, create, `Token(raw)`, revoke."""
    done = _run(
        f"""
        import asyncio
        import warnings

        warnings.simplefilter("ignore", DeprecationWarning)
        from sanic import Sanic
        from sanic_jwt_extended.jwt_manager import JWT
        from sanic_jwt_extended.tokens import Token

        app = Sanic("old_script")
        with JWT.initialize(app) as initialize:
            initialize.config.secret_key = {SECRET!r}
            initialize.config.use_blacklist = True

        raw_token = JWT.create_access_token("user")
        token = Token(raw_token)
        assert isinstance(token, Token)

        async def main():
            assert not await JWT.blacklist.is_blacklisted(token)
            await token.revoke()
            assert await JWT.blacklist.is_blacklisted(token)

        asyncio.run(main())
        print(token.identity, token.type, token.raw_jwt == raw_token)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["user", "access", "True"]


def test_token_from_raw_without_an_adapter_says_what_to_call(tmp_path: Path) -> None:
    """The core alone (no Sanic adapter imported) has no current configuration."""
    done = _run(
        """
        import sys
        import jwt_core

        try:
            jwt_core.Token("a.b.c")
        except jwt_core.ConfigurationConflictError as error:
            print(error)
        assert "sanic" not in sys.modules
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "call manager.decode(raw)" in done.stdout
    assert jwt_core.Token is Token
