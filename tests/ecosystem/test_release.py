"""The release is one version: both packages, the adapter's jwt-core pin and CHANGELOG.md.

CI runs this with the README's test command, and again beside the built distributions
(.ci/run's packaging step), so a release whose changelog, packages or pin disagree fails.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

import jwt_core
import sanic_jwt_extended
from tests.ecosystem.versions import ROOT, VERSION_FILES, changelog_release, source_version

if sys.version_info < (3, 11):
    pytest.skip("reads TOML with tomllib (Python 3.11+)", allow_module_level=True)
import tomllib

FOLDERS = {"jwt-core": "jwt-core", "sanic-jwt-extended": "sanic-adapter"}
# The releases of the original project on PyPI (`pip index versions sanic-jwt-extended --pre`,
# 2026-12-01): 0.4.4 the last stable one, 1.0.dev12 the last of the line this one reimplements.
PYPI_RELEASES = ["0.0.1", "0.1.0", "0.2.0", "0.3.1", "0.4.2", "0.4.3", "0.4.4"] + [
    f"1.0.dev{n}" for n in range(1, 13)
]


def project(distribution: str) -> dict[str, Any]:
    path = ROOT / "packages" / FOLDERS[distribution] / "pyproject.toml"
    return dict(tomllib.loads(path.read_text(encoding="utf-8")))


def test_both_packages_have_one_version() -> None:
    assert source_version("jwt-core") == source_version("sanic-jwt-extended")
    assert jwt_core.__version__ == sanic_jwt_extended.__version__ == source_version("jwt-core")


@pytest.mark.parametrize("distribution", FOLDERS)
def test_hatch_takes_the_version_from_the_package(distribution: str) -> None:
    """One source: pyproject.toml has no version of its own but reads `__version__`."""
    config = project(distribution)
    assert "version" not in config["project"]
    assert "version" in config["project"]["dynamic"]
    path = ROOT / "packages" / FOLDERS[distribution] / config["tool"]["hatch"]["version"]["path"]
    assert path == VERSION_FILES[distribution]


def test_the_adapter_requires_the_core_of_its_own_release() -> None:
    """Every jwt-core requirement (extras too) is `>=X.Y.Z,<X.(Y+1)` of this release."""
    version = Version(source_version("jwt-core"))
    config = project("sanic-jwt-extended")["project"]
    extras = config["optional-dependencies"].values()
    specs = [*config["dependencies"], *(spec for extra in extras for spec in extra)]
    pins = [Requirement(spec) for spec in specs if Requirement(spec).name == "jwt-core"]
    assert len(pins) == 2  # the dependency and the redis extra
    expected = {f">={version}", f"<{version.major}.{version.minor + 1}"}
    for pin in pins:
        assert {str(s) for s in pin.specifier} == expected, str(pin)


def test_the_changelog_latest_release_is_the_packages_version() -> None:
    version = changelog_release()
    assert version == source_version("jwt-core")
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^\[{re.escape(version)}\]: https://", text, re.MULTILINE), "no link"
    assert text.index("## [Unreleased]") < text.index(f"## [{version}]")


def test_pip_install_upgrade_picks_this_release_over_the_original_project() -> None:
    """`pip install -U` without --pre ignores pre-releases: this one must be a final release
    that sorts after every release of the original sanic-jwt-extended, 1.0.devN included."""
    version = Version(source_version("sanic-jwt-extended"))
    assert not version.is_prerelease
    assert version > max(Version(v) for v in PYPI_RELEASES)
