"""Every public module path of 1.0-dev imports, re-exports today's objects and says what to use.

1.0-dev code imports `JWT` from `sanic_jwt_extended.jwt_manager`, `Token` from `.tokens`, the
exceptions from `.exceptions` and so on; each path is a thin module over today's names.
"""

from __future__ import annotations

import importlib
import itertools
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import jwt_core
import sanic_jwt_extended

OLD_NAMES = {
    "sanic_jwt_extended.jwt_manager": ["JWT"],
    "sanic_jwt_extended.tokens": ["Token"],
    "sanic_jwt_extended.config": ["Config"],
    "sanic_jwt_extended.handler": ["Handler"],
    "sanic_jwt_extended.blacklist": ["BlacklistABC", "InMemoryBlacklist", "RedisBlacklist"],
    "sanic_jwt_extended.redis": ["RedisBlacklist"],
    "sanic_jwt_extended.decorators": ["jwt_optional", "jwt_required", "refresh_jwt_required"],
    "sanic_jwt_extended.exceptions": [
        "JWTExtendedException",
        "JWTDecodeError",
        "InvalidHeaderError",
        "NoAuthorizationError",
        "WrongTokenError",
        "RevokedTokenError",
        "FreshTokenRequiredError",
        "AccessDeniedError",
        "ConfigurationConflictError",
        "CSRFError",
    ],
}


@pytest.mark.parametrize(("module", "names"), OLD_NAMES.items())
def test_old_path_re_exports_todays_objects(module: str, names: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = importlib.import_module(module)
    for name in names:
        assert getattr(old, name) is getattr(sanic_jwt_extended, name), name


# where a warning of ours would be reported: the importing line (`<string>` in a -c run)
# or a file of either package
OUR_PACKAGES = (
    os.path.dirname(jwt_core.__file__),
    os.path.dirname(sanic_jwt_extended.__file__),
)


def _import_in_fresh_process(statement: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", "-c", statement],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "name"), [(m, n[0]) for m, n in OLD_NAMES.items() if not m.endswith("decorators")]
)
def test_old_path_warns_at_the_importing_line_with_the_new_import(module: str, name: str) -> None:
    done = _import_in_fresh_process(f"from {module} import {name}")
    assert done.returncode == 0, done.stderr
    assert "<string>:1: DeprecationWarning" in done.stderr
    assert name in done.stderr
    assert "from sanic_jwt_extended instead" in done.stderr


def test_importing_the_package_or_its_current_modules_does_not_warn() -> None:
    done = _import_in_fresh_process(
        "import sanic_jwt_extended, sanic_jwt_extended.decorators, sanic_jwt_extended.facade"
    )
    assert done.returncode == 0
    # Only warnings of ours count: Sanic 24.12 itself imports a module websockets 11+ calls
    # deprecated ("websockets.connection was renamed"), at every import in that env.
    ours = [
        line
        for line in done.stderr.splitlines()
        if "Warning" in line and any(where in line for where in ("<string>", *OUR_PACKAGES))
    ]
    assert ours == [], done.stderr


def test_old_paths_shadow_nothing_of_the_package() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for module in OLD_NAMES:
            importlib.import_module(module)
    # the submodules become package attributes; none of them hides a public name
    for name in sanic_jwt_extended.__all__:
        assert getattr(sanic_jwt_extended, name) is not None
    assert sanic_jwt_extended.Config is jwt_core.Config
    assert not set(sanic_jwt_extended.__all__) & {m.rsplit(".", 1)[1] for m in OLD_NAMES}
    # and the top-level redis package is still redis-py
    import redis

    assert redis.__name__ == "redis"
    assert hasattr(redis, "asyncio")


def test_redis_connection_says_what_replaces_it() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ImportError, match="RedisBlacklist keeps its own client") as caught:
            from sanic_jwt_extended.redis import RedisConnection  # noqa: F401
    assert "sanic-jwt-extended.md" in str(caught.value)


def _import_table() -> list[tuple[str, str]]:
    page = Path(__file__).parents[2] / "docs" / "migration" / "sanic-jwt-extended.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    start = lines.index("| 1.0-dev import | import now |") + 2
    rows = []
    for line in itertools.takewhile(lambda line: line.startswith("|"), lines[start:]):
        old, now = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((old.strip("`").split(" ")[0].strip("`"), now))
    return rows


def test_the_migration_pages_import_table_is_what_the_code_does() -> None:
    rows = _import_table()
    documented = {old for old, _ in rows if old.startswith("sanic_jwt_extended.")}
    assert documented == {
        f"{module}.{name}"
        for module, names in OLD_NAMES.items()
        if not module.endswith(("decorators", ".redis"))
        for name in names
    } | {"sanic_jwt_extended.redis.RedisConnection"}
    for old, now in rows:
        module, _, name = old.rpartition(".")
        if not module.startswith("sanic_jwt_extended"):
            continue  # PyJWT's exceptions: the handlers of the same names answer ours
        if now.startswith("none"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                old_module = importlib.import_module(module)
            with pytest.raises(ImportError):
                getattr(old_module, name)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            found = getattr(importlib.import_module(module), name)
        assert found is getattr(sanic_jwt_extended, now.strip("`").rpartition(".")[2]), old
