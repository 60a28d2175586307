"""The core's layout: no import cycle among its modules, and `__all__` only where it is public.

Counted: every import statement wherever it sits (top level, inside functions, under
`TYPE_CHECKING`), absolute or relative, of this package's modules and subpackages.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import jwt_core

ROOT = Path(jwt_core.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["jwt_core", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _is_private(name: str) -> bool:
    return any(part.startswith("_") and part != "__main__" for part in name.split(".")[1:])


def _imports(name: str) -> set[str]:
    """The package's modules that `name` imports."""
    path = FILES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        found.update(t for t in targets if t in FILES and t != name)
    return found


def test_no_import_cycle_among_the_modules() -> None:
    graph = {name: _imports(name) for name in FILES}
    cycles: list[list[str]] = []
    for start in graph:
        stack, seen = [(start, [start])], {start}
        while stack:
            node, path = stack.pop()
            for following in graph[node]:
                if following == start:
                    cycles.append([*path, start])
                elif following not in seen:
                    seen.add(following)
                    stack.append((following, [*path, following]))
    assert cycles == [], " | ".join(" -> ".join(cycle) for cycle in cycles)


def _declares_all(name: str) -> bool:
    tree = ast.parse(FILES[name].read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets)
        for node in tree.body
    )


@pytest.mark.parametrize("name", [name for name in FILES if _is_private(name)])
def test_private_modules_declare_no_public_names(name: str) -> None:
    assert not _declares_all(name), f"{name} is private: its names are not API"


@pytest.mark.parametrize(
    "name", [name for name in FILES if not _is_private(name) and not name.endswith("__main__")]
)
def test_public_modules_name_only_what_they_have(name: str) -> None:
    module = importlib.import_module(name)
    for public in getattr(module, "__all__", ()):
        assert hasattr(module, public), f"{name}.__all__ names a missing {public}"
