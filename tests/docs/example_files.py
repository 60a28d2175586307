"""Running the example files that the documentation includes, and where they live."""

from __future__ import annotations

import contextlib
import io
import runpy
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "docs"
DOCS = ROOT / "docs"
SECRET = "change-me-to-at-least-32-random-bytes-please"


def run_example(name: str, **environment: str) -> tuple[dict[str, Any], str]:
    """Run `examples/docs/<name>` as a script; return its globals and what it printed.

    A script has a process of its own: while it runs, Sanic's app registry holds only the
    apps it builds, so "the only initialized app" means the example's, as it does for users.
    Its apps join the other tests' apps afterwards.
    """
    path = EXAMPLES / name
    output = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(output):
        for key, value in environment.items():
            patch.setenv(key, value)
        patch.setattr(Sanic, "_app_registry", {})
        namespace = runpy.run_path(str(path), run_name=f"docs_example_{path.stem}")
        built = list(Sanic._app_registry.values())
    for app in built:
        Sanic.register_app(app)
    return namespace, output.getvalue()


def load_app(name: str, **environment: str) -> Any:
    """The Sanic `app` an example file builds."""
    namespace, _ = run_example(name, **environment)
    return namespace["app"]


def expected_output(name: str) -> str:
    """The output the docs show for an example: `examples/docs/<stem>.out`."""
    return (EXAMPLES / name).with_suffix(".out").read_text(encoding="utf-8")
