"""docs/configuration.md lists every option of `jwt_core.Config` and of the adapter's `HttpConfig`.

The core's under "Options of the core", the adapter's own under "Options of the Sanic adapter",
each with its real default.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from jwt_core import Config, InMemoryBlacklist
from sanic_jwt_extended import HttpConfig
from tests.docs.example_files import DOCS, expected_output, run_example
from tests.docs.markdown_tables import code, rows_of

PAGE = DOCS / "configuration.md"
HEADER = ["option", "default", "what it does"]
CORE = "## Options of the core"
ADAPTER = "## Options of the Sanic adapter"


def documented(under: str | None = None) -> list[tuple[str, str, str]]:
    rows = rows_of(PAGE, HEADER, under=under)
    assert rows, f"docs/configuration.md has no option table (under {under!r})"
    return [(code(name), code(default), text) for name, default, text in rows]


def evaluate(default: str) -> Any:
    """The value a default cell spells (a Python expression over a few known names)."""
    names = {"timedelta": timedelta, "json": json, "InMemoryBlacklist": InMemoryBlacklist}
    return eval(default, {"__builtins__": {}}, names)


def test_every_option_is_documented_once_and_nothing_else() -> None:
    names = [name for name, _, _ in documented()]
    assert len(names) == len(set(names)), "an option is listed twice"
    assert set(names) == set(HttpConfig.option_names())


def test_each_option_is_listed_under_its_owner() -> None:
    assert {name for name, _, _ in documented(CORE)} == set(Config.option_names())
    assert {name for name, _, _ in documented(ADAPTER)} == set(HttpConfig.http_option_names())


@pytest.mark.parametrize("name", HttpConfig.option_names())
def test_documented_default_is_the_real_default(name: str) -> None:
    defaults = {option: default for option, default, _ in documented()}
    assert evaluate(defaults[name]) == HttpConfig.defaults()[name]


def test_every_option_says_what_it_does() -> None:
    for name, _, text in documented():
        assert len(text) > 20, f"{name}: the description is missing or too short"


def test_configuration_example_prints_what_the_page_shows() -> None:
    _, printed = run_example("configuration_basics.py")
    assert printed == expected_output("configuration_basics.py")


def test_app_config_example_reads_options_from_the_environment(tmp_path: Any) -> None:
    _, printed = run_example(
        "configuration_app_config.py",
        SANIC_JWT_SECRET_KEY="from-the-environment-0123456789-abcdef",
    )
    assert printed == expected_output("configuration_app_config.py")
