"""The support range the packages declare is the one hatch.toml's test matrix runs.

The "minimum versions" environment pins each runtime dependency at its declared floor, and
the Sanic column of the matrix starts at the adapter's declared Sanic floor.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

if sys.version_info < (3, 11):
    pytest.skip("reads TOML with tomllib (Python 3.11+)", allow_module_level=True)
import tomllib

ROOT = Path(__file__).resolve().parents[2]
HATCH = tomllib.loads((ROOT / "hatch.toml").read_text(encoding="utf-8"))
TEST_ENV = HATCH["envs"]["hatch-test"]


def declared() -> dict[str, Requirement]:
    """Every runtime requirement of both packages, extras included, by distribution name."""
    found: dict[str, Requirement] = {}
    for package in ("jwt-core", "sanic-adapter"):
        text = (ROOT / "packages" / package / "pyproject.toml").read_text(encoding="utf-8")
        project: dict[str, Any] = tomllib.loads(text)["project"]
        specs = list(project["dependencies"])
        for extra in project.get("optional-dependencies", {}).values():
            specs.extend(extra)
        for spec in specs:
            requirement = Requirement(spec)
            if requirement.name != "jwt-core":  # our own pin, kept in step by the release
                found[requirement.name] = requirement
    return found


def floor(requirement: Requirement) -> str:
    (lowest,) = [s.version for s in requirement.specifier if s.operator == ">="]
    return lowest


def minimum_pins() -> dict[str, str]:
    entries = TEST_ENV["overrides"]["matrix"]["deps"]["extra-dependencies"]
    pins: dict[str, str] = {}
    for entry in entries:
        requirement = Requirement(entry["value"])
        (pin,) = [s.version for s in requirement.specifier if s.operator == "=="] or [None]
        if pin is not None:
            pins[requirement.name] = pin
    return pins


def same_version(a: str, b: str) -> bool:
    def parts(v: str) -> list[int]:
        numbers = [int(n) for n in re.findall(r"\d+", v)]
        while numbers and numbers[-1] == 0:
            numbers.pop()
        return numbers

    return parts(a) == parts(b)


def test_the_minimum_env_pins_every_declared_floor() -> None:
    requirements, pins = declared(), minimum_pins()
    assert set(requirements) <= set(pins), "a declared dependency the minimum env does not pin"
    for name, requirement in requirements.items():
        assert same_version(pins[name], floor(requirement)), (name, pins[name], str(requirement))


def test_the_sanic_matrix_starts_at_the_declared_sanic_floor() -> None:
    (main_matrix,) = [m for m in TEST_ENV["matrix"] if "sanic" in m]
    lowest = min(main_matrix["sanic"], key=lambda v: tuple(int(n) for n in v.split(".")))
    assert same_version(lowest, floor(declared()["sanic"]))
    assert main_matrix["python"] == ["3.10", "3.11", "3.12", "3.13"]
