"""The package READMEs (the PyPI pages) show code that runs and output that is true."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

from sanic import Sanic

ROOT = Path(__file__).resolve().parents[2]
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(package: str) -> list[str]:
    text = (ROOT / "packages" / package / "README.md").read_text(encoding="utf-8")
    blocks = PYTHON_BLOCK.findall(text)
    assert blocks, f"{package}/README.md has no python example"
    return blocks


def test_core_readme_prints_what_it_says() -> None:
    (block,) = python_blocks("jwt-core")
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(block, "jwt-core/README.md", "exec"), {})
    promised = re.findall(r"print\(.*\)\s+# (.*)$", block, re.MULTILINE)
    assert output.getvalue().splitlines() == promised


async def test_adapter_readme_app_serves_its_routes() -> None:
    (block,) = python_blocks("sanic-adapter")
    namespace: dict[str, Any] = {}
    exec(compile(block, "sanic-adapter/README.md", "exec"), namespace)
    app = namespace["app"]
    assert isinstance(app, Sanic)
    app.config.TOUCHUP = False
    _, response = await app.asgi_client.post("/login")
    token = response.json["access_token"]
    _, response = await app.asgi_client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json == {"identity": "alice"}
    _, response = await app.asgi_client.get("/me")
    assert response.status == 401
    assert set(response.json) == {"msg"}
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_readme_links_are_absolute() -> None:
    """PyPI shows the README without the repository around it: relative links would break."""
    for package in ("jwt-core", "sanic-adapter"):
        text = (ROOT / "packages" / package / "README.md").read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)]+)\)", text):
            assert target.startswith("https://"), f"{package}/README.md links to {target}"
