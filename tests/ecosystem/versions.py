"""Where the release version is written: each package's `__version__` and CHANGELOG.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# distribution -> the module file holding its __version__ (hatch reads the version from it)
VERSION_FILES = {
    "jwt-core": ROOT / "packages/jwt-core/src/jwt_core/__init__.py",
    "sanic-jwt-extended": ROOT / "packages/sanic-adapter/src/sanic_jwt_extended/__init__.py",
}
# "## [2.0.0] - 2026-12-01": a release heading of Keep a Changelog ("## [Unreleased]" is not one)
RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def source_version(distribution: str) -> str:
    text = VERSION_FILES[distribution].read_text(encoding="utf-8")
    (version,) = re.findall(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    return version


def changelog_release() -> str:
    """The version of the latest release CHANGELOG.md lists (the first release heading)."""
    found = RELEASE.search((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert found is not None, "CHANGELOG.md lists no release ('## [X.Y.Z] - YYYY-MM-DD')"
    return found.group("version")
