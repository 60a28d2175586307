"""Without sanic-ext (or with it unused) nothing changes and `sanic_ext` is never imported.

Each case runs in a fresh interpreter, since this test process has imported sanic_ext already.
`sys.modules["sanic_ext"] = None` makes it uninstalled as far as imports and find_spec go.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "packages" / "jwt-core" / "src", ROOT / "packages" / "sanic-adapter" / "src"]

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys

    if sys.argv[1] == "absent":
        sys.modules["sanic_ext"] = None  # import sanic_ext -> ModuleNotFoundError

    from sanic import Sanic
    from sanic.response import json as reply

    from sanic_jwt_extended import JWT, Token, jwt_optional, jwt_required

    Sanic.test_mode = True
    app = Sanic("without-ext")
    app.config.TOUCHUP = False
    # "used": on whatever SANIC_AUTO_EXTEND says; "unused": installed, but the app does not use it
    app.config.AUTO_EXTEND = sys.argv[1] == "used"
    with JWT.initialize(app) as manager:
        manager.config.secret_key = "subprocess-secret-of-at-least-32-bytes!!"

    @app.get("/required")
    @jwt_required
    async def required(request, token: Token):
        return reply({"identity": token.identity})

    @app.get("/optional")
    @jwt_optional
    async def optional(request, token):
        return reply({"identity": token and token.identity})

    async def main():
        token = JWT.create_access_token("alice")
        auth = {"Authorization": "Bearer " + token}
        statuses = {}
        _, r = await app.asgi_client.get("/required", headers=auth)
        statuses["required"] = [r.status, r.json]
        _, r = await app.asgi_client.get("/required")
        statuses["refused"] = [r.status, r.json]
        _, r = await app.asgi_client.get("/optional")
        statuses["optional"] = [r.status, r.json]
        _, r = await app.asgi_client.get("/docs/openapi.json")
        statuses["docs"] = [r.status, None]
        loaded = sorted(
            name for name, module in sys.modules.items()
            if name.split(".")[0] == "sanic_ext" and module is not None
        )
        print(json.dumps({"statuses": statuses, "sanic_ext_modules": loaded,
                          "has_ext": hasattr(app, "_ext")}))

    asyncio.run(main())
    """
)


def run(case: str) -> dict[str, object]:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, SOURCES)))
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, case],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize("case", ["absent", "unused"])
def test_nothing_is_imported_and_the_app_works(case: str) -> None:
    result = run(case)
    assert result["sanic_ext_modules"] == []
    assert result["has_ext"] is False
    statuses = result["statuses"]
    assert isinstance(statuses, dict)
    assert statuses["required"] == [200, {"identity": "alice"}]
    assert statuses["refused"][0] == 401
    assert statuses["optional"] == [200, {"identity": None}]
    assert statuses["docs"][0] == 404


def test_with_sanic_ext_in_use_it_is_imported_and_documents() -> None:
    """The control case: the same script with sanic-ext on serves the OpenAPI document."""
    result = run("used")
    assert "sanic_ext" in result["sanic_ext_modules"]  # type: ignore[operator]
    assert result["has_ext"] is True
    statuses = result["statuses"]
    assert isinstance(statuses, dict)
    assert statuses["docs"][0] == 200
    assert statuses["required"] == [200, {"identity": "alice"}]
