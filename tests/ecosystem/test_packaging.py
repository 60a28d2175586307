"""Both distributions build into complete wheels and sdists and work from a clean venv.

Slow and needs the package index (the venv installs sanic, python-jose, ... from it), so it
runs only with JWT_PACKAGING_TEST=1. The wheels and sdists come from JWT_PACKAGING_DIST (a
folder `hatch build` filled) when set, else they are built here with hatchling. Our own two
distributions are always installed from those files, never from the index.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from email.message import Message
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.ecosystem.versions import changelog_release, source_version

pytestmark = pytest.mark.skipif(
    os.environ.get("JWT_PACKAGING_TEST") != "1", reason="set JWT_PACKAGING_TEST=1 to run"
)

ROOT = Path(__file__).resolve().parents[2]
VERSION = source_version("jwt-core")  # test_release.py: the same in both packages and the changelog
# distribution -> (folder under packages/, import name)
PACKAGES = {
    "jwt-core": ("jwt-core", "jwt_core"),
    "sanic-jwt-extended": ("sanic-adapter", "sanic_jwt_extended"),
}
SECRET = "packaging-test-secret-of-at-least-32-bytes"


def stem(distribution: str) -> str:
    return f"{distribution.replace('-', '_')}-{VERSION}"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("JWT_PACKAGING_DIST")
    if given:
        return Path(given).resolve()
    try:
        import hatchling  # noqa: F401
    except ImportError:
        pytest.fail("set JWT_PACKAGING_DIST to a folder `hatch build` filled, or install hatchling")
    out = tmp_path_factory.mktemp("dist")
    for folder, _ in PACKAGES.values():
        subprocess.run(
            [sys.executable, "-m", "hatchling", "build", "-d", str(out)],
            cwd=ROOT / "packages" / folder,
            check=True,
            capture_output=True,
        )
    return out


def wheel(dist: Path, distribution: str) -> Path:
    return dist / f"{stem(distribution)}-py3-none-any.whl"


def sdist(dist: Path, distribution: str) -> Path:
    return dist / f"{stem(distribution)}.tar.gz"


def wheel_metadata(dist: Path, distribution: str) -> Message:
    with zipfile.ZipFile(wheel(dist, distribution)) as archive:
        text = archive.read(f"{stem(distribution)}.dist-info/METADATA").decode("utf-8")
    return email.parser.Parser(policy=email.policy.compat32).parsestr(text)


def source_files(distribution: str) -> set[str]:
    """The files of the import package in the source tree, relative to src/."""
    folder, name = PACKAGES[distribution]
    src = ROOT / "packages" / folder / "src"
    return {
        path.relative_to(src).as_posix()
        for path in (src / name).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.parametrize("distribution", PACKAGES)
def test_a_wheel_and_an_sdist_each(dist: Path, distribution: str) -> None:
    assert wheel(dist, distribution).is_file()
    assert sdist(dist, distribution).is_file()


@pytest.mark.parametrize("distribution", PACKAGES)
def test_wheel_metadata_is_complete(dist: Path, distribution: str) -> None:
    folder, name = PACKAGES[distribution]
    metadata = wheel_metadata(dist, distribution)
    assert metadata["Name"] == distribution
    assert metadata["Version"] == VERSION == changelog_release()
    source_init = (ROOT / "packages" / folder / "src" / name / "__init__.py").read_text()
    assert f'__version__ = "{VERSION}"' in source_init
    assert len(metadata["Summary"]) > 30
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Description-Content-Type"] == "text/markdown"
    readme = (ROOT / "packages" / folder / "README.md").read_text(encoding="utf-8")
    assert metadata.get_payload().strip() == readme.strip()
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL"))
    assert set(urls) >= {"Homepage", "Documentation", "Source", "Issues"}
    assert all(url.startswith("https://") for url in urls.values())
    classifiers = metadata.get_all("Classifier")
    assert "Typing :: Typed" in classifiers
    assert "License :: OSI Approved :: MIT License" not in classifiers  # License-Expression
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert "redis" in metadata.get_all("Provides-Extra")


def test_dependencies_and_extras(dist: Path) -> None:
    core = wheel_metadata(dist, "jwt-core").get_all("Requires-Dist")
    assert "python-jose[cryptography]>=3.4" in core
    assert "cryptography>=42" in core
    assert "redis>=5.0.1; extra == 'redis'" in core
    adapter = wheel_metadata(dist, "sanic-jwt-extended")
    requires = adapter.get_all("Requires-Dist")
    assert "sanic>=24.12" in requires
    # the core of the same release: >=X.Y.Z,<X.(Y+1)
    release = Version(VERSION)
    pinned = {f">={release}", f"<{release.major}.{release.minor + 1}"}
    jwt_core = [Requirement(r) for r in requires if Requirement(r).name == "jwt-core"]
    assert [{str(s) for s in r.specifier} for r in jwt_core] == [pinned, pinned]
    assert set(adapter.get_all("Provides-Extra")) == {"redis", "ext"}
    assert "sanic-ext>=24.12; extra == 'ext'" in requires
    assert "pydantic>=2; extra == 'ext'" in requires


def test_core_wheel_declares_the_console_script(dist: Path) -> None:
    with zipfile.ZipFile(wheel(dist, "jwt-core")) as archive:
        entry_points = archive.read(f"{stem('jwt-core')}.dist-info/entry_points.txt").decode()
    assert re.search(r"^jwt-core = jwt_core\.cli:main$", entry_points, re.MULTILINE)


@pytest.mark.parametrize("distribution", PACKAGES)
def test_wheel_holds_exactly_the_source_package(dist: Path, distribution: str) -> None:
    with zipfile.ZipFile(wheel(dist, distribution)) as archive:
        names = {n for n in archive.namelist() if ".dist-info/" not in n}
    assert names == source_files(distribution)
    assert any(n.endswith("/py.typed") for n in names)


@pytest.mark.parametrize("distribution", PACKAGES)
def test_sdist_holds_the_sources_and_nothing_else(dist: Path, distribution: str) -> None:
    top = stem(distribution)
    with tarfile.open(sdist(dist, distribution)) as archive:
        names = set(archive.getnames())
    for required in ("README.md", "LICENSE", "pyproject.toml", "PKG-INFO"):
        assert f"{top}/{required}" in names
    assert {f"{top}/src/{path}" for path in source_files(distribution)} <= names
    assert not [n for n in names if "__pycache__" in n or "/tests/" in n or n.endswith(".pyc")]


# What the clean venv runs, from an empty folder, with the source tree nowhere on sys.path.
SMOKE = textwrap.dedent(
    """
    import asyncio, importlib.util, json, sys
    from pathlib import Path

    import jwt_core, sanic_jwt_extended
    from jwt_core import Config, TokenManager
    from sanic import Sanic
    from sanic_jwt_extended import JWT

    tm = TokenManager(Config(secret_key=sys.argv[1]))
    raw = tm.create_access_token({"id": 7})
    token = asyncio.run(tm.verify(raw))

    app = Sanic("packaging")
    with JWT.initialize(app) as manager:
        manager.config.secret_key = sys.argv[1]
    adapter_token = app.ctx.jwt.manager.decode(JWT.create_refresh_token("bob"))

    print(json.dumps({
        "files": [jwt_core.__file__, sanic_jwt_extended.__file__],
        "versions": [jwt_core.__version__, sanic_jwt_extended.__version__],
        "identity": token.identity,
        "adapter": [adapter_token.identity, adapter_token.type],
        "sanic_ext": importlib.util.find_spec("sanic_ext") is not None
                     or "sanic_ext" in sys.modules,
        "path": sys.path,
    }))
    """
)

# A real request through the installed adapter (sanic-testing added after `pip check`).
REQUEST = textwrap.dedent(
    """
    import sys
    from sanic import Sanic, json
    from sanic_jwt_extended import JWT, Token, jwt_required

    app = Sanic("packaging-request")
    with JWT.initialize(app) as manager:
        manager.config.secret_key = sys.argv[1]

    @app.get("/me")
    @jwt_required
    async def me(request, token: Token):
        return json({"identity": token.identity})

    token = JWT.create_access_token("carol")
    _, ok = app.test_client.get("/me", headers={"Authorization": "Bearer " + token})
    _, refused = app.test_client.get("/me")
    print(ok.status, ok.json["identity"], refused.status)
    """
)


@pytest.fixture(scope="module")
def clean_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with our two wheels (their dependencies from the index)."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(home / "venv")
    python = home / "venv" / "bin" / "python"
    wheels = [str(wheel(dist, name)) for name in PACKAGES]
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", *wheels], check=True, env=clean_env(), cwd=home)
    return home / "venv"


def clean_env() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    environment.pop("VIRTUAL_ENV", None)
    return environment


def run_in(venv_dir: Path, *args: str, cwd: Path) -> str:
    completed = subprocess.run(
        [str(venv_dir / "bin" / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_installed_metadata(clean_venv: Path, tmp_path: Path) -> None:
    shown = run_in(clean_venv, "python", "-m", "pip", "show", *PACKAGES, cwd=tmp_path)
    blocks = [block for block in shown.split("---") if block.strip()]
    fields = [dict(re.findall(r"^([\w-]+): ?(.*)$", block, re.MULTILINE)) for block in blocks]
    assert [f["Name"] for f in fields] == list(PACKAGES)
    for found in fields:
        assert found["Version"] == VERSION
        assert Path(found["Location"]).resolve().is_relative_to(clean_venv.resolve())
        assert found["Summary"]
    run_in(clean_venv, "python", "-m", "pip", "check", cwd=tmp_path)


def test_import_and_round_trip_from_the_wheels_alone(clean_venv: Path, tmp_path: Path) -> None:
    output = run_in(clean_venv, "python", "-c", SMOKE, SECRET, cwd=tmp_path)
    result = json.loads(output)
    for file in result["files"]:
        assert Path(file).resolve().is_relative_to(clean_venv.resolve())
    assert not any(str(ROOT) in entry for entry in result["path"])
    assert result["versions"] == [VERSION, VERSION]
    assert result["identity"] == {"id": 7}
    assert result["adapter"] == ["bob", "refresh"]
    assert result["sanic_ext"] is False  # the adapter works without sanic-ext


def test_console_script(clean_venv: Path, tmp_path: Path) -> None:
    assert "mint" in run_in(clean_venv, "jwt-core", "--help", cwd=tmp_path)
    assert VERSION in run_in(clean_venv, "jwt-core", "--version", cwd=tmp_path)
    raw = run_in(
        clean_venv, "jwt-core", "mint", "--secret-key", SECRET, "--identity", "dora", cwd=tmp_path
    ).strip()
    claims = json.loads(
        run_in(clean_venv, "jwt-core", "verify", "--secret-key", SECRET, raw, cwd=tmp_path)
    )
    assert claims["sub"] == "dora"
    assert claims["type"] == "access"


def test_a_request_through_the_installed_adapter(clean_venv: Path, tmp_path: Path) -> None:
    run_in(clean_venv, "python", "-m", "pip", "install", "-q", "sanic-testing", cwd=tmp_path)
    output = run_in(clean_venv, "python", "-c", REQUEST, SECRET, cwd=tmp_path)
    assert output.split()[-3:] == ["200", "carol", "401"]


@pytest.mark.parametrize("distribution", PACKAGES)
def test_the_sdist_rebuilds_the_same_wheel(
    dist: Path, distribution: str, clean_venv: Path, tmp_path: Path
) -> None:
    """pip builds a wheel from the sdist alone (hatchling from the index, in isolation)."""
    top = stem(distribution)
    run_in(
        clean_venv,
        "python",
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "-w",
        str(tmp_path / "rebuilt"),
        str(sdist(dist, distribution)),
        cwd=tmp_path,
    )
    with (
        zipfile.ZipFile(tmp_path / "rebuilt" / wheel(dist, distribution).name) as again,
        zipfile.ZipFile(wheel(dist, distribution)) as original,
    ):
        assert sorted(again.namelist()) == sorted(original.namelist())
        metadata = f"{top}.dist-info/METADATA"
        assert again.read(metadata) == original.read(metadata)


def test_the_venv_is_clean_of_the_source_tree(clean_venv: Path) -> None:
    site = next((clean_venv / "lib").glob("python3.*/site-packages"))
    for pth in site.glob("*.pth"):
        assert str(ROOT) not in pth.read_text(encoding="utf-8"), pth
    assert not list(site.glob("_editable_impl_*"))
    assert shutil.which("jwt-core", path=str(clean_venv / "bin"))
