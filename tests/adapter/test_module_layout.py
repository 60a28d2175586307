"""The adapter's layout: a public surface that `__all__` states, and no import cycle.

Private modules (`_name.py`) declare no `__all__`; every public module does, naming only what
it defines or re-exports, in sorted order. No module imports another that imports it back,
counting imports made only for type checking and inside functions.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import sanic_jwt_extended

PACKAGE = Path(sanic_jwt_extended.__file__).parent
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def _declares_all(name: str) -> bool:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(target, ast.Name) and target.id == "__all__"
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
        for node in tree.body
    )


def _ruff_order(names: list[str]) -> list[str]:
    """RUF022's order: SCREAMING_CASE, then CamelCase, then the rest, each alphabetical."""

    def key(name: str) -> tuple[int, str]:
        if name.isupper():
            return (0, name)
        return (1 if name[:1].isupper() else 2, name)

    return sorted(names, key=key)


@pytest.mark.parametrize("name", [m for m in MODULES if m.startswith("_")])
def test_private_modules_declare_no_public_names(name: str) -> None:
    assert not _declares_all(name), f"{name}.py is private: its names are not API"


@pytest.mark.parametrize("name", ["", *[m for m in MODULES if not m.startswith("_")]])
def test_public_modules_state_their_names_sorted(name: str) -> None:
    module = importlib.import_module(f"sanic_jwt_extended{'.' + name if name else ''}")
    names = list(module.__all__)
    assert names == _ruff_order(names)
    for public in names:
        assert hasattr(module, public), f"{module.__name__}.__all__ names a missing {public}"


def _imports(name: str) -> set[str]:
    """The package's modules that `name` imports, wherever the import statement sits."""
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        for target in targets:
            module = target.removeprefix("sanic_jwt_extended.")
            if module != target and module in MODULES and module != name:
                found.add(module)
    return found


def test_no_import_cycle_among_the_modules() -> None:
    graph = {name: _imports(name) for name in MODULES}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*path, start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
        return None

    cycles = [cycle for name in MODULES if (cycle := cycle_from(name))]
    assert cycles == [], " | ".join(" -> ".join(cycle) for cycle in cycles)
